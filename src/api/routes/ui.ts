/**
 * The web UI (ui/, React + Vite, built into dist/ui by `npm install`/`npm run build`) and the
 * root path. `GET /` is shared with Elasticsearch's handshake: a browser (Accept: text/html)
 * gets the UI, every other client the Elasticsearch info document when this role ingests.
 * The UI's own pages are client-side routes, each answered with index.html so links work.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../context.js';
import { sendElasticsearchInfo, sendEsError } from './elasticsearch.js';
import { sendError } from '../error-handler.js';

/** dist/ui, from src/api/routes (tsx) and dist/api/routes (built) alike. */
export const UI_DIR = fileURLToPath(new URL('../../../dist/ui', import.meta.url));

/** Client-side routes of the UI (ui/src/router.ts). */
export const UI_PAGES = ['/explore', '/tail', '/alerts', '/overview'] as const;

export interface UiRouteOptions {
  /** Serve the UI (roles that answer queries). */
  ui: boolean;
  /** Answer Elasticsearch's handshake at `/` (roles that ingest). */
  elasticsearch: boolean;
  /** Where the built UI is; tests point it elsewhere. */
  dir?: string;
}

function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

export async function uiRoutes(app: FastifyInstance, ctx: AppContext, opts: UiRouteOptions): Promise<void> {
  const dir = opts.dir ?? UI_DIR;
  const built = opts.ui && existsSync(`${dir}/index.html`);
  let indexHtml: string | undefined;
  const sendIndex = (reply: FastifyReply): FastifyReply => {
    if (!built) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(`the web UI is not built: run \`npm run build\` (it writes ${dir}); the APIs under /loki/api/v1 work without it\n`);
    }
    indexHtml ??= readFileSync(`${dir}/index.html`, 'utf8');
    return reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(indexHtml);
  };

  // `GET /` from a non-browser is Elasticsearch's handshake: its refusals (401) in Elasticsearch's shape.
  app.setErrorHandler((err, req, reply) => (opts.elasticsearch && req.routeOptions.url === '/' && !wantsHtml(req) ? sendEsError(req, reply, err) : sendError(req, reply, err)));

  if (built) {
    // Vite names assets by content hash, so they can be cached for good.
    await app.register(fastifyStatic, { root: `${dir}/assets`, prefix: '/assets/', decorateReply: false, immutable: true, maxAge: '365d' });
  }

  app.get('/', async (req, reply) => {
    if (opts.ui && (wantsHtml(req) || !opts.elasticsearch)) return sendIndex(reply);
    if (opts.elasticsearch) return sendElasticsearchInfo(reply, ctx);
    return reply.status(404).type('text/plain').send('404 page not found: this role serves neither the web UI nor ingest\n');
  });
  if (opts.ui) {
    for (const page of UI_PAGES) {
      app.get(page, async (_req, reply) => sendIndex(reply));
      app.get(`${page}/*`, async (_req, reply) => sendIndex(reply));
    }
  }
}
