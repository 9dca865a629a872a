/**
 * Where the push routes decode bodies: in the server's decode pool (large bodies on worker
 * threads, src/ingest/offload/) when it has one, else on the event loop.
 *
 * The per-tenant stream limit (`admitStream`) keeps its state on the event loop. A body decoded
 * on a worker has its streams admitted here afterwards, in the order the decoder opened them; if
 * one is refused (rare: the tenant is at its limit), the body is decoded again here with the
 * limit, so that entries and bulk items of the refused stream are answered exactly as the
 * decoder answers them on the event loop.
 */
import type { AppContext } from './context.js';
import type { GrouperOptions } from '../ingest/common/stream-grouper.js';
import { runDecodeJob, type DecodeJob, type DecodeOutcome } from '../ingest/offload/decode-job.js';

export async function decodePush(ctx: AppContext, job: DecodeJob, body: Buffer, admitStream?: GrouperOptions['admitStream']): Promise<DecodeOutcome> {
  const pool = ctx.decodePool;
  if (pool === undefined || !pool.offloads(body.length)) return runDecodeJob(job, body, admitStream);
  const res = await pool.decode(job, body);
  if (admitStream === undefined) return res;
  let refused = false;
  for (const s of res.batch.streams) if (!admitStream(s.id, s.key)) refused = true;
  return refused ? runDecodeJob(job, body, admitStream) : res;
}
