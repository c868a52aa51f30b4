/**
 * Issue 13, "never follow a link": the settle of a stopped push (src/engine/pending.ts for creates, sent.ts for
 * updates) reads and writes files too. A file replaced by a link to an outside file before the rerun is never read
 * or written through (was: read with readFile and written with write-file-atomic, which follows links: the page's id
 * was written into the outside file). Real CLI, real files, the emulator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { stoppedPush } from '../helpers/stopped-push.js';
import { fileOf, workspaceWithEmulator } from '../helpers/workspace.js';

test('a stopped create whose file became a link to an outside file: the rerun never reads or writes through the link, and no page is lost', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  const out = tempDir('csync-outside-');
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const dir = fileOf(ws, 'Architecture').replace(/\.md$/, '');
    const rel = `${dir}/Fresh notes.md`;
    const text = 'Fresh notes, sent once.\n';
    writeFileSync(join(ws.dir, rel), text);
    await stoppedPush(ws, 'POST');
    const created = ws.emu.api.pages('DEMO').find((p) => p.title === 'Fresh notes');
    assert.ok(created, 'the stopped create reached Confluence');

    // The file is now a link to an outside file holding the same text.
    const outside = join(out.dir, 'notes.md');
    writeFileSync(outside, text);
    unlinkSync(join(ws.dir, rel));
    symlinkSync(outside, join(ws.dir, rel));

    const push = await ws.csync(['push']);
    assert.match(push.stdout, /Fresh notes\.md: skipped: it is a symbolic link/);
    assert.doesNotMatch(push.stdout, /no file matches that page now/, 'a link is not a lost file');
    assert.equal(readFileSync(outside, 'utf8'), text, 'the outside file is untouched (was: the page id written into it)');
    assert.notEqual(push.code, 0, push.stdout + push.stderr);
    assert.notEqual(push.code, 1, push.stdout + push.stderr);
    assert.equal(ws.emu.api.page(created.id)?.status ?? 'current', 'current', 'the page is not taken for deleted');
    assert.equal(ws.emu.api.pages('DEMO').filter((p) => p.title === 'Fresh notes').length, 1, 'no second page');
    const pull = await ws.csync(['pull']);
    assert.notEqual(pull.code, 1, pull.stdout + pull.stderr);
    assert.equal(readFileSync(outside, 'utf8'), text, 'a pull does not write through it either');
  } finally {
    await ws.close();
    out.cleanup();
  }
});
