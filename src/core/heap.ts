/**
 * V8's old-generation growth, in one place. By default V8 lets the old generation grow to up to four times what
 * survived the last full collection before it collects again, so a run that streams thousands of records (or one
 * big page) peaks at two to three times its live heap in garbage. The CLI sets a lower growth for the whole process
 * at start (`useLeanHeap`); a big synchronous conversion tightens it further for its duration (`withTightHeap`) and
 * puts the process's setting back. A `--heap-growing-percent` given to node on its command line always wins.
 * Measurements: BENCHMARKS.md, "flat memory and startup (branch sqlplan)" and "push-huge-page (branch pushmem)".
 */
import { setFlagsFromString } from 'node:v8';

/** The process's setting; 0 is V8's own heuristic (library use, tests). */
let base = 0;

const givenByNode = (): boolean => process.execArgv.some((a) => /heap[-_]growing[-_]percent/.test(a));

function set(percent: number): boolean {
  try {
    setFlagsFromString(`--heap-growing-percent=${percent}`);
    return true;
  } catch {
    return false;
  }
}

/** Sets the process-wide growth (the CLI calls this once at start). */
export function useLeanHeap(percent = 20): void {
  if (givenByNode()) return;
  if (set(percent)) base = percent;
}

/** Runs a synchronous `run` with the old generation growing by at most `percent`, then restores the process's setting. */
export function withTightHeap<T>(percent: number, run: () => T): T {
  if (givenByNode() || (base !== 0 && base <= percent) || !set(percent)) return run();
  try {
    return run();
  } finally {
    set(base);
  }
}
