import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsyncError } from '../../src/core/errors.js';
import { DaemonLoop, type LoopOptions, type RunEvent, type RunOutcome } from '../../src/daemon/loop.js';
import { FakeClock, settle } from './fake-clock.js';

/** Fake engine: records calls; each call's behaviour comes from a script (default: succeed at once). */
class FakeEngine {
  pushes: string[][] = [];
  polls = 0;
  active = 0;
  maxActive = 0;
  pushScript: Array<(paths: string[], signal: AbortSignal) => Promise<RunOutcome | void>> = [];
  pollScript: Array<(signal: AbortSignal) => Promise<RunOutcome | void>> = [];
  callbacks = {
    pushPaths: async (paths: string[], signal: AbortSignal) => {
      this.pushes.push([...paths].sort());
      return this.track(this.pushScript.shift()?.(paths, signal));
    },
    pollRemote: async (signal: AbortSignal) => {
      this.polls += 1;
      return this.track(this.pollScript.shift()?.(signal));
    },
  };
  private async track(p: Promise<RunOutcome | void> | undefined): Promise<RunOutcome | void> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await p;
    } finally {
      this.active -= 1;
    }
  }
}

/** A promise the test resolves or rejects when it wants. */
function gate<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function setup(options: Partial<LoopOptions> = {}) {
  const clock = new FakeClock();
  const engine = new FakeEngine();
  const runs: RunEvent[] = [];
  const latencies: number[] = [];
  const loop = new DaemonLoop(engine.callbacks, {
    debounceMs: 1000,
    pollSeconds: 30,
    clock,
    random: () => 0.5, // no jitter: exact times
    events: { onRun: (e) => runs.push(e), onSaveToRemote: (ms) => latencies.push(ms) },
    ...options,
  });
  return { clock, engine, loop, runs, latencies };
}

test('start polls once, becomes ready, then polls every pollSeconds', async () => {
  const { clock, engine, loop } = setup();
  assert.equal(loop.status().ready, false);
  loop.start();
  await settle();
  assert.equal(engine.polls, 1);
  assert.equal(loop.status().ready, true);
  assert.ok(loop.status().lastSuccessfulPull);
  await clock.advance(29_999);
  assert.equal(engine.polls, 1);
  await clock.advance(1);
  assert.equal(engine.polls, 2);
  await clock.advance(60_000);
  assert.equal(engine.polls, 4);
});

test('poll intervals are jittered within ±10%', async () => {
  for (const [r, expected] of [
    [0, 27_000],
    [1, 33_000],
  ] as const) {
    const { clock, engine, loop } = setup({ random: () => r, initialPoll: false });
    loop.start();
    await clock.advance(expected - 1);
    assert.equal(engine.polls, 0);
    await clock.advance(1);
    assert.equal(engine.polls, 1, `random=${r}`);
  }
});

test('a burst of saves to several files makes one push after the quiet time', async () => {
  const { clock, engine, loop, latencies } = setup({ initialPoll: false });
  loop.start();
  for (let i = 0; i < 10; i++) {
    loop.markDirty('content/DOC/A.md');
    loop.markDirty('content/DOC/B.md');
    await clock.advance(100);
  }
  assert.equal(loop.status().queueDepth, 2);
  assert.equal(engine.pushes.length, 0);
  await clock.advance(1000);
  assert.deepEqual(engine.pushes, [['content/DOC/A.md', 'content/DOC/B.md']]);
  assert.equal(loop.status().queueDepth, 0);
  assert.ok(loop.status().lastSuccessfulPush);
  // Latency counts from the last save (t=900) to the end of the push (t=1900).
  assert.deepEqual(latencies, [1000, 1000]);
});

