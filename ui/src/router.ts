/**
 * A tiny router over the History API: the page is the path, its state lives in the query
 * string, so every view is a link. Pages read `useLocation()` and change it with `navigate`.
 */
import { useSyncExternalStore } from 'react';

export type PageName = 'explore' | 'tail' | 'alerts' | 'overview' | 'admin';
/** `scope`: the page is listed only for credentials with it (docs/specs/auth.md). */
export const PAGES: { name: PageName; path: string; title: string; scope?: 'admin' }[] = [
  { name: 'explore', path: '/explore', title: 'Explore' },
  { name: 'tail', path: '/tail', title: 'Live tail' },
  { name: 'alerts', path: '/alerts', title: 'Alerts' },
  { name: 'overview', path: '/overview', title: 'Overview' },
  { name: 'admin', path: '/admin', title: 'Admin', scope: 'admin' },
];

const listeners = new Set<() => void>();
function notify(): void {
  for (const l of listeners) l();
}
window.addEventListener('popstate', notify);

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
const snapshot = (): string => window.location.pathname + window.location.search;

export interface Location {
  page: PageName;
  /** The whole path, for pages with views below their own path (`/alerts/rule/...`); still %-encoded. */
  pathname: string;
  params: URLSearchParams;
}

export function pageOf(pathname: string): PageName {
  const p = PAGES.find((pg) => pathname === pg.path || pathname.startsWith(pg.path + '/'));
  return p ? p.name : 'explore';
}

export function useLocation(): Location {
  const s = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(s, window.location.origin);
  return { page: pageOf(url.pathname), pathname: url.pathname, params: url.searchParams };
}

/** Goes to `path` with `params`; `replace` rewrites the current history entry (state tweaks, not new views). */
export function navigate(path: string, params?: Record<string, string | undefined> | URLSearchParams, replace = false): void {
  const qs = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const target = path + (qs.toString() ? '?' + qs.toString() : '');
  if (target === snapshot()) return;
  if (replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  notify();
}

/** A link to `path?params` for anchors (so middle-click and copy-link work). */
export function href(path: string, params?: Record<string, string | undefined>): string {
  const qs = new URLSearchParams(Object.entries(params ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  return path + (qs.toString() ? '?' + qs.toString() : '');
}
