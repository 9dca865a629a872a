/** Label pairs as compact chips (alert labels and annotations, stream labels). */
export function Labels({ labels, label }: { labels: Record<string, string>; label: string }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span className="dim">none</span>;
  return (
    <ul className="label-chips" aria-label={label}>
      {entries.map(([k, v]) => (
        <li key={k} className="label-chip" title={`${k}="${v}"`}>
          <span className="label-name">{k}</span>=<span className="label-value">{v}</span>
        </li>
      ))}
    </ul>
  );
}
