/**
 * Randomized sync testing of the real executor (engine + SQLite + emulator over HTTP): see sync-harness.ts for the
 * operations and the five invariants. The cases run in WORKERS independent streams (each with its own emulator,
 * client and seed: seed, seed + 1, ...), since a case mostly waits on loopback HTTP. On failure fast-check prints
 * the stream's seed, the path and the shrunk case, and the error carries the case's log. Reproduce with
 * CSYNC_PROP_SEED=<that seed> CSYNC_PROP_WORKERS=1 (and CSYNC_PROP_PATH=<path>).
 * `npm run soak` runs CSYNC_SOAK_CASES cases (default 2,000).
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { startEmulator } from '../../src/emulator/index.js';
import { caseArb, createClient, runCase } from './sync-harness.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const CASES = Number(process.env.CSYNC_EXEC_CASES ?? (SOAK ? (process.env.CSYNC_SOAK_CASES ?? 2000) : 200));
const WORKERS = Number(process.env.CSYNC_PROP_WORKERS ?? 4);
// `npm test` explores the same cases on every run, so CI is reproducible; `npm run soak` (or CSYNC_PROP_SEED=random)
// explores new ones each time. A failure prints its seed either way.
const seed = process.env.CSYNC_PROP_SEED !== undefined && process.env.CSYNC_PROP_SEED !== 'random' ? Number(process.env.CSYNC_PROP_SEED) : SOAK || process.env.CSYNC_PROP_SEED === 'random' ? Date.now() % 2 ** 31 : 20261130;

async function stream(worker: number, numRuns: number): Promise<void> {
  const emu = await startEmulator({ seed: 'empty' });
  emu.faults.set({ stallMs: 400 });
  const client = createClient(emu);
  try {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        emu.resetLog();
        await runCase({ emu, client }, c);
      }),
      {
        numRuns,
        seed: seed + worker,
        ...(process.env.CSYNC_PROP_PATH ? { path: process.env.CSYNC_PROP_PATH } : {}),
        verbose: 1,
        includeErrorInReport: true,
      },
    );
  } finally {
    await client.close();
    await emu.close();
  }
}

test(`randomized sync against the real engine and the emulator: ${CASES} cases in ${WORKERS} streams, 5 invariants (seeds ${seed}..${seed + WORKERS - 1})`, { timeout: SOAK ? Infinity : 600_000 }, async () => {
  const per = Math.ceil(CASES / WORKERS);
  const results = await Promise.allSettled(Array.from({ length: WORKERS }, (_, w) => stream(w, Math.min(per, CASES - w * per))));
  const failed = results.flatMap((r, w) => (r.status === 'rejected' ? [`stream ${w} (seed ${seed + w}): ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
  if (failed.length) throw new Error(failed.join('\n\n'));
});