test('runs are serialised: changes during a slow push queue and go in the next push', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false });
  const slow = gate();
  engine.pushScript.push(() => slow.promise);
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  assert.equal(loop.status().running, 'push');
  loop.markDirty('b.md');
  loop.markDirty('c.md');
  await clock.advance(5000);
  assert.equal(engine.pushes.length, 1, 'no second run while one is in flight');
  assert.equal(loop.status().queueDepth, 2);
  // The poll falls due during the push too: it waits its turn.
  await clock.advance(30_000);
  assert.equal(engine.polls, 0);
  slow.resolve();
  await settle();
  // Both were waiting; the last run was a push, so the poll goes first, then the queued push.
  assert.equal(engine.polls, 1);
  assert.deepEqual(engine.pushes, [['a.md'], ['b.md', 'c.md']]);
  assert.equal(engine.maxActive, 1);
});

test('a path saved again while due is not pushed twice', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false });
  const slow = gate();
  engine.pushScript.push(() => slow.promise);
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  loop.markDirty('b.md');
  await clock.advance(1000); // b is due, waiting for the engine
  loop.markDirty('b.md'); // saved again: still one entry
  assert.equal(loop.status().queueDepth, 1);
  slow.resolve();
  await clock.advance(5000);
  assert.deepEqual(engine.pushes, [['a.md'], ['b.md']]);
});

test('failures back off exponentially, keep the work, report unhealthy state, and recover by themselves', async () => {
  const { clock, engine, loop, runs } = setup({ initialPoll: false, backoff: { baseMs: 1000, maxMs: 8000 } });
  const down = () => Promise.reject(new CsyncError('CSYNC_NETWORK', 'connect ECONNREFUSED 127.0.0.1:1'));
  engine.pushScript.push(down, down, down, down, down);
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  assert.equal(engine.pushes.length, 1);
  const s = loop.status();
  assert.equal(s.state, 'backoff');
  assert.equal(s.consecutiveFailures, 1);
  assert.equal(s.lastError?.code, 'CSYNC_NETWORK');
  assert.equal(s.queueDepth, 1, 'the failed path is queued again');
  // random()=0.5 → equal jitter gives 0.75 × nominal: 750, 1500, 3000, 6000, 6000 (capped at 8000 nominal).
  const retryDelays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const last = runs.at(-1)!;
    retryDelays.push(last.retryInMs!);
    await clock.advance(last.retryInMs!);
  }
  assert.deepEqual(retryDelays, [750, 1500, 3000, 6000, 6000]);
  assert.equal(engine.pushes.length, 6);
  // The sixth attempt succeeded (script exhausted): healthy again.
  const after = loop.status();
  assert.equal(after.state, 'running');
  assert.equal(after.consecutiveFailures, 0);
  assert.equal(after.queueDepth, 0);
  assert.deepEqual(engine.pushes.at(-1), ['a.md']);
});

test('a failed poll is retried after the backoff, not at the next interval', async () => {
  const { clock, engine, loop } = setup({ backoff: { baseMs: 2000, maxMs: 2000 } });
  engine.pollScript.push(() => Promise.reject(new Error('boom')));
  loop.start();
  await settle();
  assert.equal(engine.polls, 1);
  assert.equal(loop.status().ready, false);
  assert.equal(loop.status().lastError?.code, 'CSYNC_INTERNAL');
  await clock.advance(1500); // 0.75 × 2000
  assert.equal(engine.polls, 2);
  assert.equal(loop.status().ready, true);
});

test('saves during a backoff wait for it, then go in one push', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false, backoff: { baseMs: 4000, maxMs: 4000 } });
  engine.pushScript.push(() => Promise.reject(new Error('down')));
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000); // fails; retry in 3000
  loop.markDirty('b.md');
  await clock.advance(1500); // b due, but backing off
  assert.equal(engine.pushes.length, 1);
  await clock.advance(1500);
  assert.deepEqual(engine.pushes, [['a.md'], ['a.md', 'b.md']]);
});

