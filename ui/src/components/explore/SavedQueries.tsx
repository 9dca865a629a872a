/**
 * Explore's Saved control: the tenant's saved queries, kept on the server and shared by everyone
 * who reads the tenant (`/api/v1/saved-queries`, docs/ui.md). The panel saves the query in the
 * editor (name, optional description, the range kept or not), lists the tenant's queries with a
 * search by name, opens one (its query and range, and runs it), renames and deletes. The
 * server's refusals (a taken name, a parse error, a missing scope) are shown beside the form or
 * the row they concern. Changing needs scope rules:write; without it the panel says so.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, getJson, getTenant, sendJson } from '../../api';
import { hasScope, parseMe } from '../auth/me';
import { describeRange } from '../../time';
import {
  SAVED_QUERIES_PATH,
  authorLine,
  filterSaved,
  nameProblem,
  openTarget,
  parseSavedList,
  parseSavedQuery,
  rangeLabel,
  saveBody,
  type ExploreView,
  type SavedQuery,
} from './saved-queries';
import './saved-queries.css';

interface Props extends ExploreView {
  onOpen: (target: { query: string; from?: string; to?: string }) => void;
}

const messageOf = (err: unknown): string => (err instanceof ApiError ? `${err.status ? `HTTP ${err.status}: ` : ''}${err.message}` : (err as Error).message);

export function SavedQueries({ query, from, to, onOpen }: Props) {
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<SavedQuery[] | undefined>();
  const [listError, setListError] = useState<string | undefined>();
  const [canWrite, setCanWrite] = useState(true);
  const [search, setSearch] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [keepRange, setKeepRange] = useState(true);
  const [saveError, setSaveError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const panel = useRef<HTMLDivElement>(null);

  const load = useCallback(async (): Promise<void> => {
    try {
      setList(parseSavedList(await getJson<unknown>(SAVED_QUERIES_PATH)));
      setListError(undefined);
    } catch (err) {
      setListError(messageOf(err));
    }
  }, []);

  // Each opening reads the list afresh (a teammate may have saved since), and whether we may change it.
  useEffect(() => {
    if (!open) return;
    void load();
    getJson<unknown>('/api/v1/auth/me').then(
      (me) => setCanWrite(hasScope(parseMe(me), 'rules:write')),
      () => setCanWrite(true), // the server decides; its 403 is shown if need be
    );
  }, [open, load]);

  // Escape or a click outside closes the panel.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
    };
    const onDown = (e: MouseEvent): void => {
      if (panel.current && !panel.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onDown);
    };
  }, [open]);

  const save = async (): Promise<void> => {
    const problem = nameProblem(name);
    if (problem) {
      setSaveError(problem);
      return;
    }
    setBusy(true);
    setSaveError(undefined);
    try {
      const q = parseSavedQuery(await sendJson<unknown>('POST', SAVED_QUERIES_PATH, saveBody({ name, description, keepRange }, { query, from, to })));
      setSaved(q ? `Saved “${q.name}”.` : 'Saved.');
      setName('');
      setDescription('');
      await load();
    } catch (err) {
      setSaveError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const shown = filterSaved(list ?? [], search);
  const now = Date.now();

  return (
    <div className="saved-queries" ref={panel}>
      {/* An icon, so the toolbar still fits one line at 1280 px. */}
      <button type="button" className="saved-toggle" aria-label="Saved queries" aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen((o) => !o)} title="Saved queries of this tenant, shared with everyone who reads it">
        {open ? '★' : '☆'}
      </button>
      {open && (
        <div className="saved-panel" role="dialog" aria-label="Saved queries">
          <form
            className="saved-form"
            aria-label="Save the current query"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <div className="saved-form-title">
              Save the query in the editor for tenant <b>{getTenant() || 'default'}</b>
            </div>
            <input aria-label="Name" placeholder="Name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} disabled={!canWrite} />
            <input aria-label="Description" placeholder="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} disabled={!canWrite} />
            <label className="saved-keep">
              <input type="checkbox" checked={keepRange} onChange={(e) => setKeepRange(e.target.checked)} disabled={!canWrite} />
              <span>Keep the time range ({describeRange(from, to, now)})</span>
            </label>
            <button type="submit" className="primary" disabled={!canWrite || busy || !query.trim()}>
              Save
            </button>
            {!canWrite && <div className="saved-note">Saving, renaming and deleting need scope rules:write; you can open the queries listed.</div>}
            {!query.trim() && canWrite && <div className="saved-note">Write a query first.</div>}
            {saveError && (
              <div className="saved-error" role="alert">
                {saveError}
              </div>
            )}
            {saved && !saveError && (
              <div className="saved-note" role="status">
                {saved}
              </div>
            )}
          </form>
          <input type="search" aria-label="Search saved queries" placeholder="Search by name" value={search} onChange={(e) => setSearch(e.target.value)} className="saved-search" />
          {listError && (
            <div className="saved-error" role="alert">
              {listError}
            </div>
          )}
          {list && list.length === 0 && <div className="saved-empty">No saved queries for this tenant yet{canWrite ? ': save the one in the editor above.' : '.'}</div>}
          {list && list.length > 0 && shown.length === 0 && <div className="saved-empty">No saved query has “{search}” in its name.</div>}
          <ul className="saved-list" aria-label="Saved queries list">
            {shown.map((q) => (
              <SavedRow
                key={q.id}
                q={q}
                now={now}
                canWrite={canWrite}
                onOpen={() => {
                  setOpen(false);
                  onOpen(openTarget(q));
                }}
                onChanged={load}
              />
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function SavedRow({ q, now, canWrite, onOpen, onChanged }: { q: SavedQuery; now: number; canWrite: boolean; onOpen: () => void; onChanged: () => Promise<void> }) {
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(q.name);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const path = `${SAVED_QUERIES_PATH}/${encodeURIComponent(q.id)}`;

  const rename = async (): Promise<void> => {
    const problem = nameProblem(newName);
    if (problem) {
      setError(problem);
      return;
    }
    try {
      await sendJson('PATCH', path, { name: newName.trim() });
      setRenaming(false);
      setError(undefined);
      await onChanged();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const remove = async (): Promise<void> => {
    try {
      await sendJson('DELETE', path);
      await onChanged();
    } catch (err) {
      setConfirming(false);
      setError(messageOf(err));
    }
  };

  return (
    <li className="saved-row" aria-label={q.name}>
      {renaming ? (
        <form
          className="saved-rename"
          onSubmit={(e) => {
            e.preventDefault();
            void rename();
          }}
        >
          <input aria-label={`New name for ${q.name}`} value={newName} onChange={(e) => setNewName(e.target.value)} autoFocus />
          <button type="submit">Rename</button>
          <button type="button" onClick={() => (setRenaming(false), setError(undefined), setNewName(q.name))}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="saved-row-head">
          <button type="button" className="saved-open" onClick={onOpen} aria-label={`Open ${q.name}`} title={`Open and run: ${q.query}`}>
            {q.name}
          </button>
          <span className="saved-meta">
            {rangeLabel(q, now)} · {authorLine(q)}
          </span>
        </div>
      )}
      <code className="saved-query-text">{q.query}</code>
      {q.description && <div className="saved-description">{q.description}</div>}
      {canWrite && !renaming && (
        <div className="saved-actions">
          <button type="button" onClick={() => (setRenaming(true), setConfirming(false))} aria-label={`Rename ${q.name}`}>
            Rename
          </button>
          {confirming ? (
            <>
              <button type="button" className="danger" onClick={() => void remove()} aria-label={`Really delete ${q.name}`}>
                Delete for everyone
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${q.name}`}>
              Delete…
            </button>
          )}
        </div>
      )}
      {error && (
        <div className="saved-error" role="alert">
          {error}
        </div>
      )}
    </li>
  );
}
