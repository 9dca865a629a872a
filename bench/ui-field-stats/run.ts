/**
 * What Explore's fields sidebar costs in the browser's thread. See README.md beside this file.
 *
 *   node --import tsx bench/ui-field-stats/run.ts [--entries 5000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { fieldStats } from '../../ui/src/components/explore/field-stats.js';
import { columnValue } from '../../ui/src/components/entry-fields.js';
import type { LogEntry } from '../../ui/src/types.js';

const { values: args } = parseArgs({ options: { entries: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '5' } } });
const N = Number(args.entries);
const ROUNDS = Number(args.rounds);

/** Half JSON, half logfmt; three labels (one with 20 values), unique trace ids and messages. */
function entries(): LogEntry[] {
  return Array.from({ length: N }, (_, i) => ({
    id: String(i),
    ts: String(1_700_000_000_000_000_000n + BigInt(i)),
    labels: { service: 'api', env: i % 2 ? 'prod' : 'dev', pod: `p${i % 20}` },
    metadata: { trace_id: `t${i}` },
    level: 'info',
    line:
      i % 2
        ? JSON.stringify({ level: 'info', msg: `request ${i}`, status: 200 + (i % 5), path: `/v1/items/${i % 100}`, user: { id: i % 7, name: `u${i % 50}` }, dur_ms: i % 300 })
        : `level=info method=GET path=/page/${i % 5} duration=${10 + (i % 90)}ms msg="served page ${i}"`,
  }));
}

const ms = (f: () => void): number => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

console.log(`${N.toLocaleString('en-US')} entries, ${ROUNDS} rounds (fresh entries each round, so every line is parsed again)`);
console.log('round | count, parsing every line (ms) | recount, lines cached (ms) | 3 column values of every entry (ms)');
for (let r = 1; r <= ROUNDS; r++) {
  const es = entries();
  const first = ms(() => fieldStats(es));
  const again = ms(() => fieldStats(es));
  const cols = ms(() => {
    for (const e of es) for (const c of ['pod', 'status', 'method']) columnValue(e, c);
  });
  console.log(`${r} | ${first.toFixed(1)} | ${again.toFixed(1)} | ${cols.toFixed(1)}`);
}
