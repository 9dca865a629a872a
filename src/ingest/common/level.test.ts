import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectLevel, normalizeLevel, explicitLevelOf } from './level.js';
import type { Level } from '../../model/level.js';

test('detectLevel finds the level of realistic lines', () => {
  const f = (line: string, want: Level, explicit?: string): void => {
    assert.equal(detectLevel(line, explicit), want, JSON.stringify(line));
  };
  // JSON loggers
  f('{"level":"error","ts":1700000000.123,"caller":"server/main.go:42","msg":"request failed"}', 'error'); // zap
  f('{"level":"warn","msg":"slow query","duration":1.2}', 'warn');
  f('{"severity":"ERROR","message":"boom"}', 'error'); // GCP
  f('{"level":30,"time":1700000000000,"pid":1,"msg":"listening"}', 'info'); // pino
  f('{"level":50,"msg":"db down"}', 'error');
  f('{"level":60,"msg":"exit"}', 'critical');
  f('{"msg":"ERROR in upstream, retrying","level":"info"}', 'info'); // field beats bare word
  f('{"@timestamp":"2023-11-14T22:13:20Z","log.level":"warn","message":"disk"}', 'warn'); // ECS
  f('{"levelname": "CRITICAL", "message": "out of memory"}', 'critical'); // python-json-logger
  f('{"lvl":"dbug","msg":"x"}', 'debug');
  // logfmt
  f('ts=2023-11-14T22:13:20Z level=error msg="connection refused" component=db', 'error');
  f('time="2023-11-14T22:13:20Z" level=warning msg="deprecated flag"', 'warn'); // logrus
  f('time=2023-11-14T22:13:20.000Z level=WARN source=main.go:12 msg="retry"', 'warn'); // slog
  f('level="debug" msg="cache hit"', 'debug');
  f('ts=1 lvl=info msg="ERROR counters reset"', 'info');
  // Python logging
  f('2023-11-14 22:13:20,123 - myapp.db - WARNING - pool exhausted', 'warn');
  f('ERROR:root:division by zero', 'error');
  f('CRITICAL:app:cannot start', 'critical');
  f('Traceback (most recent call last):', 'error');
  f('  File "/app/main.py", line 12, in <module>', 'unknown');
  f('ZeroDivisionError: division by zero', 'unknown');
  // Java
  f('2023-11-14 22:13:20.123 ERROR 1234 --- [main] c.e.App : Application run failed', 'error');
  f('2023-11-14 22:13:20.123  INFO 1234 --- [main] c.e.App : Started App in 2.1 seconds', 'info');
  f('[2023-11-14 22:13:20,123] WARN [Consumer clientId=x] Offset commit failed (org.apache.kafka)', 'warn');
  f('Exception in thread "main" java.lang.NullPointerException: value is null', 'error');
  f('\tat com.example.Service.handle(Service.java:42)', 'unknown');
  f('java.lang.IllegalStateException: ErrorHandler missing', 'unknown');
  f('Nov 14, 2023 10:13:20 PM org.apache.catalina.startup.Catalina start SEVERE: boom', 'error');
  // Go
  f('2023-11-14T22:13:20.123Z\tERROR\tserver/main.go:42\trequest failed', 'error'); // zap console
  f('E1114 22:13:20.123456       1 reflector.go:138] failed to list', 'error'); // klog
  f('I1114 22:13:20.123456       1 leaderelection.go:248] attempting to acquire lease', 'info');
  f('W1114 22:13:20.123456       1 warnings.go:70] deprecated API', 'warn');
  f('panic: runtime error: index out of range', 'critical');
  // PostgreSQL: its LOG and DEBUGn severities, followed by two spaces
  f('2026-12-05 10:00:00.123 UTC [12345] LOG:  duration: 12.345 ms  statement: SELECT 1', 'info');
  f('2026-12-05 10:00:00.123 UTC [12345] DEBUG2:  autovacuum: processing database "app"', 'debug');
  f('2026-12-05 10:00:00.123 UTC [12345] ERROR:  deadlock detected', 'error');
  f('2026-12-05 10:00:00.123 UTC [12345] FATAL:  password authentication failed for user "app"', 'critical');
  f('see the AUDIT LOG: rotated', 'unknown');
  // web servers
  f('127.0.0.1 - - [14/Nov/2023:22:13:20 +0000] "GET /api/v1/orders HTTP/1.1" 200 512 "-" "curl/8.0"', 'unknown');
  f('10.0.0.1 - - [14/Nov/2023:22:13:20 +0000] "POST /login HTTP/1.1" 500 12 "-" "Mozilla/5.0"', 'unknown');
  f('2023/11/14 22:13:20 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream', 'error');
  f('[Tue Nov 14 22:13:20.123 2023] [core:crit] [pid 1] AH00102: fatal', 'critical');
  f('2023/11/14 22:13:20 [notice] 1#1: start worker processes', 'info');
  // .NET
  f('fail: Microsoft.AspNetCore.Server.Kestrel[13]', 'error');
  f('info: Microsoft.Hosting.Lifetime[14]', 'info');
  f('dbug: App.Worker[0]', 'debug');
  // bare words
  f('WARNING: disk almost full', 'warn');
  f('Error: ENOENT: no such file or directory', 'error');
  f('[Warning] deprecated', 'warn');
  f('FATAL could not bind port', 'critical');
  f('PANIC unrecoverable', 'critical');
  f('EMERG kernel', 'critical');
  f('ALERT: raid degraded', 'critical');
  f('CRIT: fan failure', 'critical');
  f('ERR connection reset', 'error');
  f('TRACE entering handler', 'trace');
  f('DEBUG cache miss for key=42', 'debug');
  f('INFO  server started', 'info');
  f('EMERGENCY shutdown', 'critical');
  // words inside other words do not count
  f('ERROR_CODE=42 is just a field', 'unknown');
  f('InfoService started', 'unknown');
  f('DEBUGGING session', 'unknown');
  f('the INFORMATION desk', 'unknown');
  f('user errorprone@example.com logged in', 'unknown');
  f('Errors are values', 'unknown');
  f('error handling improved', 'unknown');
  f('loglevelx=error', 'unknown');
  f('', 'unknown');
  f('plain message without a level', 'unknown');
  // explicit level wins, unless it is not a level word
  f('ERROR something', 'warn', 'warning');
  f('ERROR something', 'error', 'not-a-level');
  f('msg', 'critical', 'EMERGENCY');
  // only the first SCAN_LIMIT characters are looked at
  f('x'.repeat(2000) + ' ERROR late', 'unknown');
  f('x'.repeat(500) + ' ERROR early enough', 'error');
});

