/** An in-app link: a real anchor (middle-click, copy link) that navigates without a reload. */
import type { ReactNode } from 'react';
import { navigate } from '../../router';

export function AppLink({ to, children, className, title, label }: { to: string; children: ReactNode; className?: string; title?: string; label?: string }) {
  return (
    <a
      href={to}
      className={className}
      title={title}
      aria-label={label}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
        e.preventDefault();
        const u = new URL(to, window.location.origin);
        navigate(u.pathname, u.searchParams);
      }}
    >
      {children}
    </a>
  );
}
