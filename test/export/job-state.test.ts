/** The export job's state machine and ETA (pure), as tables. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, etaSeconds, isFinal, isResumable } from '../../src/export/job-state.js';
import type { JobState } from '../../src/export/types.js';

test('job transitions: pending → running → completed | failed | cancelled; failed may run again; completed and cancelled are final', () => {
  const allowed: Array<[JobState, JobState]> = [
    ['pending', 'running'], ['pending', 'cancelled'], ['pending', 'failed'],
    ['running', 'running'], ['running', 'completed'], ['running', 'failed'], ['running', 'cancelled'],
    ['failed', 'running'], ['failed', 'cancelled'],
  ];
  const states: JobState[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
  for (const from of states) {
    for (const to of states) assert.equal(canTransition(from, to), allowed.some(([f, t]) => f === from && t === to), `${from} → ${to}`);
  }
  assert.deepEqual(states.filter(isFinal), ['completed', 'cancelled']);
});

test('resumable: failed jobs, and running or pending ones whose process is gone', () => {
  assert.equal(isResumable('failed', false), true);
  assert.equal(isResumable('running', false), true);
  assert.equal(isResumable('running', true), false);
  assert.equal(isResumable('pending', false), true);
  assert.equal(isResumable('completed', false), false);
  assert.equal(isResumable('cancelled', false), false);
});

test('ETA from the rate so far', () => {
  assert.equal(etaSeconds(0, 100, 5000), undefined);
  assert.equal(etaSeconds(50, 100, 10_000), 10);
  assert.equal(etaSeconds(100, 100, 10_000), 0);
});
