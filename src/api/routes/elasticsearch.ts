/**
 * Elasticsearch-compatible ingest: the `GET /` handshake that clients and shippers check before
 * they send (version and the `X-Elastic-Product` header).
 */
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../context.js';

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
