/**
 * Records that must follow the files (found by the live-editor kill suite, seed 20261203): a conflicted page whose
 * file the user renamed comes back to its path through cache/moving/, and its record must say so; a new local file
 * where a remote page wants to be gets one conflict copy, not one per run; a page whose local delete push did not
 * carry out (changed in Confluence meanwhile) keeps a record that the next pull restores it from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { conflictCopies, withPulledWorkspace, writes } from '../helpers/workspace.js';

const DIR = 'content/DEMO/Demo space home/Getting started';

for (const stopped of [false, true]) {
  test(`a conflicted page whose file was renamed here: ${stopped ? 'a pull stopped after moving it aside, then a rerun,' : 'pull'} puts the file back at its path and its record follows (was: the record kept cache/moving/, and push then took the file for a new page)`, async () => {
    await withPulledWorkspace(async (ws) => {
      const page = ws.emu.api.pageByTitle('DEMO', 'Configuration')!;
      const rel = `${DIR}/Configuration.md`;
      const mine = `${readFileSync(join(ws.dir, rel), 'utf8')}\nMy local edit.\n`;
      writeFileSync(join(ws.dir, rel), mine);
      ws.emu.api.editPage(page.id, { body: '<p>Their remote edit.</p>' });
      const conflicted = await ws.csync(['pull']);
      assert.equal(conflicted.code, 6, conflicted.stdout + conflicted.stderr);
      assert.equal(conflictCopies(ws.files()).length, 1);

      // The user renames the conflicted file: the next pull takes it back to the page's path (by way of cache/moving/).
      renameSync(join(ws.dir, rel), join(ws.dir, DIR, 'Configuration notes.md'));
      if (stopped) {
        // Another page changed there too: its body request fails (every retry), so the pull stops after moving the
        // conflicted file aside (its own body is staged since the conflict); the rerun brings it back.
        const other = ws.emu.api.pageByTitle('DEMO', 'First sync')!;
        ws.emu.api.editPage(other.id, { body: '<p>Changed remotely.</p>' });
        ws.emu.scriptFaults([{ kind: 'http500', method: 'GET', path: /^\/wiki\/api\/v2\/pages$/, count: 50 }]);
        const stop = await ws.csync(['pull']);
        assert.notEqual(stop.code, 0, 'the pull stopped');
        assert.notEqual(stop.code, 6, stop.stdout + stop.stderr);
        ws.emu.clearFaults();
        assert.equal(readFileSync(join(ws.dir, 'cache', 'moving', `${page.id}.md`), 'utf8'), mine, 'the file was left aside');
      }
      const again = await ws.csync(['pull']);
      assert.equal(again.code, 6, 'the conflict remains until resolved');
      assert.equal(readFileSync(join(ws.dir, rel), 'utf8'), mine, 'the file is back at its path, with the local edit');
      assert.ok(!existsSync(join(ws.dir, 'cache', 'moving', `${page.id}.md`)), 'nothing left aside');
      assert.equal(conflictCopies(ws.files()).length, 1, 'no second copy of the same remote version');

      // The record names the file where it is: push leaves the conflicted page alone and creates nothing.
      ws.emu.resetLog();
      const push = await ws.csync(['push']);
      assert.equal(push.code, 6, push.stdout + push.stderr);
      assert.deepEqual(writes(ws), [], 'no page created from the conflicted file');
      assert.equal(ws.emu.api.pages('DEMO').filter((p) => p.title === 'Configuration').length, 1);
      const status = await ws.csync(['status']);
      assert.match(status.stdout, /Configuration\.md/);
      assert.doesNotMatch(status.stdout, /cache\/moving/);

      // Resolved as the local version: pushed, and everything is in sync.
      const resolved = await ws.csync(['resolve', rel, '--keep', 'local']);
      assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
      const sync = await ws.csync(['sync']);
      assert.equal(sync.code, 0, sync.stdout + sync.stderr);
      assert.match(ws.emu.api.body(page.id), /My local edit\./);
      assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
    });
  });
}

test('a new local file where a new remote page belongs gets one conflict copy, not one per run (was: every pull wrote another)', async () => {
  await withPulledWorkspace(async (ws) => {
    const parent = ws.emu.api.pageByTitle('DEMO', 'Getting started')!;
    ws.emu.api.createPage('DEMO', 'Roadmap', '<p>Their roadmap.</p>', parent.id);
    writeFileSync(join(ws.dir, DIR, 'Roadmap.md'), 'my roadmap\n');
    const first = await ws.csync(['pull']);
    assert.equal(first.code, 6, first.stdout + first.stderr);
    const copy = conflictCopies(ws.files());
    assert.equal(copy.length, 1, 'one copy of the remote page');
    assert.match(readFileSync(join(ws.dir, copy[0]!), 'utf8'), /Their roadmap\./);
    for (let run = 0; run < 2; run++) {
      const again = await ws.csync(['pull']);
      assert.equal(again.code, 6, again.stdout + again.stderr);
      assert.deepEqual(conflictCopies(ws.files()), copy, 'no new copy of the same remote version');
    }
    assert.equal(readFileSync(join(ws.dir, DIR, 'Roadmap.md'), 'utf8'), 'my roadmap\n', 'the local file is intact');
  });
});

test('a conflict push recorded at a renamed file: the pull that takes the file back to its page path moves the conflict with it, and resolve takes the path it names (was: the conflict kept the old name, resolve wrote the remote version there)', async () => {
  await withPulledWorkspace(async (ws) => {
    const page = ws.emu.api.pageByTitle('DEMO', 'Configuration')!;
    const rel = `${DIR}/Configuration.md`;
    const renamed = `${DIR}/Config notes.md`;
    writeFileSync(join(ws.dir, rel), readFileSync(join(ws.dir, rel), 'utf8').replace(/\n---\n/, '\n---\nMy local edit.\n'));
    renameSync(join(ws.dir, rel), join(ws.dir, renamed));
    ws.emu.api.editPage(page.id, { body: '<p>Their remote edit.</p>' });
    const push = await ws.csync(['push']);
    assert.equal(push.code, 6, push.stdout + push.stderr);
    assert.ok(push.stdout.includes(`CONFLICT ${renamed}`), push.stdout);
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 6, pull.stdout + pull.stderr);
    assert.ok(existsSync(join(ws.dir, rel)) && !existsSync(join(ws.dir, renamed)), 'the file is back at its page path');
    const status = await ws.csync(['status']);
    assert.ok(status.stdout.includes(`both-modified: ${rel} `), status.stdout);
    const resolved = await ws.csync(['resolve', rel, '--keep', 'remote']);
    assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
    assert.match(readFileSync(join(ws.dir, rel), 'utf8'), /Their remote edit\./, 'the remote version is in the file');
    const ids = ws.files().filter((f) => parseFile(readFileSync(join(ws.dir, f), 'utf8')).meta.id === page.id);
    assert.deepEqual(ids, [rel], 'one file holds the page');
    assert.deepEqual(conflictCopies(ws.files()), [], 'the copy is gone with the conflict');
    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  });
});

test('a push whose renamed page was deleted in Confluence records the page where its file is: resolve --keep local publishes it again', async () => {
  await withPulledWorkspace(async (ws) => {
    const page = ws.emu.api.pageByTitle('DEMO', 'Configuration')!;
    const rel = `${DIR}/Configuration.md`;
    const renamed = `${DIR}/Config notes.md`;
    writeFileSync(join(ws.dir, rel), `${readFileSync(join(ws.dir, rel), 'utf8')}\nMy local edit.\n`);
    renameSync(join(ws.dir, rel), join(ws.dir, renamed));
    ws.emu.api.purgePage(page.id);
    const push = await ws.csync(['push']);
    assert.equal(push.code, 6, push.stdout + push.stderr);
    assert.ok(push.stdout.includes(`CONFLICT ${renamed}`), push.stdout);
    // The page is where its file is: nothing of it is left at its old path (it looked deleted here).
    const status = await ws.csync(['status']);
    assert.equal(status.code, 6, status.stdout + status.stderr);
    assert.ok(status.stdout.includes(`deleted-remote-modified-local: ${renamed}`), status.stdout);
    assert.ok(!status.stdout.includes(rel), status.stdout);
    const resolved = await ws.csync(['resolve', renamed, '--keep', 'local']);
    assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
    const sync = await ws.csync(['sync']);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    const again = ws.emu.api.pages('DEMO').find((p) => /My local edit\./.test(ws.emu.api.body(p.id)));
    assert.ok(again, 'the local edit is published as a page');
    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  });
});
