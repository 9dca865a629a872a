/** The address of Loki's tail WebSocket for a query, on the page's own host. */

export interface TailUrlParams {
  query: string;
  /** Entries from storage sent first (the server's default is 100). */
  limit: number;
  /** Nanoseconds since the epoch, as a decimal string. */
  startNs: string;
  /** The tenant(s) (`a|b`), sent as `orgId`: browsers cannot set X-Scope-OrgID on a WebSocket. */
  tenant?: string;
}

/** `http:` pages get `ws:`, `https:` pages `wss:`. */
export function tailUrl(page: { protocol: string; host: string }, p: TailUrlParams): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const qs = new URLSearchParams({ query: p.query, limit: String(p.limit), start: p.startNs });
  if (p.tenant) qs.set('orgId', p.tenant);
  return `${scheme}//${page.host}/loki/api/v1/tail?${qs.toString()}`;
}

/** Milliseconds since the epoch as nanoseconds (decimal string). */
export function msToNs(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n).toString();
}
