export function AlertsPage() {
  return <section className="empty">The Alerts page is being built.</section>;
}
