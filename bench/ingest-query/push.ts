/**
 * The acknowledged-ingest pusher of the ingest benchmarks (bench/ingest-query, bench/patterns):
 * every body pushed by `concurrency` clients; a push counts once answered 204 (committed), a 429
 * is retried after 50 ms and counted. The bodies come from an array, or from a spool file
 * (`writeSpool` in corpus.ts) read as the pushes go, so that a corpus of any size needs a few MB.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Push bodies in order; `next` resolves to undefined after the last. */
export interface BodySource {
  next(): Promise<Buffer<ArrayBuffer> | undefined>;
}

/** The bodies of a spool file, one a line, read 4 MB at a time. */
export class SpoolReader implements BodySource {
  private fh?: FileHandle;
  private readonly queue: Array<Buffer<ArrayBuffer>> = [];
  private rest: Buffer<ArrayBuffer> = Buffer.alloc(0);
  private eof = false;
  private reading?: Promise<void>;

  constructor(private readonly file: string) {}

  async next(): Promise<Buffer<ArrayBuffer> | undefined> {
    // Concurrent callers wait for the same read.
    while (this.queue.length === 0 && !this.eof) await (this.reading ??= this.read().finally(() => (this.reading = undefined)));
    return this.queue.shift();
  }

  async close(): Promise<void> {
    this.eof = true;
    await this.fh?.close();
    this.fh = undefined;
  }

  private async read(): Promise<void> {
    this.fh ??= await open(this.file, 'r');
    const chunk = Buffer.allocUnsafe(4 << 20);
    const { bytesRead } = await this.fh.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) {
      if (this.rest.length > 0) throw new Error(`${this.file} does not end with a newline`);
      await this.close();
      return;
    }
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      this.queue.push(data.subarray(start, nl));
      start = nl + 1;
    }
    this.rest = data.subarray(start);
  }
}

export async function pushBodies(url: string, bodies: readonly string[] | BodySource, concurrency: number): Promise<{ secs: number; rejected: number }> {
  let next = 0;
  const take = 'next' in bodies ? () => bodies.next() : async () => bodies[next++];
  let rejected = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (let body = await take(); body !== undefined; body = await take()) {
      for (;;) {
        const r = await fetch(url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await r.arrayBuffer();
        if (r.status === 204) break;
        if (r.status === 429) {
          rejected++;
          await new Promise((res) => setTimeout(res, 50));
          continue;
        }
        throw new Error(`push answered ${r.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { secs: (performance.now() - t0) / 1000, rejected };
}
