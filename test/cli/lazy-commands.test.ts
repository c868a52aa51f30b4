/** The lazy command list (src/cli/commands/index.ts) says what each command module says, and loads only what it must. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, isLazy } from '../../src/cli/commands/index.js';
import { requestedCommand } from '../../src/cli/app.js';

test('every lazy command lists the command and description of the module it loads', async () => {
  const lazy = COMMANDS.filter(isLazy);
  assert.ok(lazy.length >= 10);
  for (const c of lazy) {
    const m = await c.load();
    assert.equal(m.command, c.command);
    assert.equal(m.describe, c.describe);
    assert.equal(typeof m.handler, 'function');
  }
});

test('requestedCommand skips options and their values', () => {
  assert.equal(requestedCommand(['--version']), undefined);
  assert.equal(requestedCommand(['-w', 'pull', 'push', '--json']), 'push');
  assert.equal(requestedCommand(['--log-level', 'debug', 'status', '--local']), 'status');
  assert.equal(requestedCommand(['--json', 'pull']), 'pull');
  assert.equal(requestedCommand(['--', 'pull']), undefined);
});
