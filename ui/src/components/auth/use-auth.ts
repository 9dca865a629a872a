/** The app's one AuthStore, booted on mount, and its state as React state. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { AuthStore, type AuthState } from './auth-store';

export function useAuth(): [AuthState, AuthStore] {
  const [store] = useState(() => new AuthStore());
  useEffect(() => {
    void store.boot();
  }, [store]);
  const state = useSyncExternalStore(store.subscribe, store.snapshot);
  return [state, store];
}
