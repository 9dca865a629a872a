/**
 * Elasticsearch-compatible ingest: the `GET /` handshake that clients and shippers check before
 * they send (version and the `X-Elastic-Product` header), the bulk API, and the few endpoints
 * shippers probe before sending (license, cluster health, templates, ILM policies, nodes).
 * Every answer of these routes carries `X-Elastic-Product: Elasticsearch` and Elasticsearch's
 * shapes, errors included (`{"error":{"root_cause":[..],"type":..,"reason":..},"status":..}`).
 * Documented in docs/ingest-elasticsearch.md.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { queueOf } from './push.js';
import { isRefusal } from '../error-handler.js';
import { requestTenant } from '../auth-resolver.js';
import { LogSentinelError } from '../../errors.js';
import { nowNs } from '../../query/time.js';
import { rawBody, useRawBodies } from '../raw-body.js';
import { EsBulkRequestError, refuseBulkItems, type BulkItem } from '../../ingest/elasticsearch-bulk.js';
import { admitPush, pushOptions } from '../../limits/index.js';
import { admitPush as admitLoad } from '../push-admission.js';
import { decodePush } from '../decode.js';

/** The body of Elasticsearch's `GET /` (the root "info" API), announcing `ingest.elasticsearch.version`. */
export function elasticsearchInfo(ctx: AppContext): Record<string, unknown> {
  return {
    name: 'logsentinel',
    cluster_name: 'logsentinel',
    cluster_uuid: 'logsentinel',
    version: {
      number: ctx.config.ingest.elasticsearch.version,
      build_flavor: 'default',
      build_type: 'logsentinel',
      build_hash: 'logsentinel-' + ctx.version,
      build_date: '2026-01-01T00:00:00.000Z',
      build_snapshot: false,
      lucene_version: '9.12.0',
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

/** Answers the handshake; clients (the official ones, Beats, Logstash) refuse a server without the product header. */
export function sendElasticsearchInfo(reply: FastifyReply, ctx: AppContext, head = false): FastifyReply {
  reply.header('X-Elastic-Product', 'Elasticsearch').type('application/json; charset=UTF-8');
  return head ? reply.status(200).send() : reply.status(200).send(elasticsearchInfo(ctx));
}

const PROTOCOL = 'elasticsearch';

/** The error body Elasticsearch answers with. */
export function elasticsearchError(status: number, type: string, reason: string): Record<string, unknown> {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

let seqNo = 0;

/** Elasticsearch's bulk answer for `items` (request order). `_seq_no` counts up per process. */
export function bulkResponse(items: readonly BulkItem[], tookMs: number): Record<string, unknown> {
  let errors = false;
  const out = items.map((it) => {
    if (it.error !== undefined) {
      errors = true;
      return { [it.op]: { _index: it.index, _id: it.id, status: it.status, error: it.error } };
    }
    return {
      [it.op]: {
        _index: it.index,
        _id: it.id,
        _version: 1,
        result: 'created',
        _shards: { total: 1, successful: 1, failed: 0 },
        _seq_no: seqNo++,
        _primary_term: 1,
        status: it.status,
      },
    };
  });
  return { took: tookMs, errors, items: out };
}

/** The items that would have been stored, answered 429 instead (the others keep their own errors). */
export function rejectAccepted(items: readonly BulkItem[], reason: string): BulkItem[] {
  return items.map((it) => (it.error !== undefined ? it : { ...it, status: 429, error: { type: 'es_rejected_execution_exception', reason } }));
}

// ---- filter_path --------------------------------------------------------------------------------

const globCache = new Map<string, RegExp>();

function globMatch(pattern: string, key: string): boolean {
  if (!pattern.includes('*')) return pattern === key;
  let re = globCache.get(pattern);
  if (re === undefined) {
    re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(key);
}

function filterValue(v: unknown, patterns: string[][]): unknown {
  if (Array.isArray(v)) {
    // Arrays are transparent to paths, and elements left empty are dropped (as Elasticsearch does).
    const out = v.map((x) => filterValue(x, patterns)).filter((x) => x !== undefined);
    return out.length > 0 ? out : undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const k of Object.keys(o)) {
    let whole = false;
    const next: string[][] = [];
    for (const p of patterns) {
      let q = p;
      if (q[0] === '**') {
        if (q.length === 1) {
          whole = true;
          break;
        }
        next.push(q); // `**` may match deeper levels too
        q = q.slice(1);
      }
      if (!globMatch(q[0], k)) continue;
      if (q.length === 1) {
        whole = true;
        break;
      }
      next.push(q.slice(1));
    }
    if (whole) {
      out[k] = o[k];
      any = true;
    } else if (next.length > 0) {
      const r = filterValue(o[k], next);
      if (r !== undefined) {
        out[k] = r;
        any = true;
      }
    }
  }
  return any ? out : undefined;
}

/**
 * Elasticsearch's `filter_path` response filtering: comma-separated dotted paths with `*` and
 * `**` wildcards (`errors,items.*.error,items.*.status`, as Beats and Logstash send). Exclusions
 * (`-path`) are not supported and leave the answer unfiltered.
 */
export function applyFilterPath(body: Record<string, unknown>, filterPath: string | undefined): Record<string, unknown> {
  if (filterPath === undefined || filterPath.trim() === '') return body;
  const paths = filterPath.split(',').map((p) => p.trim()).filter(Boolean);
  if (paths.length === 0 || paths.some((p) => p.startsWith('-'))) return body;
  const r = filterValue(body, paths.map((p) => p.split('.')));
  return (r as Record<string, unknown> | undefined) ?? {};
}

// ---- routes -------------------------------------------------------------------------------------

/** Content type of an answer: the vendor type when the client asked for it (the v8/v9 clients do). */
function answerType(req: FastifyRequest): string {
  const accept = req.headers.accept ?? '';
  const m = /application\/vnd\.elasticsearch\+json\s*;\s*compatible-with\s*=\s*(\d+)/i.exec(accept);
  return m === null ? 'application/json; charset=UTF-8' : `application/vnd.elasticsearch+json; compatible-with=${m[1]}`;
}

function send(req: FastifyRequest, reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  const q = req.query as Record<string, string | undefined> | undefined;
  const out = status < 300 ? applyFilterPath(body, q?.filter_path) : body;
  // a Buffer, so Fastify leaves the content type exactly as Elasticsearch writes it
  return reply.status(status).header('content-type', answerType(req)).send(Buffer.from(JSON.stringify(out)));
}

function notFound(req: FastifyRequest, reply: FastifyReply, type: string, reason: string): FastifyReply {
  return send(req, reply, 404, elasticsearchError(404, type, reason));
}

/** Errors of these routes (and of `GET /` for non-browsers) in Elasticsearch's shape (the server's handler would answer Loki's plain text). */
export function sendEsError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  let status = 500;
  let type = 'exception';
  let reason = `internal error (request id ${req.id})`;
  if (err instanceof EsBulkRequestError) {
    status = err.status;
    type = err.esType;
    reason = err.message;
  } else if (err instanceof LogSentinelError) {
    status = err.status;
    reason = err.message;
    if (err.retryAfter !== undefined) reply.header('Retry-After', String(err.retryAfter));
    switch (err.code) {
      case 'QUEUE_FULL':
      case 'RATE_LIMITED':
        type = 'es_rejected_execution_exception';
        if (err.retryAfter === undefined) reply.header('Retry-After', '1');
        break;
      case 'PAYLOAD_TOO_LARGE':
        type = 'content_too_long_exception';
        break;
      case 'NOT_FOUND':
        type = 'resource_not_found_exception';
        break;
      case 'NOT_READY':
      case 'STORAGE_UNAVAILABLE':
      case 'STORAGE_FULL':
        type = 'unavailable_shards_exception';
        break;
      case 'UNAUTHENTICATED':
      case 'FORBIDDEN':
        type = 'security_exception';
        break;
      default:
        type = status < 500 ? (err.code === 'PUSH_INVALID' ? 'parse_exception' : 'illegal_argument_exception') : 'exception';
    }
  } else if (isFastifyError(err)) {
    status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      type = 'content_too_long_exception';
      reason = `cannot read request body: it is larger than the limit of ${req.routeOptions.bodyLimit ?? '?'} bytes`;
    } else if (status < 500) {
      type = 'illegal_argument_exception';
      reason = err.message;
    }
  }
  if (status >= 500 && !isRefusal(err)) req.log.error({ err }, 'request failed');
  else req.log.debug({ err: reason, status }, 'request rejected');
  // Errors raised before this scope's onRequest hook (authentication) still name the product.
  reply.header('X-Elastic-Product', 'Elasticsearch');
  return send(req, reply, status, elasticsearchError(status, type, reason));
}

function isFastifyError(err: unknown): err is FastifyError {
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string' && 'statusCode' in err;
}

/** Templates and policies shippers install before sending: kept (bounded, per process) and shown back; they change nothing. */
class SmallStore {
  private readonly m = new Map<string, unknown>();
  get(name: string): unknown {
    return this.m.get(name);
  }
  has(name: string): boolean {
    return this.m.has(name);
  }
  put(name: string, v: unknown): void {
    if (!this.m.has(name) && this.m.size >= 1000) this.m.delete(this.m.keys().next().value as string);
    this.m.set(name, v);
  }
  entries(): Array<[string, unknown]> {
    return [...this.m];
  }
}

const MAX_STORED_BODY = 1024 * 1024;

function jsonBody(req: FastifyRequest): unknown {
  const b = rawBody(req).data;
  if (b === undefined || b.length === 0) return {};
  if (b.length > MAX_STORED_BODY) throw new EsBulkRequestError('illegal_argument_exception', `cannot store ${req.url.split('?')[0]}: body is larger than ${MAX_STORED_BODY} bytes`);
  try {
    return JSON.parse(b.toString('utf8')) as unknown;
  } catch (err) {
    throw new EsBulkRequestError('parse_exception', `cannot parse request body: ${(err as Error).message}`);
  }
}

function matching(store: SmallStore, name: string | undefined): Array<[string, unknown]> {
  const all = store.entries();
  if (name === undefined || name === '' || name === '*' || name === '_all') return all;
  const pats = name.split(',');
  return all.filter(([k]) => pats.some((p) => globMatch(p, k)));
}

export async function elasticsearchRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const es = ctx.config.ingest.elasticsearch;
  // Bulk bodies stay raw (gzip and deflate undone while streaming): the decoder handles every content type.
  useRawBodies(app, ctx, 'bulk request');
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('X-Elastic-Product', 'Elasticsearch');
  });
  app.setErrorHandler((err, req, reply) => sendEsError(req, reply, err));

  const bulk = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const started = process.hrtime.bigint();
    queueOf(ctx, 'bulk request'); // 503 while the queue opens, before anything else
    const tenant = requestTenant(req);
    const body = rawBody(req);
    ctx.metrics.bytesReceived.inc({ protocol: PROTOCOL }, body.wireBytes);
    const { index } = req.params as { index?: string };
    let ticket;
    try {
      ticket = admitLoad(ctx, body.data.length, reply.elapsedTime);
    } catch (err) {
      if (!(err instanceof LogSentinelError) || err.code !== 'QUEUE_FULL') throw err;
      // Overload before decoding: only the action lines are read, each item answered 429.
      reply.header('Retry-After', String(err.retryAfter ?? 1));
      const items = refuseBulkItems(body.data, index, 429, { type: 'es_rejected_execution_exception', reason: err.message });
      return send(req, reply, 200, bulkResponse(items, Math.round(Number(process.hrtime.bigint() - started) / 1e6)));
    }
    try {
      const answered = await bulkAccepted(req, reply, body.data, body.contentEncoding, tenant, index, started);
      ticket.done();
      return answered;
    } finally {
      ticket.done(false);
    }
  };
  const bulkAccepted = async (req: FastifyRequest, reply: FastifyReply, data: Buffer, contentEncoding: string, tenant: string, index: string | undefined, started: bigint): Promise<FastifyReply> => {
    const queue = queueOf(ctx, 'bulk request');
    const { limits, grouper } = pushOptions(ctx, tenant);
    const res = await decodePush(
      ctx,
      {
        kind: 'es',
        contentEncoding,
        tenant,
        limits,
        nowNs: nowNs(),
        countBytes: grouper.countBytes,
        opts: {
          timestampField: es.timestampField,
          messageField: es.messageField,
          indexLabel: es.indexLabel,
          pathIndex: index,
          maxItems: es.maxItems,
          maxDepth: es.maxDepth,
          maxFields: es.maxFields,
        },
      },
      data,
      grouper.admitStream,
    );
    // Refusals counted by reason; over the tenant's rate the whole request is answered 429
    // es_rejected_execution_exception and nothing is appended.
    admitPush(ctx, tenant, PROTOCOL, res);
    let items = res.items ?? [];
    if (res.accepted > 0) {
      try {
        await queue.append(res.batch);
      } catch (err) {
        if (!(err instanceof LogSentinelError) || err.code !== 'QUEUE_FULL') throw err;
        // Overload: Elasticsearch's own answer when its write queue is full is a per-item 429
        // (es_rejected_execution_exception), which Beats, Logstash, Vector and Fluent Bit retry.
        reply.header('Retry-After', String(err.retryAfter ?? 1));
        items = rejectAccepted(items, err.message);
        const took = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
        return send(req, reply, 200, bulkResponse(items, took));
      }
      ctx.metrics.logsReceived.inc({ tenant, protocol: PROTOCOL }, res.accepted);
      ctx.metrics.processingLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
    const took = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
    return send(req, reply, 200, bulkResponse(items, took));
  };
  for (const url of ['/_bulk', '/:index/_bulk']) {
    app.post(url, bulk);
    app.put(url, bulk);
  }

  // ---- what shippers probe before sending -------------------------------------------------------
  const ok = (req: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>): FastifyReply => send(req, reply, 200, body);
  const license = {
    status: 'active',
    uid: '00000000-0000-4000-8000-000000000000',
    type: 'basic',
    issue_date: '2026-01-01T00:00:00.000Z',
    issue_date_in_millis: Date.UTC(2026, 0, 1),
    max_nodes: 1000,
    max_resource_units: null,
    issued_to: 'logsentinel',
    issuer: 'elasticsearch',
    start_date_in_millis: -1,
  };
  // Beats and Logstash refuse a server whose license they cannot read ("requires the default distribution").
  app.get('/_license', async (req, reply) => ok(req, reply, { license }));
  app.get('/_xpack', async (req, reply) =>
    ok(req, reply, {
      build: { hash: 'logsentinel-' + ctx.version, date: '2026-01-01T00:00:00.000Z' },
      license: { uid: license.uid, type: 'basic', mode: 'basic', status: 'active' },
      // ILM "available" so Beats' default setup proceeds; policies are kept and shown, not applied.
      features: {
        ilm: { available: true, enabled: true },
        monitoring: { available: false, enabled: false },
        security: { available: false, enabled: false },
      },
      tagline: 'You know, for X',
    }),
  );
  const health = (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const green = ctx.ready();
    return ok(req, reply, {
      cluster_name: 'logsentinel',
      status: green ? 'green' : 'red',
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      active_primary_shards: 0,
      active_shards: 0,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: 0,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: 100.0,
    });
  };
  app.get('/_cluster/health', async (req, reply) => health(req, reply));
  app.get('/_cluster/health/:index', async (req, reply) => health(req, reply));

  const nodes = (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const host = req.headers.host ?? `127.0.0.1:${ctx.config.server.port}`;
    return ok(req, reply, {
      _nodes: { total: 1, successful: 1, failed: 0 },
      cluster_name: 'logsentinel',
      nodes: {
        logsentinel: {
          name: 'logsentinel',
          host: host.replace(/:\d+$/, ''),
          version: es.version,
          roles: ['data', 'ingest', 'master'],
          http: { publish_address: host },
        },
      },
    });
  };
  app.get('/_nodes', async (req, reply) => nodes(req, reply));
  app.get('/_nodes/*', async (req, reply) => nodes(req, reply));

  // Index templates (composable `_index_template` and legacy `_template`) and ILM policies.
  const templates = new SmallStore();
  const legacyTemplates = new SmallStore();
  const policies = new SmallStore();
  const acknowledged = (req: FastifyRequest, reply: FastifyReply): FastifyReply => ok(req, reply, { acknowledged: true });

  app.head('/_index_template/:name', async (req, reply) => reply.status(templates.has((req.params as { name: string }).name) ? 200 : 404).send());
  app.get('/_index_template', async (req, reply) => ok(req, reply, { index_templates: matching(templates, undefined).map(([name, t]) => ({ name, index_template: t })) }));
  app.get('/_index_template/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    const found = matching(templates, name);
    if (found.length === 0) return notFound(req, reply, 'resource_not_found_exception', `index template matching [${name}] not found`);
    return ok(req, reply, { index_templates: found.map(([n, t]) => ({ name: n, index_template: t })) });
  });
  const putTemplate = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    templates.put((req.params as { name: string }).name, jsonBody(req));
    return acknowledged(req, reply);
  };
  app.put('/_index_template/:name', putTemplate);
  app.post('/_index_template/:name', putTemplate);

  app.head('/_template/:name', async (req, reply) => reply.status(legacyTemplates.has((req.params as { name: string }).name) ? 200 : 404).send());
  app.get('/_template/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    return ok(req, reply, Object.fromEntries(matching(legacyTemplates, name)));
  });
  const putLegacy = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    legacyTemplates.put((req.params as { name: string }).name, jsonBody(req));
    return acknowledged(req, reply);
  };
  app.put('/_template/:name', putLegacy);
  app.post('/_template/:name', putLegacy);

  const showPolicies = (found: Array<[string, unknown]>): Record<string, unknown> =>
    Object.fromEntries(found.map(([n, p]) => [n, { version: 1, modified_date: '2026-01-01T00:00:00.000Z', policy: (p as { policy?: unknown }).policy ?? {} }]));
  app.get('/_ilm/policy', async (req, reply) => ok(req, reply, showPolicies(matching(policies, undefined))));
  app.get('/_ilm/policy/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    const found = matching(policies, name);
    if (found.length === 0) return notFound(req, reply, 'resource_not_found_exception', `Lifecycle policy not found: ${name}`);
    return ok(req, reply, showPolicies(found));
  });
  app.put('/_ilm/policy/:name', async (req, reply) => {
    policies.put((req.params as { name: string }).name, jsonBody(req));
    return acknowledged(req, reply);
  });
}
