export function ExplorePage() {
  return <section className="empty">The Explore page is being built.</section>;
}
