/**
 * A receiver URL made ready for `fetch` and for messages. `fetch` refuses URLs that carry
 * credentials (`https://user:pass@host/...`), yet that is how Alertmanager and webhook URLs are
 * commonly written; the credentials become an `Authorization: Basic` header instead (RFC 7617,
 * user and password percent-decoded as URL syntax requires), and every message shows the URL
 * redacted (src/config/redact.ts): never the password, a query value or a Slack webhook's path.
 */
import { pathIsSecret, redactUrl } from '../../config/redact.js';

export interface Endpoint {
  /** The URL to request, without credentials. */
  readonly url: string;
  /** The URL as messages may show it. */
  readonly display: string;
  /** Headers every request carries (`authorization` when the URL had credentials). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Throws `cannot use <option> URL ...` for a URL that is not http(s); the message never shows a secret part. */
export function endpointOf(url: string, option: string): Endpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`cannot use ${option} URL: it is not a valid URL (the value is not shown: it may hold a secret)`);
  }
  const display = redactUrl(url, { path: pathIsSecret(url) });
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`cannot use ${option} URL ${display}: only http and https are supported`);
  const headers: Record<string, string> = {};
  if (u.username !== '' || u.password !== '') {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    headers.authorization = 'Basic ' + Buffer.from(`${user}:${pass}`, 'utf8').toString('base64');
    u.username = '';
    u.password = '';
  }
  return { url: u.toString(), display, headers };
}
