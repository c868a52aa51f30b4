/**
 * Randomized sync testing of the real executor (engine + SQLite + emulator over HTTP): see sync-harness.ts for the
 * operations and the five invariants. Every run explores the fixed seed (the same cases on every CI run) and one
 * fresh seed (printed), each in WORKERS streams (seed, seed + 1, ...: a case mostly waits on loopback HTTP). Each
 * case gets its own emulator, so ids and request counts do not depend on the cases before it and a replay of one
 * case (seed and path, one worker) runs it exactly as it ran. On failure the error carries the case's log and the
 * replay command. `npm run soak` runs CSYNC_SOAK_CASES cases (default 2,000) of a fresh seed.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { startEmulator } from '../../src/emulator/index.js';
import { announce, checkSeed, suiteSeeds, type SuiteSeed } from '../helpers/seeds.js';
import { caseArb, createClient, runCase } from './sync-harness.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const CASES = Number(process.env.CSYNC_EXEC_CASES ?? (SOAK ? (process.env.CSYNC_SOAK_CASES ?? 2000) : 200));
const WORKERS = Number(process.env.CSYNC_PROP_WORKERS ?? 4);
// The fixed seed's share and a fresh seed's (soak: the fresh seed alone).
const seeds = SOAK && process.env.CSYNC_PROP_SEED === undefined ? suiteSeeds('CSYNC_PROP', 20261130, 0, CASES).filter((s) => s.cases > 0) : suiteSeeds('CSYNC_PROP', 20261130, Math.ceil((CASES * 3) / 4), Math.floor(CASES / 4));

async function stream(s: SuiteSeed): Promise<void> {
  await checkSeed(
    'CSYNC_PROP',
    'sync.property',
    s,
    fc.asyncProperty(caseArb, async (c) => {
      const emu = await startEmulator({ seed: 'empty' });
      emu.faults.set({ stallMs: 400 });
      const client = createClient(emu);
      try {
        await runCase({ emu, client }, c);
      } finally {
        await client.close();
        await emu.close();
      }
    }),
    { CSYNC_PROP_WORKERS: '1' },
  );
}

announce('sync.property', seeds);
test(`randomized sync against the real engine and the emulator: ${seeds.map((s) => `${s.cases} cases of ${s.kind} seed ${s.seed}`).join(' + ')}, ${WORKERS} streams each, 5 invariants`, { timeout: SOAK ? Infinity : 900_000 }, async () => {
  const failed: string[] = [];
  for (const s of seeds) {
    const per = Math.ceil(s.cases / WORKERS);
    const streams = Array.from({ length: WORKERS }, (_, w) => ({ ...s, seed: s.seed + w, cases: Math.max(0, Math.min(per, s.cases - w * per)) })).filter((x) => x.cases > 0);
    const results = await Promise.allSettled(streams.map((x) => stream(x)));
    results.forEach((r, w) => {
      if (r.status === 'rejected') failed.push(`stream ${w}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    });
  }
  if (failed.length) throw new Error(failed.join('\n\n'));
});
