/**
 * Renders deploy/kubernetes/logsentinel.yaml from the chart with its defaults (mode cluster),
 * except that credentials come from a Secret you create (`deploy/kubernetes/create-secret.sh`),
 * so no password is committed. test/helm/manifests.test.ts keeps the file in sync.
 *
 *   npx tsx scripts/render-manifests.ts           # write it
 *   npx tsx scripts/render-manifests.ts --check   # exit 1 if it is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../test/e2e/harness.js';
import { helm } from '../test/helm/helm.js';

export const MANIFESTS = join(ROOT, 'deploy/kubernetes/logsentinel.yaml');
export const MANIFEST_SECRET = 'logsentinel-credentials';
export const MANIFEST_ARGS = ['template', 'logsentinel', 'deploy/helm/logsentinel', '--namespace', 'logsentinel', '--set', `secrets.existingSecret=${MANIFEST_SECRET}`];

const HEADER = `# LogSentinel for \`kubectl apply\`: deploy/helm/logsentinel rendered with its defaults (mode cluster)
# by \`npx tsx scripts/render-manifests.ts\` — do not edit; change the chart and render again.
#   helm ${MANIFEST_ARGS.join(' ')}
# Credentials come from the Secret ${MANIFEST_SECRET}: create it first with
# deploy/kubernetes/create-secret.sh. Needs cert-manager and the Prometheus Operator's CRDs.
# See docs/kubernetes.md.
`;

export function renderManifests(): string {
  const r = helm(MANIFEST_ARGS);
  if (r.status !== 0) throw new Error(`cannot render deploy/kubernetes: ${r.stderr}`);
  return HEADER + r.stdout;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderManifests();
  if (process.argv.includes('--check')) {
    if (readFileSync(MANIFESTS, 'utf8') !== text) {
      console.error('deploy/kubernetes/logsentinel.yaml is out of date: run npx tsx scripts/render-manifests.ts');
      process.exit(1);
    }
  } else {
    writeFileSync(MANIFESTS, text);
  }
}
