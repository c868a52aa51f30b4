#!/usr/bin/env node
// Runs the test suite with Node's built-in runner. Test files are TypeScript, loaded through tsx.
// Usage: node scripts/run-tests.mjs [filter...]   (a filter is a substring of the test file path)
//        node scripts/run-tests.mjs --soak        (sets CSYNC_SOAK=1: only the randomized and crash tests, longer;
//                                                  CSYNC_SOAK_CASES=N sets the number of executor cases)
//        node scripts/run-tests.mjs --dist        (tests spawn dist/cli/main.js instead of the TypeScript source)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const env = { ...process.env };
const filters = [];
for (const a of args) {
  if (a === '--soak') env.CSYNC_SOAK = '1';
  // Spawned CLIs run the built dist/ (twice as fast to start as tsx); `npm test` builds first.
  else if (a === '--dist') env.CSYNC_TEST_CLI = 'dist';
  else filters.push(a);
}
function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(relative(process.cwd(), p));
  }
  return out;
}
let files = walk('test').sort();
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
// --soak alone runs only the tests that do more under CSYNC_SOAK (randomized ones) and the crash tests. The sync
// tests take their count from CSYNC_SOAK_CASES: that many executor cases (default 2,000), 50 times as many model cases.
else if (env.CSYNC_SOAK === '1') files = files.filter((f) => f.includes('crash') || readFileSync(f, 'utf8').includes('CSYNC_SOAK'));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = env.CSYNC_TEST_CONCURRENCY ?? '2';
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], {
  stdio: 'inherit',
  env,
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
