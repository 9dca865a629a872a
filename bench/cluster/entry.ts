/**
 * `npm run bench` entry: the embedded benchmark (bench/ingest-query), or with `--cluster` the
 * cluster benchmark (bench/cluster). Other arguments go to the chosen benchmark.
 */
const i = process.argv.indexOf('--cluster');
if (i >= 0) {
  process.argv.splice(i, 1);
  await import('./run.js');
} else {
  await import('../ingest-query/run.js');
}
