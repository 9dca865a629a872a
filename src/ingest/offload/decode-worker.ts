/**
 * The decode worker thread: runs decode jobs (decode-job.ts) sent by the pool and answers with
 * the packed outcome, or with the error the decoder threw (its class, code and message).
 */
import { parentPort } from 'node:worker_threads';
import { runDecodeJob, type DecodeJob } from './decode-job.js';
import { packOutcome } from './packed-outcome.js';
import { serializeError } from './worker-error.js';

parentPort!.on('message', (m: { id: number; job: DecodeJob; body: Uint8Array }) => {
  try {
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    parentPort!.postMessage({ id: m.id, ok: packOutcome(runDecodeJob(m.job, body)) });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, err: serializeError(err) });
  }
});
