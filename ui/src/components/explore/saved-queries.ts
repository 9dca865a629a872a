/**
 * Saved queries, the model behind Explore's Saved control (SavedQueries.tsx): what the server's
 * `/api/v1/saved-queries` answers (docs/ui.md), the body a save sends, the search, and where
 * opening one goes. Pure, so it is tested under node (test/ui/saved-queries.test.ts).
 */
import { describeRange } from '../../time.js';

export const SAVED_QUERIES_PATH = '/api/v1/saved-queries';
/** The server's bound on names (src/saved-queries/saved-query.ts); checked here too, to say so before sending. */
export const MAX_NAME_LENGTH = 100;

export interface SavedRange {
  from: string;
  to: string;
}

export interface SavedQuery {
  id: string;
  name: string;
  query: string;
  description: string;
  range: SavedRange | null;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

/** The save form. */
export interface SaveForm {
  name: string;
  description: string;
  keepRange: boolean;
}

/** What Explore shows: the query in the editor and the range of the URL. */
export interface ExploreView {
  query: string;
  from: string;
  to: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One saved query of the server's answer, checked field by field; undefined when malformed. */
export function parseSavedQuery(v: unknown): SavedQuery | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const id = str(o.id);
  const name = str(o.name);
  const query = str(o.query);
  if (!id || name === undefined || query === undefined) return undefined;
  const r = o.range as Record<string, unknown> | null | undefined;
  const range = r && typeof r === 'object' && str(r.from) && str(r.to) ? { from: String(r.from), to: String(r.to) } : null;
  return {
    id,
    name,
    query,
    description: str(o.description) ?? '',
    range,
    createdAt: str(o.createdAt) ?? '',
    createdBy: str(o.createdBy) ?? null,
    updatedAt: str(o.updatedAt) ?? '',
    updatedBy: str(o.updatedBy) ?? null,
  };
}

/** The list answer `{"savedQueries": [...]}`; malformed entries are left out. */
export function parseSavedList(v: unknown): SavedQuery[] {
  const list = (v as { savedQueries?: unknown } | null)?.savedQueries;
  if (!Array.isArray(list)) throw new Error(`cannot read ${SAVED_QUERIES_PATH}: the answer has no savedQueries list`);
  return list.map(parseSavedQuery).filter((q): q is SavedQuery => q !== undefined);
}

/** The saved queries whose name contains every word of `search`, case-insensitively, in the server's order. */
export function filterSaved(list: readonly SavedQuery[], search: string): SavedQuery[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...list];
  return list.filter((q) => {
    const name = q.name.toLowerCase();
    return words.every((w) => name.includes(w));
  });
}

/** Why a name cannot be sent, or undefined. */
export function nameProblem(name: string): string | undefined {
  const n = name.trim();
  if (n === '') return 'Give the query a name.';
  if ([...n].length > MAX_NAME_LENGTH) return `The name is longer than ${MAX_NAME_LENGTH} characters.`;
  return undefined;
}

/** The POST body for saving `view` with `form`; the range only when it is kept. */
export function saveBody(form: SaveForm, view: ExploreView): { name: string; query: string; description?: string; range?: SavedRange } {
  const body: { name: string; query: string; description?: string; range?: SavedRange } = { name: form.name.trim(), query: view.query.trim() };
  const d = form.description.trim();
  if (d) body.description = d;
  if (form.keepRange) body.range = { from: view.from, to: view.to };
  return body;
}

/** Where opening a saved query goes: its query, and its range when it kept one (else the current range stays). */
export function openTarget(q: SavedQuery): { query: string; from?: string; to?: string } {
  return q.range ? { query: q.query, from: q.range.from, to: q.range.to } : { query: q.query };
}

/** The saved range as a person reads it, or that opening keeps the current range. */
export function rangeLabel(q: SavedQuery, nowMs: number): string {
  return q.range ? describeRange(q.range.from, q.range.to, nowMs) : 'current range';
}

/** `by ann, 2026-12-05` — who changed it last, and when (the day, UTC). */
export function authorLine(q: SavedQuery): string {
  const who = q.updatedBy ?? q.createdBy;
  const day = (q.updatedAt || q.createdAt).slice(0, 10);
  return [who ? `by ${who}` : '', day].filter(Boolean).join(', ');
}
