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
  const { setFlagsFromString } = await import('node:v8');
  if (!/semi-space/.test(process.env.NODE_OPTIONS ?? '')) setFlagsFromString('--semi-space-growth-factor=1');
  const { run } = await import('./app.js');
  process.exitCode = await run(argv);
}
