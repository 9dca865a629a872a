/**
 * Decodes large push bodies on worker threads, so that parsing a 10 MB JSON or protobuf body
 * (hundreds of milliseconds) does not hold the event loop that serves every other request.
 * Bodies up to `inlineMaxBytes` are decoded on the event loop: for them a worker's round trip
 * costs more than it saves. Jobs wait in FIFO order for a free worker; a worker that dies fails
 * its job (500) and is replaced.
 *
 * Contract: `decode(job, body)` resolves with what `runDecodeJob(job, body)` returns, or rejects
 * with the error it throws (the catalogue's classes are kept, see worker-error.ts). The pool
 * copies `body`; the caller keeps it.
 */
import { Worker } from 'node:worker_threads';
import { LogSentinelError } from '../../errors.js';
import { runDecodeJob, type DecodeJob, type DecodeOutcome } from './decode-job.js';
import { unpackOutcome, type PackedOutcome } from './packed-outcome.js';
import { deserializeError, type SerializedError } from './worker-error.js';

export interface DecodePoolOptions {
  /** Worker threads (0 = decode everything on the event loop). */
  workers: number;
  /** Bodies up to this many bytes are decoded on the event loop. */
  inlineMaxBytes: number;
}

interface Pending {
  resolve: (o: DecodeOutcome | Promise<DecodeOutcome>) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy?: { id: number; pending: Pending };
}

type Reply = { id: number; ok: PackedOutcome } | { id: number; err: SerializedError };

/** The worker's own file beside this one: `.js` when built, `.ts` when run from source with tsx. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './decode-worker.ts' : './decode-worker.js', import.meta.url);

function startWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  // tsx's loader hooks (`--import tsx`) do not reach worker threads: register them there first.
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true });
}

export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Array<{ job: DecodeJob; body: Buffer; pending: Pending }> = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: DecodePoolOptions) {
    for (let i = 0; i < opts.workers; i++) this.slots.push(this.spawn());
  }

  /** Whether a body of `bytes` goes to a worker (else `decode` runs it on the event loop). */
  offloads(bytes: number): boolean {
    return this.slots.length > 0 && bytes > this.opts.inlineMaxBytes;
  }

  async decode(job: DecodeJob, body: Buffer): Promise<DecodeOutcome> {
    if (!this.offloads(body.length)) return runDecodeJob(job, body);
    return new Promise<DecodeOutcome>((resolve, reject) => {
      this.queue.push({ job, body, pending: { resolve, reject } });
      this.dispatch();
    });
  }

  /** Jobs waiting for a worker (for tests and metrics). */
  waiting(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.pending.reject(new LogSentinelError('NOT_READY', 'cannot decode push: server is shutting down', { retryAfter: 1 }));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = startWorker();
    // The pool must not keep the process alive on its own.
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (m: Reply) => {
      const busy = slot.busy;
      if (!busy || busy.id !== m.id) return;
      slot.busy = undefined;
      if ('ok' in m) busy.pending.resolve(unpackOutcome(m.ok));
      else busy.pending.reject(deserializeError(m.err));
      this.dispatch();
    });
    worker.on('error', (err) => this.replace(slot, err));
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(slot, new Error(`decode worker exited with code ${code}`));
    });
    return slot;
  }

  private replace(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    slot.busy?.pending.reject(new LogSentinelError('INTERNAL', `cannot decode push: ${err.message}`, { cause: err }));
    slot.busy = undefined;
    void slot.worker.terminate();
    if (this.closed) return;
    this.slots[i] = this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      const id = this.nextId++;
      slot.busy = { id, pending: next.pending };
      // The body is copied into the message (a Buffer may share its memory with others).
      slot.worker.postMessage({ id, job: next.job, body: next.body });
    }
  }
}
