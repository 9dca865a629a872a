/**
 * Turns a batch of corpus lines into one push request body, in the protocol under test.
 * Entries of a batch get consecutive nanosecond timestamps from `baseNs`, so order is kept and
 * no two entries of a stream collide.
 */
import type { Labels } from '../model/labels.js';
import { encodeLokiPushJson, encodeLokiPushProtobuf, type LokiPushStream } from '../ingest/loki-push.js';
import type { CorpusLine } from './corpus.js';

export type LoadgenProtocol = 'loki-json' | 'loki-protobuf' | 'jsonlines';

export const LOADGEN_PROTOCOLS: readonly LoadgenProtocol[] = ['loki-json', 'loki-protobuf', 'jsonlines'];

export interface EncodedBatch {
  body: Buffer;
  contentType: string;
  lines: number;
}

function byStream(lines: readonly CorpusLine[], baseNs: bigint): LokiPushStream[] {
  const m = new Map<Labels, LokiPushStream>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let s = m.get(l.labels);
    if (s === undefined) {
      s = { stream: l.labels, values: [] };
      m.set(l.labels, s);
    }
    s.values.push([(baseNs + BigInt(i)).toString(), l.line]);
  }
  return [...m.values()];
}

/** The request body for `lines` in `protocol`. */
export function encodeBatch(protocol: LoadgenProtocol, lines: readonly CorpusLine[], baseNs: bigint): EncodedBatch {
  switch (protocol) {
    case 'loki-json':
      return { body: Buffer.from(encodeLokiPushJson(byStream(lines, baseNs))), contentType: 'application/json', lines: lines.length };
    case 'loki-protobuf':
      return { body: encodeLokiPushProtobuf(byStream(lines, baseNs)), contentType: 'application/x-protobuf', lines: lines.length };
    case 'jsonlines': {
      let out = '';
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        out += `{"_time":"${baseNs + BigInt(i)}","_msg":${JSON.stringify(l.line)}`;
        for (const k in l.labels) out += `,${JSON.stringify(k)}:${JSON.stringify(l.labels[k])}`;
        out += '}\n';
      }
      return { body: Buffer.from(out), contentType: 'application/x-ndjson', lines: lines.length };
    }
  }
}

/** The default push path of each protocol, used when the URL has none. */
export function defaultPath(protocol: LoadgenProtocol): string {
  return protocol === 'jsonlines' ? '/api/v1/push/jsonlines' : '/loki/api/v1/push';
}
