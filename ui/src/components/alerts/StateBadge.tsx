/** A rule's or alert's state as a coloured badge (the word is always shown, not only the colour). */
export function StateBadge({ state }: { state: string }) {
  return <span className={`state-badge state-${state}`}>{state}</span>;
}
