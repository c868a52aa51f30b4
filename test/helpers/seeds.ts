/**
 * Seeds of the randomized suites. Every run explores the suite's fixed seed (the same cases on every CI run) and one
 * fresh seed (new cases each run, printed); `<PREFIX>_SEED=<n>` runs that seed alone (with `<PREFIX>_PATH` one case
 * of it). A failure names the seed and the command that replays it exactly.
 */
import fc from 'fast-check';
import { USE_DIST } from './cli.js';

export interface SuiteSeed {
  seed: number;
  kind: 'fixed' | 'fresh' | 'given';
  cases: number;
}

/**
 * The seeds to run: `fixed` with `cases`, plus a fresh seed with `freshCases`; or only the seed in the environment
 * (`random`: a fresh one) with `cases + freshCases`.
 */
export function suiteSeeds(prefix: string, fixed: number, cases: number, freshCases: number): SuiteSeed[] {
  const given = process.env[`${prefix}_SEED`];
  const fresh = (Date.now() ^ (process.pid << 8)) % 2 ** 31;
  if (given === 'random') return [{ seed: fresh, kind: 'fresh', cases: cases + freshCases }];
  if (given !== undefined) return [{ seed: Number(given), kind: 'given', cases: cases + freshCases }];
  return [
    { seed: fixed, kind: 'fixed', cases },
    ...(freshCases > 0 ? [{ seed: fresh, kind: 'fresh' as const, cases: freshCases }] : []),
  ];
}

/** The shell command that replays one case of a suite: its seed and path, one worker, the same CLI build. */
export function replayCommand(prefix: string, seed: number, path: string | undefined, filter: string, extra: Record<string, string> = {}): string {
  const vars = { [`${prefix}_SEED`]: String(seed), ...(path ? { [`${prefix}_PATH`]: JSON.stringify(path) } : {}), ...extra };
  return `${Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')} node scripts/run-tests.mjs${USE_DIST ? ' --dist' : ''} ${filter}`;
}

/**
 * fc.check with the suite's seed; a failure throws the (shrunk) counterexample, the error and the replay command.
 * `path` (from `<PREFIX>_PATH`) replays one case.
 */
export async function checkSeed<T>(prefix: string, filter: string, s: SuiteSeed, property: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>, extra: Record<string, string> = {}, options: { shrink?: boolean } = {}): Promise<void> {
  const path = process.env[`${prefix}_PATH`];
  // Shrinking reruns the failing case many times over: off where a case's outcome depends on timing.
  const details = await fc.check(property as fc.IAsyncProperty<T>, { numRuns: s.cases, seed: s.seed, ...(path ? { path } : {}), endOnFailure: options.shrink === false });
  if (!details.failed) return;
  const err = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `${s.kind} seed ${s.seed}: failed after ${details.numRuns} case(s)\n` +
      `counterexample: ${JSON.stringify(details.counterexample)}\n` +
      `${err}\n` +
      `replay: ${replayCommand(prefix, s.seed, details.counterexamplePath ?? undefined, filter, extra)}`,
  );
}

/** Prints which seeds a suite runs (the fresh one is new at each run). */
export function announce(suite: string, seeds: readonly SuiteSeed[]): void {
  console.log(`${suite}: ${seeds.map((s) => `${s.kind} seed ${s.seed} (${s.cases} cases)`).join(', ')}`);
}