test('normalizeLevel maps level words and rejects others', () => {
  const f = (s: string, want: Level | undefined): void => {
    assert.equal(normalizeLevel(s), want, s);
  };
  f('trace', 'trace');
  f('DEBUG', 'debug');
  f('information', 'info');
  f('Notice', 'info');
  f('WARNING', 'warn');
  f('warn', 'warn');
  f('err', 'error');
  f('Exception', 'error');
  f('crit', 'critical');
  f('FATAL', 'critical');
  f('panic', 'critical');
  f('emerg', 'critical');
  f('emergency', 'critical');
  f('alert', 'critical');
  f('40', 'warn');
  f('', undefined);
  f('constructor', undefined);
  f('__proto__', undefined);
  f('verbose-ish', undefined);
  f('x'.repeat(100), undefined);
});

test('explicitLevelOf reads level-like keys', () => {
  const f = (m: Record<string, string> | undefined, want: string | undefined): void => {
    assert.equal(explicitLevelOf(m), want);
  };
  f(undefined, undefined);
  f({}, undefined);
  f({ level: 'info' }, 'info');
  f({ severity: 'ERROR', app: 'x' }, 'ERROR');
  f({ detected_level: 'warn' }, 'warn');
  f({ lvl: 'debug' }, 'debug');
  // Loki's case variants (what it reads `detected_level` from).
  f({ Level: 'Warning' }, 'Warning');
  f({ SEVERITY: 'ERROR' }, 'ERROR');
  f({ LVL: 'dbg', app: 'x' }, 'dbg');
  f({ Severity: 'crit', level: 'info' }, 'info');
});
