/** What to do when the rules API fails, shared by the Alerts page and a rule's page. */
import { ApiError } from '../../api';

export function errorHint(err: Error): string {
  if (err instanceof ApiError && /ruler is not running/.test(err.message)) return 'This LogSentinel role does not run the ruler: open the UI of a process that does (the single-binary `serve`, or a ruler role).';
  if (err instanceof ApiError && err.status === 0) return 'Check that LogSentinel is running, then press Refresh.';
  return 'Press Refresh to try again; the server log has the details.';
}
