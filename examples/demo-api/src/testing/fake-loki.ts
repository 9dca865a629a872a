/**
 * A stand-in for LogSentinel's push endpoint that records what arrives, for tests that need to see
 * the exact requests pino-loki makes (headers, labels, batching) rather than the stored result.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LokiPush {
  path: string;
  headers: IncomingHttpHeaders;
  streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>;
}

export interface FakeLoki {
  /** Base URL with a trailing slash, as config.ts produces it. */
  url: string;
  pushes: LokiPush[];
  /** Every pushed entry as [stream labels, parsed JSON line], in arrival order. */
  entries(): Array<{ labels: Record<string, string>; line: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startFakeLoki(): Promise<FakeLoki> {
  const pushes: LokiPush[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { streams: LokiPush['streams'] };
      pushes.push({ path: req.url ?? '', headers: req.headers, streams: body.streams });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    pushes,
    entries() {
      return pushes.flatMap((p) => p.streams.flatMap((s) => s.values.map((v) => ({ labels: s.stream, line: JSON.parse(v[1]) as Record<string, unknown> }))));
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
