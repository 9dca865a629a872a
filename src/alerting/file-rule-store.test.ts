import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileRuleStore } from './file-rule-store.js';
import { runRuleStoreConformance } from './testing/rule-store-conformance.js';

runRuleStoreConformance('files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ls-rule-store-'));
  return { store: new FileRuleStore(dir), close: async () => rmSync(dir, { recursive: true, force: true }) };
});
