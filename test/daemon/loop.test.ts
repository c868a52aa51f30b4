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
  assert.deepEqual(result, { drained: true, aborted: false, settled: true, abandonedPaths: ['b.md'] });
  assert.equal(loop.status().state, 'stopped');
  assert.equal(loop.status().ready, false);
  await clock.advance(120_000);
  assert.equal(engine.pushes.length, 1);
  assert.equal(engine.polls, 0);
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('stop cancels a run still going 8 s in and gives up on it if it hangs: the whole stop is bounded by 10 s', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false, stopTimeoutMs: 10_000 });
  let aborted: unknown;
  let abortedAt = 0;
  engine.pushScript.push((_p, signal) => {
    signal.addEventListener('abort', () => ((aborted = signal.reason), (abortedAt = clock.now())));
    return new Promise(() => {}); // never settles, even when cancelled
  });
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  const t0 = clock.now();
  let settled = false;
  const stopping = loop.stop().then((r) => ((settled = true), r));
  await clock.advance(7_999);
  assert.equal(aborted, undefined, 'the run may still finish by itself');
  await clock.advance(1);
  assert.equal(abortedAt - t0, 8_000, 'cancelled 2 s before the bound');
  assert.equal((aborted as unknown as CsyncError).code, 'CSYNC_INTERRUPTED');
  await clock.advance(1_999);
  assert.equal(settled, false);
  await clock.advance(1);
  assert.deepEqual(await stopping, { drained: false, aborted: true, settled: false, abandonedPaths: [] });
});

test('a cancelled run that unwinds ends the stop at once, after it has stopped (the lock is released only then)', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false, stopTimeoutMs: 10_000 });
  const events: string[] = [];
  engine.pushScript.push(
    (_p, signal) =>
      new Promise((_res, rej) => {
        signal.addEventListener('abort', () => {
          events.push('abort');
          // The run unwinds a moment later (a request torn down, a queue cleared).
          queueMicrotask(() => {
            events.push('run stopped');
            rej(signal.reason);
          });
        });
      }),
  );
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  const stopping = loop.stop().then((r) => (events.push('stop resolved'), r));
  await clock.advance(8_000);
  const r = await stopping;
  assert.deepEqual(r, { drained: false, aborted: true, settled: true, abandonedPaths: [] });
  assert.deepEqual(events, ['abort', 'run stopped', 'stop resolved']);
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('rescan: every rescanSeconds and on rescanNow, a rescan run pushes everything (carrying the due paths); a failed rescan is retried', async () => {
  const { clock, engine, runs } = setup({ initialPoll: false, pollSeconds: 1000 });
  let rescans = 0;
  const script: Array<() => Promise<void>> = [];
  const callbacks = { ...engine.callbacks, rescanLocal: async () => ((rescans += 1), script.shift()?.()) };
  const l2 = new DaemonLoop(callbacks, { debounceMs: 1000, pollSeconds: 1000, rescanSeconds: 60, clock, random: () => 0.5, events: { onRun: (e) => runs.push(e) } });
  l2.start();
  assert.match(String(l2.status().nextRescanAt), /^2026-01-01T00:01:00/);
  await clock.advance(59_999);
  assert.equal(rescans, 0);
  await clock.advance(1);
  assert.equal(rescans, 1);
  assert.equal(runs.at(-1)?.kind, 'rescan');
  // A watcher error asks for one now.
  l2.rescanNow();
  await clock.advance(0);
  assert.equal(rescans, 2);
  // A path due while a rescan runs rides along with the next rescan instead of a separate push.
  const slow = gate();
  script.push(() => slow.promise);
  l2.rescanNow();
  await clock.advance(0);
  assert.equal(rescans, 3);
  l2.markDirty('a.md');
  await clock.advance(1000);
  l2.rescanNow();
  slow.resolve();
  await clock.advance(0);
  assert.equal(rescans, 4);
  assert.equal(runs.at(-1)?.paths, 1);
  assert.equal(engine.pushes.length, 0, 'no separate push for a.md');
  // A failed rescan is retried after the backoff.
  script.push(() => Promise.reject(new CsyncError('CSYNC_NETWORK', 'down')));
  l2.rescanNow();
  await clock.advance(0);
  assert.equal(rescans, 5);
  assert.equal(runs.at(-1)?.ok, false);
  await clock.advance(3_000);
  assert.equal(rescans, 6);
  assert.equal(runs.at(-1)?.ok, true);
  await l2.stop();
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('without rescanSeconds (or without a rescanLocal callback) there is no rescan', async () => {
  const { clock, loop, runs } = setup({ initialPoll: false, pollSeconds: 1000, rescanSeconds: 60 });
  loop.start();
  loop.rescanNow();
  await clock.advance(600_000);
  assert.ok(runs.every((r) => r.kind === 'poll'));
  assert.equal(loop.status().nextRescanAt, null);
  await loop.stop();
});

test('exclusive: a task waits for the run in flight, runs before queued work, never beside a run; rejected once stopping', async () => {
  const { clock, engine, loop } = setup({ initialPoll: false });
  const slow = gate();
  engine.pushScript.push(() => slow.promise);
  loop.start();
  loop.markDirty('a.md');
  await clock.advance(1000);
  assert.equal(engine.active, 1);
  const order: string[] = [];
  loop.markDirty('b.md');
  const task = loop.exclusive(async () => {
    order.push(`task (engine runs: ${engine.active})`);
    return 42;
  });
  await clock.advance(1000); // b.md is due now, but a.md's push is still running
  assert.deepEqual(order, []);
  assert.equal(loop.status().running, 'push');
  slow.resolve();
  assert.equal(await task, 42);
  await clock.advance(0);
  assert.deepEqual(order, ['task (engine runs: 0)']);
  assert.deepEqual(engine.pushes, [['a.md'], ['b.md']], 'the queued push runs after the task');
  // Withdrawn while waiting (the client hung up): it never runs.
  const slow2 = gate();
  engine.pushScript.push(() => slow2.promise);
  loop.markDirty('c.md');
  await clock.advance(1000);
  const withdraw = new AbortController();
  let ran = false;
  const withdrawn = loop.exclusive(async () => (ran = true), withdraw.signal);
  withdraw.abort();
  await assert.rejects(withdrawn, (e: CsyncError) => e.code === 'CSYNC_INTERRUPTED');
  slow2.resolve();
  await clock.advance(0);
  assert.equal(ran, false);
  const failing = loop.exclusive(() => Promise.reject(new CsyncError('CSYNC_USAGE', 'no conflict')));
  await assert.rejects(failing, /no conflict/);
  await loop.stop();
  await assert.rejects(loop.exclusive(async () => 1), (e: CsyncError) => e.code === 'CSYNC_INTERRUPTED');
});

test('stop with nothing in flight resolves at once; a second stop is harmless', async () => {
  const { loop } = setup();
  loop.start();
  await settle();
  assert.deepEqual(await loop.stop(), { drained: true, aborted: false, settled: true, abandonedPaths: [] });
  assert.deepEqual(await loop.stop(), { drained: true, aborted: false, settled: true, abandonedPaths: [] });
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
