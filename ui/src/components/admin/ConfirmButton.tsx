/**
 * A destructive action asked twice: the button turns into "<question> [confirm] [Cancel]" in
 * place, so the row being acted on stays in view. Errors of the action are shown by the caller.
 */
import { useState } from 'react';

export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled, title }: { label: string; question: string; confirmLabel: string; onConfirm: () => Promise<void>; disabled?: boolean; title?: string }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" disabled={disabled} title={title} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        className="danger"
        disabled={busy}
        autoFocus
        onClick={() => {
          setBusy(true);
          void onConfirm().finally(() => {
            setBusy(false);
            setAsking(false);
          });
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)} disabled={busy}>
        Cancel
      </button>
    </span>
  );
}
