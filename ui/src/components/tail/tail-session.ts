/**
 * One live tail: the WebSocket, its reconnections and what the page shows. Framework-free so the
 * React hook (use-tail.ts) only subscribes to snapshots.
 *
 * Contract: `start` replaces any running tail (fresh buffer); `stop` closes the socket and keeps
 * the entries on screen; `pause` keeps receiving into the buffer but freezes the snapshot's
 * entries, counting what arrived meanwhile. Calls never overlap (the browser's event loop);
 * events of a replaced socket are ignored.
 */
import { TailBuffer, type LogEntry, type TailMessage } from './tail-buffer.js';
import { RateMeter } from './rate-meter.js';
import { Reconnector, shouldRetry } from './reconnect.js';
import { msToNs, tailUrl } from './tail-url.js';
import { formatClockNs, formatCount } from '../overview/format.js';
import { probe } from '../../api.js';
import { apiErrorMessage } from '../auth/error-message.js';

/** Entries from storage a fresh tail starts with (Loki's default). */
export const INITIAL_LIMIT = 100;
/** Entries a resumed tail may catch up with; more than this in the gap are reported as missing. */
export const RESUME_LIMIT = 1000;
/** How far back a fresh tail's first entries may come from. */
const INITIAL_LOOKBACK_MS = 3_600_000;

export type TailStatus =
  | { kind: 'stopped' }
  | { kind: 'connecting'; attempt: number }
  | { kind: 'live'; sinceMs: number }
  | { kind: 'waiting'; attempt: number; retryAtMs: number; reason: string }
  | { kind: 'failed'; reason: string };

export interface TailNotice {
  id: number;
  kind: 'dropped' | 'lost' | 'reconnected' | 'gap';
  text: string;
  atMs: number;
}

export interface TailSnapshot {
  query: string;
  status: TailStatus;
  /** Newest first; frozen while paused. */
  entries: LogEntry[];
  paused: boolean;
  /** Entries received since pausing. */
  newWhilePaused: number;
  /** Lines per second arriving live (not counting the entries from storage a connection starts with). */
  rate: number;
  /** Entries held (may exceed `entries.length` while paused). */
  kept: number;
  cap: number;
  /** Entries removed because the cap was reached. */
  evicted: number;
  /** Entries the server reported dropping. */
  droppedByServer: number;
  notices: TailNotice[];
}

const MAX_NOTICES = 5;

/** What a WebSocket close code means, for people (RFC 6455 §7.4.1 and the IANA registry). */
const CLOSE_MEANING: Record<number, string> = {
  1001: 'the server is going away',
  1005: 'the server closed it',
  1006: 'the connection dropped',
  1011: 'the server failed',
  1012: 'the server is restarting',
  1013: 'the server is overloaded',
};

function reasonOf(ev: CloseEvent): string {
  const meaning = ev.reason || CLOSE_MEANING[ev.code] || 'closed';
  return `${meaning}, code ${ev.code}`;
}

/** Epoch milliseconds as a local "HH:MM:SS". */
export function clockTime(ms: number): string {
  return formatClockNs(msToNs(ms)).slice(0, 8);
}

export class TailSession {
  private ws: WebSocket | undefined;
  private retryTimer: number | undefined;
  private tickTimer: number | undefined;
  private buffer: TailBuffer;
  private meter = new RateMeter(Date.now());
  private reconnector = new Reconnector();
  private listeners = new Set<() => void>();
  private snap: TailSnapshot;
  private frozen: LogEntry[] | undefined;
  private newWhilePaused = 0;
  private notices: TailNotice[] = [];
  private noticeSeq = 0;
  private status: TailStatus = { kind: 'stopped' };
  private query = '';
  private firstStartNs = '0';

