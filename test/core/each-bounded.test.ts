/** eachBounded (src/core/each-bounded.ts): p-queue with tasks added as places free up, not all up front. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBounded } from '../../src/core/each-bounded.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

test('eachBounded runs every item, at most `concurrency` at once, and pulls items from the iterable only as places free up', async () => {
  let running = 0;
  let most = 0;
  let pulled = 0;
  let done = 0;
  let aheadMost = 0;
  function* items() {
    for (let i = 0; i < 500; i++) {
      pulled++;
      aheadMost = Math.max(aheadMost, pulled - done);
      yield i;
    }
  }
  const seen: number[] = [];
  await eachBounded(items(), 4, async (i) => {
    running++;
    most = Math.max(most, running);
    await tick();
    if (i % 3 === 0) await tick();
    seen.push(i);
    running--;
    done++;
  });
  assert.equal(seen.length, 500);
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 500 }, (_, i) => i));
  assert.equal(most, 4, 'four at once, never more');
  assert.ok(aheadMost <= 4 * 2 + 1, `items taken ahead of the finished ones: ${aheadMost} (was: all 500 queued up front)`);
});

test('eachBounded: the first failure stops further tasks and is thrown once the tasks in flight have ended', async () => {
  let started = 0;
  let ended = 0;
  const err = new Error('task 10 failed');
  await assert.rejects(
    eachBounded(Array.from({ length: 1000 }, (_, i) => i), 3, async (i) => {
      started++;
      await tick();
      if (i === 10) throw err;
      await tick();
      ended++;
    }),
    (e) => e === err,
  );
  assert.ok(started < 30, `tasks started after the failure were few: ${started} of 1000`);
  assert.equal(ended, started - 1, 'every other task started had ended before the error was thrown');
});

test('eachBounded of nothing does nothing', async () => {
  let calls = 0;
  await eachBounded([], 8, async () => {
    calls++;
  });
  assert.equal(calls, 0);
});
