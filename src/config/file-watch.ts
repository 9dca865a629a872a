/**
 * Watching files that may change under a running server: TLS certificates and keys, the
 * per-tenant overrides file. `check` is called shortly after a change is seen and every
 * `intervalMs` anyway, because watches miss changes: Kubernetes updates a mounted Secret or
 * ConfigMap by swapping a `..data` symlink in the directory, editors replace files by rename, and
 * some filesystems (NFS, overlay) report nothing. `check` compares contents itself and must not
 * throw; calls never overlap.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface FileWatchOptions {
  /** Poll period besides the watches. */
  intervalMs: number;
  /** Changes arriving within this long are checked once (a certificate and its key, written one after the other). */
  debounceMs?: number;
}

/** Calls `check` when the files (or their directories) change and every `intervalMs`; returns the stop function. */
export function watchFiles(paths: readonly string[], opts: FileWatchOptions, check: () => Promise<void> | void): () => void {
  const debounceMs = opts.debounceMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = Promise.resolve()
      .then(check)
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const soon = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
    timer.unref();
  };
  const watchers: FSWatcher[] = [];
  // The directory, not the file: a file replaced by rename (or a swapped symlink) ends a file watch.
  for (const dir of new Set(paths.map((p) => dirname(resolve(p))))) {
    try {
      const w = watch(dir, { persistent: false }, soon);
      w.on('error', () => undefined); // the directory went away; polling still sees its return
      watchers.push(w);
    } catch {
      // a directory that does not exist (yet): polling covers it
    }
  }
  const poll = setInterval(run, opts.intervalMs);
  poll.unref();
  return () => {
    stopped = true;
    clearInterval(poll);
    if (timer !== undefined) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
