import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodePool } from './decode-pool.js';
import { runDecodeJob, type DecodeJob } from './decode-job.js';
import { DEFAULT_INGEST_LIMITS } from '../common/limits.js';
import { encodeLokiPushJson, encodeLokiPushProtobuf, type LokiPushStream } from '../loki-push.js';
import { LogSentinelError } from '../../errors.js';
import { EsBulkRequestError } from '../elasticsearch-bulk.js';

const NOW = 1_700_000_000_000_000_000n;
const base = { contentEncoding: 'identity', tenant: 't', limits: DEFAULT_INGEST_LIMITS, nowNs: NOW };
const ES_OPTS = { timestampField: '@timestamp', messageField: 'message', indexLabel: 'index', maxItems: 100, maxDepth: 20, maxFields: 1000 };

describe('DecodePool', () => {
  // Every body goes to the worker (inlineMaxBytes 0), so the worker path is what is compared.
  const pool = new DecodePool({ workers: 1, inlineMaxBytes: 0 });
  after(() => pool.close());

  it('answers exactly what decoding on the event loop answers', async () => {
    const ts = (k: number): string => String(NOW - BigInt(k));
    const streams: LokiPushStream[] = [
      { stream: { service: 'api', env: 'prod' }, values: [[ts(3), 'level=error msg="boom" ü€'], [ts(2), 'plain', { trace_id: 'abc' }]] },
      { stream: { service: 'db' }, values: [[ts(1), '{"level":"warn","msg":"slow"}'], ['not-a-time', 'refused']] },
    ];
    const f = async (job: DecodeJob, body: Buffer): Promise<void> => {
      const want = runDecodeJob(job, body);
      const got = await pool.decode(job, body);
      assert.deepEqual(got, want, job.kind);
    };
    await f({ ...base, kind: 'loki', contentType: 'application/json' }, Buffer.from(encodeLokiPushJson(streams)));
    await f({ ...base, kind: 'loki', contentType: 'application/x-protobuf' }, encodeLokiPushProtobuf(streams.slice(0, 1)));
    await f({ ...base, kind: 'jsonlines' }, Buffer.from('{"_msg":"a","service":"x"}\n{"_msg":"b","level":"error"}\nnot json\n'));
    await f({ ...base, kind: 'es', opts: ES_OPTS }, Buffer.from('{"index":{"_index":"a","_id":"1"}}\n{"message":"m"}\n{"index":{"_index":"A","_id":"2"}}\n{"message":"n"}\n'));
  });

  it('keeps the class, code and message of the errors decoders throw', async () => {
    const f = async (job: DecodeJob, body: Buffer, check: (err: unknown) => boolean): Promise<void> => {
      await assert.rejects(pool.decode(job, body), check);
    };
    await f({ ...base, kind: 'loki', contentType: 'application/json' }, Buffer.from('{not json'), (err) => err instanceof LogSentinelError && err.code === 'PUSH_INVALID' && err.status === 400);
    await f({ ...base, kind: 'loki', contentType: 'text/html' }, Buffer.from('<html>'), (err) => err instanceof LogSentinelError && err.status === 415);
    await f({ ...base, kind: 'es', opts: ES_OPTS }, Buffer.from('{"index":{}}x\n'), (err) => err instanceof EsBulkRequestError && err.esType === 'parse_exception');
  });
});
