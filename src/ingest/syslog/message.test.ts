import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyslog, readPri, severityLevel, type SyslogMessage } from './message.js';

// 2026-11-22T07:00:00Z; BSD timestamps are local time, so expectations are computed the same way.
const NOW = Date.UTC(2026, 10, 22, 7, 0, 0);
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): bigint => BigInt(new Date(y, mo, d, h, mi, s).getTime()) * 1_000_000n;

function f(text: string, want: Omit<SyslogMessage, 'format'> & { format?: SyslogMessage['format'] }): void {
  const got = parseSyslog(text, NOW);
  assert.deepEqual(got, { format: 'rfc5424', ...want }, text);
}

test('RFC 5424: the RFC examples and NILVALUEs', () => {
  // RFC 5424 §6.5 example 1 (with the BOM before MSG)
  f('<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF\'su root\' failed for lonvick on /dev/pts/8', {
    facility: 4, severity: 2, ts: 1065910455003000000n, hostname: 'mymachine.example.com', app: 'su', msgid: 'ID47',
    msg: "'su root' failed for lonvick on /dev/pts/8",
  });
  // example 2: offset, fraction of µs, no BOM
  f('<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It\'s time to make the do-nuts.', {
    facility: 20, severity: 5, ts: 1061727255000003000n, hostname: '192.0.2.1', app: 'myproc', procid: '8710', msg: "%% It's time to make the do-nuts.",
  });
  // example 3: structured data and a message
  f('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...', {
    facility: 20, severity: 5, ts: 1065910455003000000n, hostname: 'mymachine.example.com', app: 'evntslog', msgid: 'ID47',
    sd: { sd_exampleSDID_32473_iut: '3', sd_exampleSDID_32473_eventSource: 'Application', sd_exampleSDID_32473_eventID: '1011' },
    msg: 'An application event log entry...',
  });
  // example 4: two SD elements, no MSG
  f('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]', {
    facility: 20, severity: 5, ts: 1065910455003000000n, hostname: 'mymachine.example.com', app: 'evntslog', msgid: 'ID47',
    sd: { sd_exampleSDID_32473_iut: '3', sd_exampleSDID_32473_eventSource: 'Application', sd_exampleSDID_32473_eventID: '1011', sd_examplePriority_32473_class: 'high' },
    msg: '',
  });
  // every field NILVALUE
  f('<0>1 - - - - - -', { facility: 0, severity: 0, msg: '' });
  f('<191>1 - - - - - - hi', { facility: 23, severity: 7, msg: 'hi' });
  // escapes in PARAM-VALUE, repeated names, element without params, UTF-8 values (names are ASCII)
  f('<13>1 2026-11-22T07:00:00Z h a 1 m [x@1 p="a\\"b\\\\c\\]d\\e" p="2"][origin][y k="ö"] m', {
    facility: 1, severity: 5, ts: 1795330800000000000n, hostname: 'h', app: 'a', procid: '1', msgid: 'm',
    sd: { sd_x_1_p: 'a"b\\c]d\\e,2', sd_y_k: 'ö' },
    msg: 'm',
  });
  // util-linux logger --rfc5424
  f('<156>1 2026-11-22T07:06:52.890584+00:00 vm myapp - ID47 [timeQuality tzKnown="1" isSynced="0"][ex@32473 k="v"] hello 5424', {
    facility: 19, severity: 4, ts: 1795331212890584000n, hostname: 'vm', app: 'myapp', msgid: 'ID47',
    sd: { sd_timeQuality_tzKnown: '1', sd_timeQuality_isSynced: '0', sd_ex_32473_k: 'v' },
    msg: 'hello 5424',
  });
});

