/** A remote rename or move never writes over a file the user made at the page's new path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

const DIR = 'content/DEMO/Demo space home';

test('a page renamed in Confluence onto the name of a new local file: the file is kept, the page stays put until the name is free (was: the file was overwritten)', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    ws.emu.api.renamePage(page.id, 'Foo');
    writeFileSync(join(ws.dir, DIR, 'Foo.md'), 'my new page\n');

    const r = await ws.csync(['pull']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(readFileSync(join(ws.dir, DIR, 'Foo.md'), 'utf8'), 'my new page\n', 'the local file is intact');
    assert.match(r.stdout, /warning: content\/DEMO\/Demo space home\/Foo\.md: a file no page tracks is where this page now belongs; the page stays at content\/DEMO\/Demo space home\/Architecture\.md/);
    assert.equal(parseFile(readFileSync(join(ws.dir, DIR, 'Architecture.md'), 'utf8')).meta.title, 'Foo', 'the page took its new title in place');

    // The new file would take a title the space already has: refused before any write.
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /Foo\.md: its title is also the title of .*Architecture\.md/);

    // Once the user renames their file, the page takes its path and the file becomes its own page.
    renameSync(join(ws.dir, DIR, 'Foo.md'), join(ws.dir, DIR, 'Foo notes.md'));
    const sync = await ws.csync(['sync']);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.ok(existsSync(join(ws.dir, DIR, 'Foo.md')) && !existsSync(join(ws.dir, DIR, 'Architecture.md')));
    assert.equal(parseFile(readFileSync(join(ws.dir, DIR, 'Foo.md'), 'utf8')).meta.id, page.id);
    assert.match(ws.emu.api.body(ws.emu.api.pageByTitle('DEMO', 'Foo notes')!.id), /my new page/);
    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  } finally {
    await ws.close();
  }
});
