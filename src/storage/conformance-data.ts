/**
 * The known data set every storage backend's conformance run writes; the LogQL queries over it,
 * with their known answers, are in src/query/testing/. Output label sets there follow LogSentinel's documented rule: the detected
 * level appears as label `level` (like structured metadata) and as `detected_level` (Loki 3's
 * structured metadata, docs/ingest.md), parsed labels are added, and
 * structured metadata is part of the label set (Loki's legacy, non-categorized response).
 */
import type { WriteBatch } from '../model/entry.js';
import type { Level } from '../model/level.js';
import { labelsToString, sortLabels, streamId, type Labels } from '../model/labels.js';

/** 2026-01-01T00:00:00Z */
export const BASE_TS = 1_767_225_600_000_000_000n;
const sec = (n: number): bigint => BASE_TS + BigInt(n) * 1_000_000_000n;

export const LINES = {
  webGet: 'level=info method=GET path=/ status=200 duration=12ms size=512',
  webPost: 'level=error method=POST path=/login status=500 duration=1.5s size=2KB',
  webJson: '{"level":"warn","msg":"slow request","latency_ms":850,"user":{"id":"u1","name":"ann"}}',
  webAccess: '10.0.0.1 - - "GET /health HTTP/1.1" 200 15',
  dbDeadlock: 'ERROR deadlock detected on table orders',
  dbCheckpoint: 'INFO checkpoint complete: wrote 120 buffers',
  devCache: 'level=debug msg="cache miss" key=user:42',
  dbFatal: '\u001b[31mFATAL\u001b[0m disk full',
  t2: 'level=info other tenant line',
  ptError: 'disk quota exceeded',
  ptInfo: 'rotated logs',
};

function stream(tenant: string, labels: Labels, entries: Array<[number, string, Level, Record<string, string>?]>): WriteBatch {
  const l = sortLabels(labels);
  return {
    tenant,
    streams: [{ labels: l, key: labelsToString(l), id: streamId(tenant, l), entries: entries.map(([s, line, level, metadata]) => ({ ts: sec(s), line, level, metadata })) }],
  };
}

export function conformanceDataset(): WriteBatch[] {
  return [
    stream('t1', { app: 'web', env: 'prod' }, [
      [1, LINES.webGet, 'info'],
      [2, LINES.webPost, 'error'],
      [3, LINES.webJson, 'warn'],
      [4, LINES.webAccess, 'info'],
    ]),
    stream('t1', { app: 'db', env: 'prod' }, [
      [5, LINES.dbDeadlock, 'error'],
      [6, LINES.dbCheckpoint, 'info'],
      [8, LINES.dbFatal, 'critical'],
    ]),
    stream('t1', { app: 'web', env: 'dev' }, [[7, LINES.devCache, 'debug', { trace_id: 'abc' }]]),
    stream('t2', { app: 'web', env: 'prod' }, [[1, LINES.t2, 'info']]),
    // Streams whose client sends `level` as a stream label (Promtail, pino-loki, winston-loki).
    stream('t1', { app: 'promtail', level: 'ERROR' }, [[9, LINES.ptError, 'error']]),
    stream('t1', { app: 'promtail', level: 'info' }, [[10, LINES.ptInfo, 'info']]),
  ];
}
