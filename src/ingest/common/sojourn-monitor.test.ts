import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SojournMonitor } from './sojourn-monitor.js';

describe('SojournMonitor', () => {
  it('reports the shortest sojourn of the last complete interval', () => {
    let now = 0;
    const m = new SojournMonitor({ intervalMs: 100, now: () => now });
    m.record(3000);
    m.record(2500);
    assert.equal(m.standingMs(), 0); // the first interval is not over
    now = 100;
    assert.equal(m.standingMs(), 2500); // even the quickest waited 2.5 s: a standing queue
    m.record(40);
    m.record(5000); // one slow client does not count
    now = 200;
    assert.equal(m.standingMs(), 40);
    now = 450; // intervals without completions: nothing standing is known
    assert.equal(m.standingMs(), 0);
  });
});
