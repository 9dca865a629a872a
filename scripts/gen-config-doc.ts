import { writeFileSync } from 'node:fs';
import { renderConfigDoc } from '../src/config/doc.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDoc());
console.log('wrote docs/configuration.md');
