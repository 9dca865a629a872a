/**
 * Fuzz tests: mutated and random messages and byte streams through the parsers, the framer and
 * the batcher. Deterministic (seeded); the seed is in every assertion message. Checks: nothing
 * throws or hangs, a malformed message keeps its raw text, the framer never holds more than the
 * limit and returns exactly the messages it was given, and every message becomes one entry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { parseSyslog } from './message.js';
import { SyslogFramer } from './framing.js';
import { SyslogBatcher } from './batcher.js';
import { createMetrics } from '../../telemetry/metrics.js';
import { DEFAULT_INGEST_LIMITS } from '../common/limits.js';
import type { Queue } from '../../queue/queue.js';
import type { WriteBatch } from '../../model/entry.js';
import { rng } from '../../testing/seeded-random.js';

const SEED = Number(process.env.SYSLOG_FUZZ_SEED ?? 0x5eed);
const NOW = Date.UTC(2026, 10, 22, 7, 0, 0);


const SEEDS = [
  '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF\'su root\' failed',
  '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] msg',
  '<13>1 - - - - - [a b="c\\"d\\]"] x',
  '<34>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8',
  '<35>Nov 22 07:06:52 vm myapp[8759]: hello 3164',
  '<13>2026-11-22T07:00:01.5+00:00 host app[1]: hi',
  '<189>Nov 21 2026 10:00:00.250 router %SYS-5-CONFIG_I: Configured',
  '<13>myapp: hello',
];
const SPECIAL = ['<', '>', '[', ']', '"', '\\', ' ', '=', '-', ':', '1', '9', '0', '\n', '\r', '\0', '\uFEFF', 'é', '€', '😀', '\uD800', 'Feb 29 ', '2026-02-30T', '@'];

function mutate(r: () => number, s: string): string {
  let out = s;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (out.length + 1));
    switch (Math.floor(r() * 5)) {
      case 0: // insert a special token
        out = out.slice(0, at) + SPECIAL[Math.floor(r() * SPECIAL.length)] + out.slice(at);
        break;
      case 1: // delete a span
        out = out.slice(0, at) + out.slice(at + 1 + Math.floor(r() * 8));
        break;
      case 2: // truncate
        out = out.slice(0, at);
        break;
      case 3: // random code unit
        out = out.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + out.slice(at + 1);
        break;
      default: // duplicate a span
        out = out.slice(0, at) + out.slice(at, at + Math.floor(r() * 16)) + out.slice(at);
    }
  }
  return out;
}

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r() < 0.3 ? '<>[]" \n\r0123456789'.charCodeAt(Math.floor(r() * 19)) : Math.floor(r() * 256);
  return b;
}

test('fuzz: parsers never throw; a malformed message keeps its raw text', () => {
  const r = rng(SEED);
  let malformed = 0;
  const N = 100_000;
  for (let i = 0; i < N; i++) {
    const text = i % 5 === 4 ? randomBytes(r, Math.floor(r() * 200)).toString('utf8') : mutate(r, SEEDS[i % SEEDS.length]);
    const m = parseSyslog(text, NOW);
    assert.equal(typeof m.msg, 'string', `seed ${SEED} case ${i}`);
    if (m.error !== undefined) {
      malformed++;
      assert.equal(m.msg, text, `seed ${SEED} case ${i}: ${JSON.stringify(text)}`);
    } else {
      assert.ok(text.endsWith(m.msg), `seed ${SEED} case ${i}: MSG is the tail of the message`);
      if (m.ts !== undefined) assert.ok(m.ts >= 0n, `seed ${SEED} case ${i}: negative time`);
    }
    if (m.app !== undefined) assert.ok(m.app.length > 0 && m.app.length <= 48, `seed ${SEED} case ${i}: app ${m.app}`);
    if (m.hostname !== undefined) assert.ok(m.hostname.length > 0 && m.hostname.length <= 255, `seed ${SEED} case ${i}`);
  }
  assert.ok(malformed > N / 10, `only ${malformed} malformed of ${N}: the mutations are too gentle`);
});

test('fuzz: the framer returns exactly the messages it was given, in any chunking, within its memory bound', () => {
  const r = rng(SEED + 1);
  for (let round = 0; round < 10_000; round++) {
    const max = 16 + Math.floor(r() * 200);
    const msgs: string[] = [];
    const parts: Buffer[] = [];
    const want: Array<[string, boolean]> = [];
    const count = Math.floor(r() * 12);
    for (let k = 0; k < count; k++) {
      let m = mutate(r, SEEDS[Math.floor(r() * SEEDS.length)]).slice(0, Math.floor(r() * 300));
      const counted = r() < 0.5;
      if (!counted) {
        // newline framing: no terminators inside, and it must not look like a length or an empty line
        m = '<' + m.replace(/[\n\0]/g, '').replace(/\r+$/, '');
      } else if (m === '') {
        m = 'x';
      }
      msgs.push(m);
      const b = Buffer.from(m, 'utf8');
      parts.push(counted ? Buffer.concat([Buffer.from(`${b.length} `), b]) : Buffer.concat([b, Buffer.from(r() < 0.3 ? '\r\n' : r() < 0.5 ? '\0' : '\n')]));
      const cut = b.length > max;
      let kept = cut ? b.subarray(0, max) : b;
      if (cut) {
        // cut at a character boundary, as the framer does
        let end = max;
        while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
        kept = b.subarray(0, end);
      }
      want.push([kept.toString('utf8'), cut]);
    }
    const stream = Buffer.concat(parts);
    const fr = new SyslogFramer(max);
    const got: Array<[string, boolean]> = [];
    const emit = (m: Buffer, cut: boolean): void => {
      assert.ok(m.length <= max, `seed ${SEED} round ${round}: message over max`);
      got.push([m.toString('utf8'), cut]);
    };
    for (let i = 0; i < stream.length; ) {
      const step = 1 + Math.floor(r() * 64);
      fr.push(stream.subarray(i, i + step), emit);
      assert.ok(fr.pendingBytes <= max + 1, `seed ${SEED} round ${round}: pending over max`);
      i += step;
    }
    fr.end(emit);
    assert.deepEqual(got, want, `seed ${SEED} round ${round}: ${JSON.stringify(msgs)}`);
  }
});

test('fuzz: random byte streams through the framer: no throw, bounded, every non-empty line emitted', () => {
  const r = rng(SEED + 2);
  for (let round = 0; round < 10_000; round++) {
    const max = 8 + Math.floor(r() * 100);
    const stream = randomBytes(r, Math.floor(r() * 2000));
    const fr = new SyslogFramer(max);
    let n = 0;
    let bytes = 0;
    const emit = (m: Buffer): void => {
      assert.ok(m.length <= max, `seed ${SEED} round ${round}`);
      n++;
      bytes += m.length;
    };
    for (let i = 0; i < stream.length; ) {
      const step = 1 + Math.floor(r() * 100);
      fr.push(stream.subarray(i, i + step), emit);
      assert.ok(fr.pendingBytes <= max + 1);
      i += step;
    }
    fr.end(emit);
    assert.ok(bytes <= stream.length, `seed ${SEED} round ${round}: more bytes out than in`);
    if (stream.some((c) => c !== 10 && c !== 13 && c !== 0)) assert.ok(n > 0, `seed ${SEED} round ${round}: a stream with content yielded nothing`);
  }
});

test('fuzz: every message, however malformed, becomes exactly one entry', async () => {
  const r = rng(SEED + 3);
  const batches: WriteBatch[] = [];
  const queue: Queue = {
    name: 'fuzz',
    append: async (b) => void batches.push(b),
    consume: () => undefined,
    depth: () => 0,
    close: async () => undefined,
  };
  const metrics = createMetrics();
  const b = new SyslogBatcher({ queue, tenant: 't', limits: DEFAULT_INGEST_LIMITS, metrics, logger: pino({ level: 'silent' }), onFull: 'retry', maxEntries: 500 });
  const N = 30_000;
  for (let i = 0; i < N; i++) {
    const raw = i % 4 === 3 ? randomBytes(r, Math.floor(r() * 300)) : Buffer.from(mutate(r, SEEDS[i % SEEDS.length]), 'utf8');
    b.add(raw, r() < 0.05, '10.0.0.' + (i % 3), i % 2 === 0 ? 'tcp' : 'udp');
    if (b.full) await b.whenRoom();
  }
  await b.close();
  const entries = batches.reduce((n, x) => n + x.streams.reduce((k, s) => k + s.entries.length, 0), 0);
  assert.equal(entries, N, `seed ${SEED}`);
  const rejected = (await metrics.logsRejected.get()).values.reduce((n, v) => n + v.value, 0);
  assert.equal(rejected, 0);
  const malformed = (await metrics.syslogMalformed.get()).values.reduce((n, v) => n + v.value, 0);
  assert.ok(malformed > 0);
  // a message kept raw says why
  for (const x of batches) for (const s of x.streams) for (const e of s.entries) if (s.labels.app === 'unknown') assert.ok(e.metadata?.syslog_error !== undefined, e.line);
});
