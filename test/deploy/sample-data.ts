/**
 * Logs the live deploy tests query back: the load generator's corpus (12 services, levels
 * info/warn/error/critical, as real fleets log) and the demo API's JSON lines.
 */
import assert from 'node:assert/strict';
import { runLoadgen } from '../../src/loadgen/loadgen.js';

/** Pushes 3000 corpus lines, timestamped now, over the Loki JSON push API. */
export async function pushCorpus(logsentinelUrl: string): Promise<void> {
  const s = await runLoadgen({ url: logsentinelUrl, rate: 3000, duration: 1, services: 12, batch: 250, protocol: 'loki-json', seed: 7 });
  assert.equal(s.accepted, s.sent, `loadgen lines refused: ${s.errorSamples.join('; ')}`);
}