test('conflicts come from the latest run outcome', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false });
  engine.pollScript.push(async () => ({ conflicts: 2, pagesPulled: 3 }), async () => ({ conflicts: 0 }));
  loop.start();
  loop.pollNow();
  await settle();
  assert.equal(loop.status().conflicts, 2);
  await clock.advance(30_000);
  assert.equal(loop.status().conflicts, 0);
});

test('stop waits for the run in flight, drops queued work and reports it', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false });
  const slow = gate();
  engine.pushScript.push(() => slow.promise);
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  loop.markDirty('b.md');
  const stopping = loop.stop();
  loop.markDirty('c.md'); // ignored once stopping
  await clock.advance(3000);
  slow.resolve();
  const result = await stopping;
  assert.deepEqual(result, { drained: true, abandonedPaths: ['b.md'] });
  assert.equal(loop.status().state, 'stopped');
  assert.equal(loop.status().ready, false);
  await clock.advance(120_000);
  assert.equal(engine.pushes.length, 1);
  assert.equal(engine.polls, 0);
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('stop gives up on a hung run after the bound and aborts it', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false, stopTimeoutMs: 10_000 });
  let aborted: unknown;
  engine.pushScript.push((_p, signal) => {
    signal.addEventListener('abort', () => (aborted = signal.reason));
    return new Promise(() => {}); // never settles
  });
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  let settled = false;
  const stopping = loop.stop().then((r) => ((settled = true), r));
  await clock.advance(9_999);
  assert.equal(settled, false);
  await clock.advance(1);
  assert.deepEqual(await stopping, { drained: false, abandonedPaths: [] });
  assert.equal((aborted as CsyncError).code, 'CSYNC_INTERRUPTED');
});

test('stop with nothing in flight resolves at once; a second stop is harmless', async () => {
  const { loop } = setup();
  loop.start();
  await settle();
  assert.deepEqual(await loop.stop(), { drained: true, abandonedPaths: [] });
  assert.deepEqual(await loop.stop(), { drained: true, abandonedPaths: [] });
});

test('an observer that throws does not break the loop', async () => {
  const { clock, engine, loop } = setup({
    initialPoll: false,
    events: {
      onRun: () => {
        throw new Error('metrics broke');
      },
      onQueueDepth: () => {
        throw new Error('metrics broke');
      },
    },
  });
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  loop.markDirty('b.md');
  await clock.advance(1000);
  assert.deepEqual(engine.pushes, [['a.md'], ['b.md']]);
  assert.equal(loop.status().consecutiveFailures, 0);
});

test('invalid options are refused with the field named', () => {
  assert.throws(() => new DaemonLoop(new FakeEngine().callbacks, { debounceMs: 1000, pollSeconds: 0 }), /pollSeconds/);
});

test('saves marked before start wait for it (a reload hands the watcher to a new loop before starting it)', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false });
  loop.markDirty('early.md');
  await clock.advance(5000);
  assert.equal(engine.pushes.length, 0);
  assert.equal(loop.status().queueDepth, 1);
  loop.start();
  await settle();
  assert.deepEqual(engine.pushes, [['early.md']]);
});

test('save-to-remote latency counts only the paths the push says it changed (pushedPaths), when it says so', async () => {
  const { clock, engine, loop, latencies } = setup({ initialPoll: false });
  loop.start();
  engine.pushScript.push(async () => ({ pushedPaths: ['content/DOC/A.md'] }));
  loop.markDirty('content/DOC/A.md');
  loop.markDirty('content/DOC/echo.md'); // e.g. a file the last pull wrote: no page changed
  await clock.advance(1000);
  assert.deepEqual(engine.pushes, [['content/DOC/A.md', 'content/DOC/echo.md']]);
  assert.deepEqual(latencies, [1000]);
  engine.pushScript.push(async () => ({ pushedPaths: [] }));
  loop.markDirty('content/DOC/echo.md');
  await clock.advance(1000);
  assert.equal(engine.pushes.length, 2);
  assert.deepEqual(latencies, [1000], 'a push that changed nothing records no latency');
});
