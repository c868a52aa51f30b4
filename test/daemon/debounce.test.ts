import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Debouncer, type Touches } from '../../src/daemon/debounce.js';
import { FakeClock } from './fake-clock.js';

function setup(quietMs = 1000, maxWaitMs?: number) {
  const clock = new FakeClock();
  const fired: Array<{ at: number; due: ReadonlyMap<string, Touches> }> = [];
  const d = new Debouncer({ quietMs, maxWaitMs, clock }, (due) => fired.push({ at: clock.now() - start, due }));
  const start = clock.now();
  return { clock, d, fired, start };
}

test('a burst of saves to one file releases it once, quietMs after the last save', async () => {
  const { clock, d, fired } = setup();
  for (let i = 0; i < 5; i++) {
    d.touch('content/A.md');
    await clock.advance(200);
  }
  // Last touch at t=800; due at 1800.
  await clock.advance(799);
  assert.equal(fired.length, 0);
  await clock.advance(1);
  assert.equal(fired.length, 1);
  assert.equal(fired[0]!.at, 1800);
  assert.deepEqual([...fired[0]!.due.keys()], ['content/A.md']);
  assert.deepEqual(fired[0]!.due.get('content/A.md'), { first: clock.now() - 1800, last: clock.now() - 1000 });
  await clock.advance(10_000);
  assert.equal(fired.length, 1);
  assert.equal(d.size, 0);
  assert.equal(clock.pending, 0);
});

test('keys are debounced independently; keys due at the same instant come out in one batch', async () => {
  const { clock, d, fired } = setup();
  d.touch('a');
  d.touch('b');
  await clock.advance(500);
  d.touch('c');
  d.touch('a'); // a moves to 1500
  await clock.advance(500);
  assert.deepEqual(fired.map((f) => [f.at, [...f.due.keys()]]), [[1000, ['b']]]);
  await clock.advance(500);
  assert.deepEqual(fired.map((f) => [f.at, [...f.due.keys()].sort()]), [
    [1000, ['b']],
    [1500, ['a', 'c']],
  ]);
});

test('a file saved continuously is still released at the max-wait cap (default 10 × quiet)', async () => {
  const { clock, d, fired } = setup(1000);
  assert.equal(d.maxWaitMs, 10_000);
  for (let t = 0; t < 25_000; t += 300) {
    d.touch('busy.md');
    await clock.advance(300);
  }
  // Released at 10 s and 20 s (each counted from the first touch after the previous release, at 10.2 s), never in between.
  assert.deepEqual(fired.map((f) => f.at), [10_000, 20_200]);
});

test('an explicit maxWaitMs is honoured and must not be shorter than quietMs', async () => {
  const { clock, d, fired } = setup(1000, 2500);
  for (let t = 0; t < 3000; t += 100) {
    d.touch('x');
    await clock.advance(100);
  }
  assert.deepEqual(fired.map((f) => f.at), [2500]);
  assert.throws(() => new Debouncer({ quietMs: 1000, maxWaitMs: 10 }, () => {}), /maxWaitMs/);
  assert.throws(() => new Debouncer({ quietMs: -1 }, () => {}), /quietMs/);
});

test('quietMs 0 releases on the next timer tick', async () => {
  const { clock, d, fired } = setup(0);
  d.touch('x');
  assert.equal(fired.length, 0);
  await clock.advance(0);
  assert.equal(fired.length, 1);
});

test('10,000 keys touched at once use one timer and come out in one batch', async () => {
  const { clock, d, fired } = setup();
  for (let i = 0; i < 10_000; i++) d.touch(`content/S/p${i}.md`);
  assert.equal(clock.pending, 1);
  await clock.advance(1000);
  assert.equal(fired.length, 1);
  assert.equal(fired[0]!.due.size, 10_000);
});

test('cancel returns the pending keys and clears the timer', async () => {
  const { clock, d, fired } = setup();
  d.touch('a');
  d.touch('b');
  assert.deepEqual(d.cancel().sort(), ['a', 'b']);
  assert.equal(clock.pending, 0);
  await clock.advance(5000);
  assert.equal(fired.length, 0);
});
