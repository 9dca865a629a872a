import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from './metrics.js';

describe('metrics: storage compression gauges', () => {
  it('exports compressed and uncompressed bytes when the store reports them, and no sample otherwise', async () => {
    const f = async (stats: { compressedBytes: number; uncompressedBytes: number } | undefined, want: RegExp[], not: RegExp[]): Promise<void> => {
      const text = await createMetrics({ storageSize: async () => 5000, storageCompression: async () => stats }).registry.metrics();
      for (const re of want) assert.match(text, re);
      for (const re of not) assert.doesNotMatch(text, re);
    };
    await f({ compressedBytes: 1234, uncompressedBytes: 98765 }, [/^storage_compressed_bytes\{layout="timescaledb"\} 1234$/m, /^storage_uncompressed_bytes\{layout="timescaledb"\} 98765$/m, /^storage_size_bytes 5000$/m], []);
    // The plain PostgreSQL layout and DuckDB: the gauges exist, with no sample that could be read as 0 bytes.
    await f(undefined, [/^# TYPE storage_compressed_bytes gauge$/m], [/^storage_compressed_bytes[{ ]/m, /^storage_uncompressed_bytes[{ ]/m]);
  });
});

describe('metrics: storage memory gauge', () => {
  it("exports what the store holds by tag, and drops a tag that no longer holds anything", async () => {
    let byTag = new Map([
      ['BASE_TABLE', 4096],
      ['HASH_TABLE', 512],
    ]);
    const { registry } = createMetrics({ storageMemory: async () => byTag });
    const first = await registry.metrics();
    assert.match(first, /^storage_memory_bytes\{tag="BASE_TABLE"\} 4096$/m);
    assert.match(first, /^storage_memory_bytes\{tag="HASH_TABLE"\} 512$/m);
    byTag = new Map([['BASE_TABLE', 8192]]);
    const second = await registry.metrics();
    assert.match(second, /^storage_memory_bytes\{tag="BASE_TABLE"\} 8192$/m);
    assert.doesNotMatch(second, /^storage_memory_bytes\{tag="HASH_TABLE"/m);
  });
});
