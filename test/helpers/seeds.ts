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
      `counterexample: ${visible(JSON.stringify(details.counterexample))}\n` +
      `${err}\n` +
      `replay: ${replayCommand(prefix, s.seed, details.counterexamplePath ?? undefined, filter, extra)}`,
  );
}

/** Prints which seeds a suite runs (the fresh one is new at each run). */
export function announce(suite: string, seeds: readonly SuiteSeed[]): void {
  console.log(`${suite}: ${seeds.map((s) => `${s.kind} seed ${s.seed} (${s.cases} cases)`).join(', ')}`);
}

export interface SeededRun {
  /** The suite's fixed seed: the same cases on every run. */
  seed: number;
  /** Cases in all: half under the fixed seed, half under a fresh one (all under `<PREFIX>_SEED` when given). */
  runs: number;
  /** Of `runs`, the cases under the fresh seed when not half. */
  fresh?: number;
  /** Shrink a failure (default); off where a case's outcome depends on timing. */
  shrink?: boolean;
  /** Settings of the run that the replay command must repeat (environment variables). */
  env?: Record<string, string>;
}

/**
 * The seeds one property runs, announced; and the replay path of this property, if any. Several properties of a file
 * share a prefix; a replay names its property in `<PREFIX>_PROPERTY`, so the path applies to that one alone (the
 * others run the given seed whole).
 */
function seededPlan(prefix: string, name: string, run: SeededRun): { seeds: SuiteSeed[]; path: string | undefined } {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`property name ${JSON.stringify(name)}: lower-case letters, digits and dashes only (it goes in a shell command)`);
  const fresh = run.fresh ?? Math.floor(run.runs / 2);
  const seeds = suiteSeeds(prefix, run.seed, run.runs - fresh, fresh);
  announce(`${prefix} ${name}`, seeds);
  const only = process.env[`${prefix}_PROPERTY`];
  return { seeds, path: only === undefined || only === name ? process.env[`${prefix}_PATH`] : undefined };
}

/** Invisible and look-alike characters (no-break and other spaces, zero-width and bidi marks) as \uXXXX escapes. */
function visible(text: string): string {
  return text.replace(/[\u007f-\u00a0\u00ad\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function seededFailure<T>(prefix: string, file: string, name: string, s: SuiteSeed, details: fc.RunDetails<T>, env: Record<string, string> = {}): Error {
  const err = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const path = details.counterexamplePath ?? undefined;
  return new Error(
    `${prefix} ${name}: ${s.kind} seed ${s.seed} failed after ${details.numRuns} case(s)\n` +
      `counterexample: ${visible(fc.stringify(details.counterexample))}\n` +
      `${err}\n` +
      `replay: ${replayCommand(prefix, s.seed, path, file, { ...(path ? { [`${prefix}_PROPERTY`]: name } : {}), ...env })}`,
  );
}

/**
 * fc.assert under the suite's fixed seed and one fresh seed (both printed). A failure throws the (shrunk)
 * counterexample, the error and the command that replays it: `<PREFIX>_SEED=… <PREFIX>_PATH=… <PREFIX>_PROPERTY=name
 * node scripts/run-tests.mjs <file>`. `name` tells the properties of one file apart.
 */
export function assertSeeded<T>(prefix: string, file: string, name: string, run: SeededRun, property: fc.IPropertyWithHooks<T>): void {
  const { seeds, path } = seededPlan(prefix, name, run);
  for (const s of seeds) {
    const details = fc.check(property, { numRuns: s.cases, seed: s.seed, ...(path ? { path } : {}), endOnFailure: run.shrink === false });
    if (details.failed) throw seededFailure(prefix, file, name, s, details, run.env);
  }
}

/** assertSeeded for an asynchronous property. */
export async function assertSeededAsync<T>(prefix: string, file: string, name: string, run: SeededRun, property: fc.IAsyncPropertyWithHooks<T>): Promise<void> {
  const { seeds, path } = seededPlan(prefix, name, run);
  for (const s of seeds) {
    const details = await fc.check(property, { numRuns: s.cases, seed: s.seed, ...(path ? { path } : {}), endOnFailure: run.shrink === false });
    if (details.failed) throw seededFailure(prefix, file, name, s, details, run.env);
  }
}
