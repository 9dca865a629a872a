/**
 * A push body's decoding as plain data: which protocol's decoder, with which headers, tenant,
 * limits and options. Jobs are structured-cloneable, so the same job runs on the event loop
 * (small bodies) or in a decode worker (large ones, see decode-pool.ts) with the same result.
 */
import type { IngestLimits } from '../common/limits.js';
import type { GrouperOptions } from '../common/stream-grouper.js';
import type { DecodeResult } from '../common/validate.js';
import { decodeLokiPush } from '../loki-push.js';
import { decodeJsonLines } from '../jsonlines.js';
import { decodeOtlpLogs } from '../otlp/decode.js';
import type { OtlpLimits } from '../otlp/model.js';
import { decodeEsBulk, type BulkItem } from '../elasticsearch-bulk.js';

export interface DecodeJobBase {
  contentEncoding: string;
  tenant: string;
  limits: IngestLimits;
  nowNs: bigint;
  /** Count accepted bytes for the tenant's rate limit (GrouperOptions.countBytes). */
  countBytes?: boolean;
}

export type DecodeJob =
  | (DecodeJobBase & { kind: 'loki'; contentType?: string })
  | (DecodeJobBase & { kind: 'jsonlines'; streamFields?: string[] })
  | (DecodeJobBase & { kind: 'otlp'; contentType?: string; resourceLabels: ReadonlyMap<string, string>; otlpLimits: OtlpLimits })
  | (DecodeJobBase & {
      kind: 'es';
      opts: { timestampField: string; messageField: string; indexLabel: string; pathIndex?: string; maxItems: number; maxDepth: number; maxFields: number };
    });

/** What a decoder returns; Elasticsearch bulk adds its per-item answers. */
export type DecodeOutcome = DecodeResult & { items?: BulkItem[] };

/**
 * Runs the job's decoder over `body`; throws as that decoder does. `admitStream` (the per-tenant
 * stream limit) is a function, so it only exists on the event loop: a worker runs without it and
 * decodePush admits the decoded streams afterwards.
 */
export function runDecodeJob(job: DecodeJob, body: Buffer, admitStream?: GrouperOptions['admitStream']): DecodeOutcome {
  const grouper: GrouperOptions = { countBytes: job.countBytes, admitStream };
  switch (job.kind) {
    case 'loki':
      return decodeLokiPush(body, job.contentType, job.contentEncoding, job.tenant, job.limits, job.nowNs, grouper);
    case 'jsonlines':
      return decodeJsonLines(body, job.contentEncoding, job.tenant, job.limits, job.nowNs, { ...grouper, streamFields: job.streamFields });
    case 'otlp':
      return decodeOtlpLogs(body, job.contentType, job.contentEncoding, job.tenant, job.limits, job.nowNs, { ...grouper, resourceLabels: job.resourceLabels, limits: job.otlpLimits });
    case 'es':
      return decodeEsBulk(body, job.contentEncoding, job.tenant, job.limits, job.nowNs, { ...grouper, ...job.opts });
  }
}
