import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

// The README's quick start promises that `npm run demo` runs the main job end to end. This runs the same command
// (the real CLI, its built-in emulator, a temporary workspace) and checks what each step shows.
test('csync demo: pull, push, remote edits, a merge, a conflict settled, the daemon — exit 0', { timeout: 600_000 }, async () => {
  const r = await runCli(['demo'], { timeoutMs: 600_000 });
  assert.equal(r.code, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
  const out = r.stdout;
  assert.match(out, /Already up to date: DEMO/, 'the second pull writes nothing');
  assert.match(out, /Confluence now has version 2: the new line is on the page/);
  assert.match(out, /1 page\(s\) changed on both sides were merged/);
  assert.match(out, /the file has both lines: yes/);
  assert.match(out, /CONFLICT content\/DEMO\/Demo space home\/Getting started\/Installation\.md: kept your file/);
  assert.match(out, /Everything in sync: DEMO/);
  assert.match(out, /Attachments: 1 uploaded, 1 new versions, 0 deleted, 0 conflicted/);
  assert.match(out, /Confluence lists: .*report\.csv \(version 2\).*checklist\.txt \(version 1\)|Confluence lists: .*checklist\.txt \(version 1\).*report\.csv \(version 2\)/);
  assert.match(out, /saved "First sync\.md" → page updated in Confluence/);
  assert.match(out, /Architecture\.md updated/);
  assert.match(out, /SIGTERM → the daemon finished its work and exited with code 0/);
  assert.doesNotMatch(out + r.stderr, /demo-token/, 'the token never appears');
  assert.ok(!out.includes('\u001b['), 'no terminal escapes when stdout is not a terminal');
});
