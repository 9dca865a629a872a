import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presentedCredential, type PresentedCredential } from './credentials.js';

const TOKEN = 'lst_abcdefghij23_' + 'S'.repeat(43);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('presentedCredential reads every way clients send credentials', () => {
  const f = (headers: Record<string, string>, want: PresentedCredential | undefined): void => assert.deepEqual(presentedCredential(headers), want, JSON.stringify(headers));
  f({}, undefined);
  f({ authorization: `Bearer ${TOKEN}` }, { type: 'token', via: 'bearer', token: TOKEN });
  f({ authorization: `bearer   ${TOKEN} ` }, { type: 'token', via: 'bearer', token: TOKEN });
  // Grafana, Promtail, Alloy, Fluent Bit, logcli: tenant as user, token as password
  f({ authorization: `Basic ${b64(`team-a:${TOKEN}`)}` }, { type: 'token', via: 'basic', token: TOKEN, tenantHint: 'team-a' });
  f({ authorization: `Basic ${b64(`:${TOKEN}`)}` }, { type: 'token', via: 'basic', token: TOKEN });
  f({ authorization: `Basic ${b64('alice:pa:ss')}` }, { type: 'password', user: 'alice', password: 'pa:ss' });
  // Elasticsearch: the token itself, or base64(id:api_key)
  f({ authorization: `ApiKey ${TOKEN}` }, { type: 'token', via: 'apikey', token: TOKEN });
  f({ authorization: `ApiKey ${b64(`abcdefghij23:${TOKEN}`)}` }, { type: 'token', via: 'apikey', token: TOKEN });
  // the UI's session cookie, only when no Authorization header is sent
  f({ cookie: 'theme=dark; ls_session=abc123' }, { type: 'session', value: 'abc123' });
  f({ cookie: 'ls_session=abc', authorization: `Bearer ${TOKEN}` }, { type: 'token', via: 'bearer', token: TOKEN });
  f({ cookie: 'theme=dark' }, undefined);
  f({ cookie: 'ls_session=' }, undefined);
});

test('presentedCredential: a present but unusable Authorization header is malformed (401), never anonymous', () => {
  const f = (authorization: string): void => assert.deepEqual(presentedCredential({ authorization }), { type: 'malformed' }, authorization);
  f('');
  f('Bearer');
  f('Bearer a b');
  f('Digest username="x"');
  f(`Basic ${b64('no-colon')}`);
  f(`Basic ${b64('alice:')}`);
  f(`Basic ${b64(':not-a-token')}`);
  f('Basic !!!');
  f(`ApiKey ${b64(`zzzzzzzzzzzz:${TOKEN}`)}`); // id of another token
  f(`ApiKey ${b64('abcdefghij23:not-a-token')}`);
  f('ApiKey nonsense');
});