  /** `tenant`: sent as `orgId` (the page's tenant box); empty = the server's default tenant. */
  constructor(
    cap: number,
    private readonly tenant = '',
  ) {
    this.buffer = new TailBuffer(cap);
    this.snap = this.build();
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  snapshot = (): TailSnapshot => this.snap;

  start(query: string): void {
    this.teardown();
    this.query = query;
    this.buffer = new TailBuffer(this.buffer.cap);
    this.meter.reset(Date.now());
    this.reconnector.reset();
    this.notices = [];
    this.frozen = undefined;
    this.newWhilePaused = 0;
    this.firstStartNs = msToNs(Date.now() - INITIAL_LOOKBACK_MS);
    this.connect(false);
    this.tickTimer = window.setInterval(() => this.emit(), 1000);
    this.emit();
  }

  stop(): void {
    this.teardown();
    if (this.status.kind !== 'failed') this.status = { kind: 'stopped' };
    this.emit();
  }

  pause(): void {
    if (this.frozen) return;
    this.frozen = this.buffer.view();
    this.newWhilePaused = 0;
    this.emit();
  }

  resume(): void {
    this.frozen = undefined;
    this.newWhilePaused = 0;
    this.emit();
  }

  clear(): void {
    this.buffer.clear();
    if (this.frozen) this.frozen = [];
    this.emit();
  }

  setCap(cap: number): void {
    this.buffer.setCap(cap);
    this.emit();
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.emit();
  }

  /** Closes everything for good (the page unmounts). */
  dispose(): void {
    this.teardown();
    this.listeners.clear();
  }

  private teardown(): void {
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.tickTimer);
    this.retryTimer = undefined;
    this.tickTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'stopped by the user');
  }

  private connect(resume: boolean): void {
    const from = resume ? this.buffer.resumeFromNs() : undefined;
    const url = tailUrl(window.location, { query: this.query, limit: from ? RESUME_LIMIT : INITIAL_LIMIT, startNs: from ?? this.firstStartNs, tenant: this.tenant });
    const ws = new WebSocket(url);
    this.ws = ws;
    this.status = { kind: 'connecting', attempt: this.reconnector.attempt };
    let openedAtMs = 0;
    let first = true;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      openedAtMs = Date.now();
      this.reconnector.opened(openedAtMs);
      this.status = { kind: 'live', sinceMs: openedAtMs };
      if (resume) {
        // One notice per outage: the "lost" one becomes "lost, then reconnected".
        const last = this.notices[this.notices.length - 1];
        const lost = last?.kind === 'lost' ? `${last.text.replace(/ Reconnecting.*$/, '')} ` : '';
        if (lost) this.notices = this.notices.slice(0, -1);
        this.notice('reconnected', `${lost}Reconnected at ${clockTime(openedAtMs)}${from ? `; resumed after ${formatClockNs(from)}, the last entry received` : ''}.`);
      }
      this.emit();
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      if (this.ws !== ws) return;
      let msg: TailMessage;
      try {
        msg = JSON.parse(ev.data) as TailMessage;
      } catch {
        return;
      }
      const values = (msg.streams ?? []).reduce((n, s) => n + (s.values?.length ?? 0), 0);
      const res = this.buffer.add(msg);
      // The entries from storage a connection starts with are history, not arrivals.
      const openedNs = BigInt(msToNs(openedAtMs - 1000));
      const history = first && (msg.streams ?? []).every((s) => (s.values ?? []).every((v) => BigInt(v[0]) < openedNs));
      if (!history) this.meter.add(Date.now(), res.added);
      if (first && resume && values >= RESUME_LIMIT) {
        this.notice('gap', `More than ${formatCount(RESUME_LIMIT)} entries arrived while disconnected; only the newest ${formatCount(RESUME_LIMIT)} are shown. Open the query in Explore for the rest.`);
      }
      first = false;
      if (this.frozen) this.newWhilePaused += res.added;
      if (res.dropped > 0) {
        const last = this.notices[this.notices.length - 1];
        const total = this.buffer.droppedByServer;
        const text = `The server dropped ${formatCount(total)} ${total === 1 ? 'entry' : 'entries'}: this tail fell behind. Narrow the query, or search the time range in Explore.`;
        if (last?.kind === 'dropped') this.notices = [...this.notices.slice(0, -1), { ...last, text, atMs: Date.now() }];
        else this.notice('dropped', text);
      }
      this.emit();
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (!shouldRetry(ev.code)) {
        this.fail(`The server closed the tail: ${reasonOf(ev)}.`);
        return;
      }
      if (openedAtMs === 0) {
        // The upgrade was refused: ask over plain HTTP why, since a browser WebSocket cannot tell.
        void this.whyRefused(url).then((why) => {
          if (this.query === '' || this.ws !== undefined || this.status.kind === 'stopped') return;
          if (why) this.fail(why);
          else this.retry(`cannot connect (${reasonOf(ev)})`);
        });
        return;
      }
      this.retry(`connection lost (${reasonOf(ev)})`);
    };
  }

  private async whyRefused(wsUrl: string): Promise<string | undefined> {
    try {
      // probe: a 401 here means the session ended, and the app shows the login page.
      const res = await probe(wsUrl.replace(/^ws/, 'http'));
      if (res.status >= 400 && res.status < 500 && res.status !== 404) return `The server refused the tail: ${apiErrorMessage(res.text) || `HTTP ${res.status}`}`;
    } catch {
      // unreachable: retried below like any other failure
    }
    return undefined;
  }

  private retry(reason: string): void {
    const delay = this.reconnector.closed(Date.now());
    const retryAtMs = Date.now() + delay;
    this.status = { kind: 'waiting', attempt: this.reconnector.attempt, retryAtMs, reason };
    const at = this.buffer.resumeFromNs();
    const last = this.notices[this.notices.length - 1];
    const text = `${reason[0].toUpperCase()}${reason.slice(1)} at ${clockTime(Date.now())}. Reconnecting with backoff${at ? `; will resume after ${formatClockNs(at)}` : ''}.`;
    // Failed attempts during one outage update its notice rather than pile up.
    if (last?.kind === 'lost') this.notices = [...this.notices.slice(0, -1), { ...last, text: `${last.text.replace(/ Reconnecting.*$/, '')} Reconnecting with backoff (attempt ${this.reconnector.attempt + 1} next)…` }];
    else this.notice('lost', text);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect(true);
      this.emit();
    }, delay);
    this.emit();
  }

  private fail(reason: string): void {
    this.teardown();
    this.status = { kind: 'failed', reason };
    this.emit();
  }

  private notice(kind: TailNotice['kind'], text: string): void {
    this.notices = [...this.notices, { id: ++this.noticeSeq, kind, text, atMs: Date.now() }].slice(-MAX_NOTICES);
  }

  private build(): TailSnapshot {
    return {
      query: this.query,
      status: this.status,
      entries: this.frozen ?? this.buffer.view(),
      paused: this.frozen !== undefined,
      newWhilePaused: this.newWhilePaused,
      rate: this.status.kind === 'stopped' || this.status.kind === 'failed' ? 0 : this.meter.perSecond(Date.now()),
      kept: this.buffer.size,
      cap: this.buffer.cap,
      evicted: this.buffer.evicted,
      droppedByServer: this.buffer.droppedByServer,
      notices: this.notices,
    };
  }

  private emit(): void {
    this.snap = this.build();
    for (const l of this.listeners) l();
  }
}
