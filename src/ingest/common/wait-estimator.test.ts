import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WaitEstimator } from './wait-estimator.js';

describe('WaitEstimator', () => {
  it('estimates the wait from the units in flight over the rate measured while busy', () => {
    let now = 0;
    const e = new WaitEstimator({ now: () => now, timer: false });
    assert.equal(e.estimateMs(), 0);
    // Busy through one sample: 1000 units done in 100 ms = 10 units/ms.
    const a = e.begin(500);
    const b = e.begin(500);
    const c = e.begin(500);
    e.sample();
    now = 100;
    a.done();
    b.done();
    e.sample();
    // 500 in flight at 10/ms = 50 ms (work completed just now: nothing is stalled).
    assert.equal(e.estimateMs(), 50);
    c.done();
    const d = e.begin(30_000);
    assert.equal(e.estimateMs(), 3000);
    d.done();
    assert.equal(e.estimateMs(), 0);
  });

  it('does not learn a rate from samples that were idle part of the time, nor from failures', () => {
    let now = 0;
    const e = new WaitEstimator({ now: () => now, timer: false });
    e.sample();
    const a = e.begin(10);
    now = 50;
    a.done();
    now = 100;
    e.sample(); // idle for half of it: no rate
    const b = e.begin(1_000_000);
    assert.equal(e.estimateMs(), 0);
    e.sample();
    now = 200;
    b.done(false); // failed: not throughput
    e.sample();
    assert.equal(e.begin(1_000_000) && e.estimateMs(), 0);
  });

  it('floors the estimate at how long the work in flight has been stalled', () => {
    let now = 0;
    const e = new WaitEstimator({ now: () => now, timer: false });
    const stuck = e.begin(1);
    now = 1500;
    assert.equal(e.estimateMs(), 1500);
    // Work flowing past it resets the stall, though the oldest is still in flight.
    e.begin(1).done();
    assert.equal(e.estimateMs(), 0);
    now = 1700;
    assert.equal(e.estimateMs(), 200);
    stuck.done();
    assert.equal(e.estimateMs(), 0);
  });

  it('counts uploads ahead without letting a slow one look like a stall or a busy server', () => {
    let now = 0;
    const e = new WaitEstimator({ now: () => now, timer: false });
    // Learn 10 units/ms (busy throughout: `keep` is still in flight).
    const a = e.begin(1000);
    const keep = e.begin(1);
    e.sample();
    now = 100;
    a.done();
    e.sample();
    keep.done(false);
    const upload = e.begin(5000, false);
    now = 60_000; // a minute of trickling
    // Ahead: 5000 units at 10/ms; no stall floor from the upload's age.
    assert.equal(e.estimateMs(), 500);
    // Samples with only the upload in flight are idle: the rate is not dragged down.
    e.sample();
    const b = e.begin(10);
    now = 61_000;
    b.done();
    e.sample();
    upload.done(false);
    assert.equal(e.begin(1000) && e.estimateMs(), 100);
  });
});
