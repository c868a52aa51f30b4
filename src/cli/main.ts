#!/usr/bin/env node
// `csync --version` answers before anything else loads; every other invocation goes through the yargs CLI.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const { VERSION } = await import('../version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  // Peak memory: V8 doubles the young generation (up to 3 x 16 MB) whenever scavenges find much alive, which a run
  // that streams thousands of listed pages always does; kept at its first size, a pull of 10,000 pages peaks ~50 MB
  // lower (BENCHMARKS.md, issue 18) for more, cheaper scavenges. NODE_OPTIONS can still set the V8 flags.
  // Short runs (src/cli/argv.ts) keep V8's default: they hold little, and a young generation of its first size made
  // `status --local` spend ~3x as many scavenges on module loading.
  const { setFlagsFromString } = await import('node:v8');
  const { isShortRun } = await import('./argv.js');
  if (!/semi-space/.test(process.env.NODE_OPTIONS ?? '') && !isShortRun(argv)) setFlagsFromString('--semi-space-growth-factor=1');
  // The old generation likewise: V8 lets it grow to up to 4x what survived the last full collection before it
  // collects again, so a run holding a whole space's records peaked at 2-3x its live heap in uncollected garbage.
  // Growing by 20% at a time, a no-op pull of 10,000 pages peaks ~60 MB lower at the same wall time (BENCHMARKS.md,
  // "flat memory and startup"). `node --heap-growing-percent=N` (a command-line flag: NODE_OPTIONS refuses it) overrides.
  (await import('../core/heap.js')).useLeanHeap(20);
  const { run } = await import('./app.js');
  process.exitCode = await run(argv);
}
