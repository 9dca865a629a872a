/** The Live tail page's hook: one TailSession per mounted page, its snapshots as React state. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { TailSession, type TailSnapshot } from './tail-session.js';

export function useTail(initialCap: number, tenant: string): [TailSnapshot, TailSession] {
  // The app remounts pages when the tenant changes, so one session serves one tenant.
  const [session] = useState(() => new TailSession(initialCap, tenant));
  useEffect(() => () => session.dispose(), [session]);
  const snap = useSyncExternalStore(session.subscribe, session.snapshot);
  return [snap, session];
}
