export function TailPage() {
  return <section className="empty">The Tail page is being built.</section>;
}
