/**
 * The acknowledged-ingest pusher of the ingest benchmarks (bench/ingest-query, bench/patterns):
 * every body of the corpus pushed by `concurrency` clients; a push counts once answered 204
 * (committed), a 429 is retried after 50 ms and counted.
 */
export async function pushBodies(url: string, bodies: readonly string[], concurrency: number): Promise<{ secs: number; rejected: number }> {
  let next = 0;
  let rejected = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (;;) {
        const r = await fetch(url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await r.arrayBuffer();
        if (r.status === 204) break;
        if (r.status === 429) {
          rejected++;
          await new Promise((res) => setTimeout(res, 50));
          continue;
        }
        throw new Error(`push answered ${r.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { secs: (performance.now() - t0) / 1000, rejected };
}
