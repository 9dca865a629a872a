/**
 * Dark and light themes: `data-theme` on <html>. The theme follows the system
 * (`prefers-color-scheme`, live) until the user picks one with the toggle; only that choice is
 * remembered per browser.
 */
import { useEffect, useState } from 'react';

export type Theme = 'dark' | 'light';
const KEY = 'logsentinel.theme';
const LIGHT = '(prefers-color-scheme: light)';

function chosen(): Theme | undefined {
  const saved = localStorage.getItem(KEY);
  return saved === 'dark' || saved === 'light' ? saved : undefined;
}

function system(): Theme {
  return window.matchMedia?.(LIGHT).matches ? 'light' : 'dark';
}

export function useTheme(): [Theme, () => void] {
  const [choice, setChoice] = useState<Theme | undefined>(chosen);
  const [sys, setSys] = useState<Theme>(system);
  useEffect(() => {
    const mq = window.matchMedia?.(LIGHT);
    if (!mq) return;
    const onChange = (): void => setSys(mq.matches ? 'light' : 'dark');
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  const theme = choice ?? sys;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = (): void => {
    const next: Theme = theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, next);
    setChoice(next);
  };
  return [theme, toggle];
}
