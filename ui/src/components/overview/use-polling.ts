/**
 * Fetches on mount, whenever `key` changes, on `refresh()`, and every `intervalMs` (0 = never)
 * while the tab is visible. A newer request aborts an older one, so answers never arrive out of
 * order; the last good data stays shown while a refresh fails, next to the error.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** True until the first answer (or error) for the current key. */
  loading: boolean;
  /** A request is in flight (first load or refresh). */
  busy: boolean;
  /** When the last good answer arrived (epoch ms). */
  updatedAt: number | undefined;
  refresh: () => void;
}

export function usePolling<T>(fetcher: (signal: AbortSignal) => Promise<T>, key: string, intervalMs: number): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error; updatedAt?: number; busy: boolean }>({ key, busy: true });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const ctrl = useRef<AbortController | undefined>(undefined);
  const [tick, setTick] = useState(0);

  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    ctrl.current?.abort();
    const c = new AbortController();
    ctrl.current = c;
    setState((s) => (s.key === key ? { ...s, busy: true } : { key, busy: true }));
    fetcherRef.current(c.signal).then(
      (data) => {
        if (!c.signal.aborted) setState({ key, data, updatedAt: Date.now(), busy: false });
      },
      (err: unknown) => {
        if (c.signal.aborted) return;
        setState((s) => ({ ...(s.key === key ? s : { key }), error: err instanceof Error ? err : new Error(String(err)), busy: false }));
      },
    );
    return () => c.abort();
  }, [key, tick]);

  useEffect(() => {
    if (intervalMs <= 0) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, intervalMs);
    return () => window.clearInterval(id);
  }, [intervalMs, key]);

  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || (state.data === undefined && state.error === undefined),
    busy: state.busy,
    updatedAt: current ? state.updatedAt : undefined,
    refresh,
  };
}
