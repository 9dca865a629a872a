export function OverviewPage() {
  return <section className="empty">The Overview page is being built.</section>;
}
