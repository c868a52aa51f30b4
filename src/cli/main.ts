#!/usr/bin/env node
// `csync --version` answers before anything else loads; every other invocation goes through the yargs CLI.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const { VERSION } = await import('../version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const { run } = await import('./app.js');
  process.exitCode = await run(argv);
}
