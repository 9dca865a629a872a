/**
 * Checks the Grafana dashboards against a running stack (the Compose drill runs it):
 *
 *   npx tsx scripts/check-stack.ts --prometheus http://127.0.0.1:9090 --logsentinel http://127.0.0.1:3100
 *
 * Every PromQL expression must parse, name only metrics Prometheus has and evaluate; every LogQL
 * target must parse and run on LogSentinel (those that returned data over the last 15 minutes are
 * listed). Exits 1 with the list of failures, 2 when Prometheus cannot be asked at all.
 * See deploy/grafana/src/stack-check.ts.
 */
import { Command } from 'commander';
import { checkStack, DEFAULT_DASHBOARDS_DIR, formatReport } from '../deploy/grafana/src/stack-check.js';

const collect = (v: string, acc: Record<string, string>): Record<string, string> => {
  const i = v.indexOf('=');
  if (i <= 0) throw new Error(`cannot read --var ${v}: expected name=value`);
  return { ...acc, [v.slice(0, i)]: v.slice(i + 1) };
};

const program = new Command()
  .name('check-stack')
  .description('Check every dashboard query against a live Prometheus and LogSentinel.')
  .requiredOption('--prometheus <url>', 'Prometheus base URL')
  .requiredOption('--logsentinel <url>', 'LogSentinel base URL')
  .option('--token <token>', 'sent to LogSentinel as Authorization: Bearer <token> (else env LOGSENTINEL_TOKEN)')
  .option('--dashboards <dir>', 'folder of dashboard JSON files', DEFAULT_DASHBOARDS_DIR)
  .option('--range <seconds>', 'look-back of LogQL queries in seconds', (v) => Number(v), 900)
  .option('--require-data', 'LogQL queries and Loki variables without data fail too', false)
  .option('--var <name=value>', 'template variable value instead of All (repeatable)', collect, {} as Record<string, string>)
  .parse();

const o = program.opts<{ prometheus: string; logsentinel: string; token?: string; dashboards: string; range: number; requireData: boolean; var: Record<string, string> }>();

try {
  const report = await checkStack({
    prometheusUrl: o.prometheus,
    logsentinelUrl: o.logsentinel,
    token: o.token ?? (process.env.LOGSENTINEL_TOKEN || undefined),
    dashboardsDir: o.dashboards,
    rangeSeconds: o.range,
    requireData: o.requireData,
    variables: o.var,
  });
  process.stdout.write(formatReport(report));
  process.exitCode = report.failures.length > 0 ? 1 : 0;
} catch (err) {
  console.error(`cannot check the stack: ${(err as Error).message}`);
  process.exitCode = 2;
}
