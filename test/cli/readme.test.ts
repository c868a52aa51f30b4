import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configTable } from '../../scripts/config-table.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the README configuration table matches the settings (run scripts/update-readme.ts)', () => {
  assert.ok(readme.includes(configTable()), 'README config table is stale: node --import tsx scripts/update-readme.ts');
});

test('the README documents every exit code', () => {
  for (const code of Object.values(EXIT)) assert.match(readme, new RegExp(`^\\| ${code} \\|`, 'm'), `exit code ${code}`);
});

test('the README quick start is exactly the two commands', () => {
  assert.match(readme, /## Quick start\n\n```sh\nnpm install && npm run demo\nnpm test\n```/);
});

test('the README names the log files as csync writes them (logs/csync.N.log; issue 13, item 15: it said logs/csync.log)', () => {
  assert.doesNotMatch(readme, /logs\/csync\.log/);
  assert.match(readme, /logs\/csync\.N\.log/);
});
