/**
 * A token just created: its secret, shown this once (the server keeps only a hash), with a copy
 * button and a usage example. It lives in React state only and is gone when dismissed.
 */
import { useRef, useState } from 'react';

async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (plain http on another host): select the text for Ctrl+C instead.
    fallback?.select();
    return false;
  }
}

export function NewToken({ name, token, onDone }: { name: string; token: string; onDone: () => void }) {
  const ref = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | undefined>();
  return (
    <div className="new-token" role="region" aria-label="New token">
      <p>
        <strong>Token {name} created.</strong> Copy it now: <strong>it will not be shown again</strong> (LogSentinel keeps only its hash).
      </p>
      <div className="new-token-value">
        <input ref={ref} readOnly value={token} aria-label="The new token" spellCheck={false} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          className="primary"
          onClick={() => {
            void copyText(token, ref.current).then((ok) => setCopied(ok ? 'yes' : 'select'));
          }}
        >
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      {copied && (
        <p className="dim small" role="status">
          {copied === 'yes' ? 'Copied to the clipboard.' : 'The browser refused the clipboard: the token is selected, press Ctrl+C.'}
        </p>
      )}
      <pre className="code-block">{`curl -H 'Authorization: Bearer <token>' ${window.location.origin}/loki/api/v1/labels`}</pre>
    </div>
  );
}
