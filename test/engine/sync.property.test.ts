/**
 * Randomized sync testing of the real executor (engine + SQLite + emulator over HTTP): see sync-harness.ts for the
 * operations and the five invariants. On failure fast-check prints the seed, the path and the shrunk case, and the
 * error carries the case's log. Reproduce with CSYNC_PROP_SEED=<seed> (and CSYNC_PROP_PATH=<path>).
 * `npm run soak` runs CSYNC_SOAK_CASES cases (default 2,000).
 */
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { ConfluenceClient } from '../../src/remote/index.js';
import { caseArb, createClient, runCase } from './sync-harness.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const CASES = Number(process.env.CSYNC_EXEC_CASES ?? (SOAK ? (process.env.CSYNC_SOAK_CASES ?? 2000) : 200));
const seed = process.env.CSYNC_PROP_SEED !== undefined ? Number(process.env.CSYNC_PROP_SEED) : Date.now() % 2 ** 31;

let emu: Emulator;
let client: ConfluenceClient;
before(async () => {
  emu = await startEmulator({ seed: 'empty' });
  emu.faults.set({ stallMs: 400 });
  client = createClient(emu);
});
after(async () => {
  await client.close();
  await emu.close();
});

test(`randomized sync against the real engine and the emulator: ${CASES} cases, 5 invariants (seed ${seed})`, { timeout: SOAK ? 0 : 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      emu.resetLog();
      await runCase({ emu, client }, c);
    }),
    {
      numRuns: CASES,
      seed,
      ...(process.env.CSYNC_PROP_PATH ? { path: process.env.CSYNC_PROP_PATH } : {}),
      endOnFailure: false,
      verbose: 1,
      includeErrorInReport: true,
    },
  );
});
