/** The signed-in user's name and the Log out button, in the top bar. */
import { useState } from 'react';
import type { Me } from './me';

export function UserMenu({ me, onLogout }: { me: Me; onLogout: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  return (
    <div className="user-menu" role="group" aria-label="Signed-in user">
      <span className="user-name" title={`Scopes: ${me.scopes.join(', ')}`} data-testid="user-name">
        {me.name}
      </span>
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void onLogout().finally(() => setBusy(false));
        }}
      >
        Log out
      </button>
    </div>
  );
}