test('RFC 5424: malformed messages keep the raw text and say why', () => {
  const bad = (text: string, error: RegExp, pri = true): void => {
    const got = parseSyslog(text, NOW);
    assert.equal(got.msg, text, text);
    assert.match(got.error ?? '', error, text);
    assert.equal(got.hostname, undefined);
    if (pri) assert.notEqual(got.severity, undefined);
  };
  bad('<34>1 ', /invalid RFC 5424 TIMESTAMP/);
  bad('<34>1 2003-10-11T22:14:15Z', /missing RFC 5424 field after TIMESTAMP/);
  bad('<34>1 2003-13-11T22:14:15Z h a p m -', /TIMESTAMP: .*month out of range/);
  bad('<34>1 yesterday h a p m -', /TIMESTAMP/);
  bad('<34>1 - h a p m', /missing RFC 5424 field after MSGID/);
  bad('<34>1 - h ' + 'a'.repeat(49) + ' p m -', /invalid RFC 5424 APP-NAME/);
  bad('<34>1 - h a p ' + 'm'.repeat(33) + ' -', /invalid RFC 5424 MSGID/);
  bad('<34>1 - h\u00e9 a p m -', /invalid RFC 5424 HOSTNAME/);
  bad('<34>1 - h  a p m -', /invalid RFC 5424 APP-NAME/);
  bad('<34>1 - h a p m x', /expected "-" or "\["/);
  bad('<34>1 - h a p m -x', /expected a space before MSG/);
  bad('<34>1 - h a p m [', /invalid RFC 5424 SD-ID/);
  bad('<34>1 - h a p m [id', /SD-ELEMENT \[id: expected " " or "\]"/);
  bad('<34>1 - h a p m [id k]', /SD-PARAM k in \[id: expected ="/);
  bad('<34>1 - h a p m [id k="v]', /missing closing quote/);
  bad('<34>1 - h a p m [id k="v"', /expected " " or "\]"/);
  bad('<34>1 - h a p m [id ="v"]', /invalid RFC 5424 PARAM-NAME/);
  bad('<34>1 - h a p m [id ü="v"]', /invalid RFC 5424 PARAM-NAME/);
  bad('<34>1 - h a p m [id k="v"]x', /expected a space before MSG/);
  bad('<34>1 - h a p m [' + 'i'.repeat(33) + ']', /invalid RFC 5424 SD-ID/);
  // no PRI at all
  bad('', /empty message/, false);
  bad('hello world', /missing or invalid PRI/, false);
  bad('<192>1 - - - - - -', /invalid PRI/, false);
  bad('<013>x', /invalid PRI/, false);
  bad('<1234>x', /invalid PRI/, false);
  bad('<>x', /invalid PRI/, false);
  bad('<13', /invalid PRI/, false);
  bad('<1a>x', /invalid PRI/, false);
});

test('readPri and severityLevel', () => {
  assert.deepEqual(readPri('<0>'), { pri: 0, end: 3 });
  assert.deepEqual(readPri('<191>x'), { pri: 191, end: 5 });
  assert.equal(readPri('<00>'), undefined);
  const levels = [0, 1, 2, 3, 4, 5, 6, 7].map(severityLevel);
  assert.deepEqual(levels, ['critical', 'critical', 'critical', 'error', 'warn', 'info', 'info', 'debug']);
});

test('RFC 3164: BSD messages as real senders write them', () => {
  const g = (text: string, want: Omit<SyslogMessage, 'format'>): void => f(text, { format: 'rfc3164', ...want });
  // RFC 3164 §5.4 examples
  g('<34>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8', {
    facility: 4, severity: 2, ts: local(2026, 9, 11, 22, 14, 15), hostname: 'mymachine', app: 'su', msg: "'su root' failed for lonvick on /dev/pts/8",
  });
  g('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!', { facility: 1, severity: 5, ts: local(2026, 1, 5, 17, 32, 18), hostname: '10.0.0.99', msg: 'Use the BFG!' });
  // util-linux logger --rfc3164 with a pid
  g('<35>Nov 22 07:06:52 vm myapp[8759]: hello 3164', { facility: 4, severity: 3, ts: local(2026, 10, 22, 7, 6, 52), hostname: 'vm', app: 'myapp', procid: '8759', msg: 'hello 3164' });
  // pid without colon, tag with path characters
  g('<30>Nov 22 06:59:00 web nginx/1.2-x[12] started', { facility: 3, severity: 6, ts: local(2026, 10, 22, 6, 59, 0), hostname: 'web', app: 'nginx/1.2-x', procid: '12', msg: 'started' });
  // a December message read in January... here: a date ahead of now by more than a day is last year's
  g('<13>Dec 31 23:59:59 h t: x', { facility: 1, severity: 5, ts: local(2025, 11, 31, 23, 59, 59), hostname: 'h', app: 't', msg: 'x' });
  // fraction and explicit year (Cisco style)
  g('<189>Nov 21 2026 10:00:00.250 router %SYS-5-CONFIG_I: Configured', { facility: 23, severity: 5, ts: local(2026, 10, 21, 10, 0, 0) + 250_000_000n, hostname: 'router', app: '%SYS-5-CONFIG_I', msg: 'Configured' });
  // RFC 3339 timestamp instead of the BSD one (rsyslog high precision)
  g('<13>2026-11-22T07:00:01.5+00:00 host app[1]: hi', { facility: 1, severity: 5, ts: 1795330801500000000n, hostname: 'host', app: 'app', procid: '1', msg: 'hi' });
  // no hostname: the word after the timestamp is a tag
  g('<13>Nov 22 06:00:00 cron[77]: job', { facility: 1, severity: 5, ts: local(2026, 10, 22, 6, 0, 0), app: 'cron', procid: '77', msg: 'job' });
  g('<13>Nov 22 06:00:00 kernel: oops', { facility: 1, severity: 5, ts: local(2026, 10, 22, 6, 0, 0), app: 'kernel', msg: 'oops' });
  // no timestamp, no hostname (local senders)
  g('<13>myapp: hello', { facility: 1, severity: 5, app: 'myapp', msg: 'hello' });
  g('<13>myapp[5]: hello', { facility: 1, severity: 5, app: 'myapp', procid: '5', msg: 'hello' });
  g('<13>just some text', { facility: 1, severity: 5, msg: 'just some text' });
  g('<13>', { facility: 1, severity: 5, msg: '' });
  // an impossible date is not a timestamp: it stays in MSG
  g('<13>Feb 30 10:00:00 h t: x', { facility: 1, severity: 5, msg: 'Feb 30 10:00:00 h t: x' });
  g('<13>Foo 10 10:00:00 h t: x', { facility: 1, severity: 5, msg: 'Foo 10 10:00:00 h t: x' });
  g('<13>2026-13-01T00:00:00Z h t: x', { facility: 1, severity: 5, msg: '2026-13-01T00:00:00Z h t: x' });
  // Feb 29 in a year without it: the latest leap year
  g('<13>Feb 29 10:00:00 h t: x', { facility: 1, severity: 5, ts: local(2024, 1, 29, 10, 0, 0), hostname: 'h', app: 't', msg: 'x' });
  // a version other than 1 is not RFC 5424
  g('<13>2 text', { facility: 1, severity: 5, msg: '2 text' });
  // timestamp then the end
  g('<13>Nov 22 06:00:00', { facility: 1, severity: 5, ts: local(2026, 10, 22, 6, 0, 0), msg: '' });
  // a tag longer than 48 characters is MSG
  g('<13>' + 't'.repeat(49) + ': x', { facility: 1, severity: 5, msg: 't'.repeat(49) + ': x' });
});
