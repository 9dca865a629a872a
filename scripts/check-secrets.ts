// The secrets check after a test run (src/testing/secrets.ts): exits 1 naming every server log
// under test-artifacts/logs that holds a password or token a test registered.
import { findLeaks, LOGS_DIR } from '../src/testing/secrets.js';

const r = findLeaks();
if (r.leaks.length > 0) {
  console.error(`\nsecrets check FAILED: registered test secrets appear in server logs:\n  ${r.leaks.join('\n  ')}`);
  process.exit(1);
}
console.log(`\nsecrets check: ${r.secrets} registered secret(s), none in ${r.logs} server log(s) under ${LOGS_DIR}`);
