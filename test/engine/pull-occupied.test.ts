/**
 * A page kept off its new path (a file no page tracks is there) keeps its old path: no other page is planned onto it.
 * Found by the dry-run property (pull): page G moved and renamed in Confluence onto a new local file stays at its old
 * path, page D renamed to G's old title has that old path as its own, and both pulls (dry and real) planned both
 * pages to one file; the real run left D's file in cache/moving/ for good ("changed while csync was working on it" at
 * every later pull).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { listFiles } from '../helpers/files.js';
import { type TestWorkspace, withWorkspace, workspaceWithEmulator } from '../helpers/workspace.js';

/** Every file below content/ and cache/ but the state database, with its text, by workspace path. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of ['content', 'cache']) {
    for (const f of listFiles(join(dir, sub))) {
      const rel = f.slice(dir.length + 1).split('\\').join('/');
      if (!rel.startsWith('cache/state.db') && !rel.startsWith('cache/csync.lock')) out.set(rel, readFileSync(f, 'utf8'));
    }
  }
  return out;
}

/** Space OCC with Home and Gamma under it, pulled: the test gets the workspace, Gamma's page and its file's path. */
async function withGamma(body: (ws: TestWorkspace, g: { id: string }, home: { id: string }, gammaPath: string) => Promise<void>): Promise<void> {
  await withWorkspace(
    async (ws) => {
      ws.emu.api.createSpace('OCC');
      const home = ws.emu.api.createPage('OCC', 'Home', '<p>home</p>', null);
      const g = ws.emu.api.createPage('OCC', 'Gamma', '<p>gamma</p>', home.id);
      assert.equal((await ws.csync(['pull'])).code, 0);
      await body(ws, g, home, ws.files().find((p) => p.endsWith('/Gamma.md'))!);
    },
    { seed: 'empty', spaces: ['OCC'] },
  );
}

test('a page renamed to the old title of a page kept off its new path: each keeps its own file, nothing is left in cache/moving, a rerun changes nothing; once the user renames their file both pages move', async () => {
  const ws = await workspaceWithEmulator({ seed: 'empty', spaces: ['OCC'] });
  try {
    const api = ws.emu.api;
    api.createSpace('OCC');
    const home = api.createPage('OCC', 'Home', '<p>home</p>', null);
    const alpha = api.createPage('OCC', 'Alpha', '<p>alpha</p>', home.id);
    const beta = api.createPage('OCC', 'Beta', '<p>beta</p>', home.id);
    const g = api.createPage('OCC', 'Gamma', '<p>gamma</p>', beta.id);
    const d = api.createPage('OCC', 'Delta', '<p>delta</p>', beta.id);
    const first = await ws.csync(['pull']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const pathOf = (id: string) => ws.files().find((p) => parseFile(readFileSync(join(ws.dir, p), 'utf8')).meta.id === id);
    const gammaPath = pathOf(g.id)!;
    const deltaPath = pathOf(d.id)!;
    const alphaDir = pathOf(alpha.id)!.slice(0, -'.md'.length);
    assert.ok(gammaPath.endsWith('/Beta/Gamma.md') && deltaPath.endsWith('/Beta/Delta.md'), ws.files().join('\n'));
    const at = (p: string) => parseFile(readFileSync(join(ws.dir, p), 'utf8'));

    // G: edited, moved under Alpha and renamed Fresh in Confluence, where a new local file now is. D: renamed Gamma.
    api.editPage(g.id, { title: 'Fresh', parentId: alpha.id, body: '<p>gamma edited</p>' });
    const mine = `${alphaDir}/Fresh.md`;
    mkdirSync(join(ws.dir, alphaDir), { recursive: true });
    writeFileSync(join(ws.dir, mine), 'my own notes\n');
    api.renamePage(d.id, 'Gamma');

    // The dry run plans each page at a path of its own and leaves no file behind (no -wal or -shm either).
    const before = snapshot(ws.dir);
    const dbBefore = readFileSync(join(ws.dir, 'cache', 'state.db'));
    const dry = await ws.csync(['pull', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    const planned = dry.stdout.split('\n').filter((l) => /^ {2}(update|move|new) /.test(l));
    assert.deepEqual(
      planned.map((l) => l.trim().replace(/\s+/g, ' ')).sort(),
      [`update ${gammaPath}`, `update ${deltaPath}`].sort(),
      dry.stdout,
    );
    assert.deepEqual(snapshot(ws.dir), before, 'a dry run writes no file');
    assert.ok(readFileSync(join(ws.dir, 'cache', 'state.db')).equals(dbBefore), 'a dry run leaves the state as it was');
    assert.ok(!existsSync(join(ws.dir, 'cache', 'state.db-wal')) && !existsSync(join(ws.dir, 'cache', 'state.db-shm')), 'a dry run leaves no -wal or -shm file');

    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    assert.doesNotMatch(pull.stdout + pull.stderr, /changed while csync was working on it/);
    assert.match(pull.stdout, /1 updated|2 updated/);
    assert.ok(pull.stdout.includes(`warning: ${mine}: a file no page tracks is where this page now belongs; the page stays at ${gammaPath}`), pull.stdout);
    assert.ok(pull.stdout.includes(`warning: ${gammaPath}: the file of another page ("Gamma", id ${g.id}) stays there for now; this page stays at ${deltaPath}`), pull.stdout);
    // Each page in its own file, with its remote title and text; the user's file as it was.
    assert.equal(at(gammaPath).meta.id, g.id);
    assert.equal(at(gammaPath).meta.title, 'Fresh');
    assert.match(at(gammaPath).body, /gamma edited/);
    assert.equal(at(deltaPath).meta.id, d.id);
    assert.equal(at(deltaPath).meta.title, 'Gamma');
    assert.equal(readFileSync(join(ws.dir, mine), 'utf8'), 'my own notes\n');
    assert.deepEqual(ws.files('cache/moving'), [], 'nothing left aside');

    // A second pull changes nothing and warns of nothing but the file in the way.
    const settled = snapshot(ws.dir);
    const again = await ws.csync(['pull']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.doesNotMatch(again.stdout + again.stderr, /changed while csync was working on it/);
    assert.match(again.stdout, /Already up to date/);
    assert.deepEqual(snapshot(ws.dir), settled, 'the second pull writes no file');

    // The user renames their file: G takes its new path and D the path G left, in one pull.
    renameSync(join(ws.dir, mine), join(ws.dir, `${alphaDir}/Fresh notes.md`));
    const moved = await ws.csync(['pull']);
    assert.equal(moved.code, 0, moved.stdout + moved.stderr);
    assert.doesNotMatch(moved.stdout, /warning:/);
    assert.equal(at(mine).meta.id, g.id);
    assert.equal(at(gammaPath).meta.id, d.id);
    assert.ok(!existsSync(join(ws.dir, deltaPath)));
    assert.deepEqual(ws.files('cache/moving'), []);
    const last = await ws.csync(['pull']);
    assert.equal(last.code, 0, last.stdout + last.stderr);
    assert.match(last.stdout, /Already up to date/);
    assert.doesNotMatch(last.stdout, /warning:/);
  } finally {
    await ws.close();
  }
});

test('a page renamed to the title of a page deleted in Confluence takes its path in the same pull (the file of the deleted page goes to the trash)', async () => {
  await withGamma(async (ws, g, home, gammaPath) => {
    const api = ws.emu.api;
    const d = api.createPage('OCC', 'Delta', '<p>delta</p>', home.id);
    assert.equal((await ws.csync(['pull'])).code, 0);
    api.deletePage(g.id);
    api.renamePage(d.id, 'Gamma');
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    assert.doesNotMatch(pull.stdout, /warning:/);
    assert.equal(parseFile(readFileSync(join(ws.dir, gammaPath), 'utf8')).meta.id, d.id);
    assert.deepEqual(ws.files('cache/moving'), []);
    assert.ok(ws.files('cache/trash').some((p) => p.endsWith('/Gamma.md')), ws.files('cache').join('\n'));
    assert.match((await ws.csync(['pull'])).stdout, /Already up to date/);
  });
});

test('a new page at the path a renamed page leaves arrives in the same pull, not as a conflict (was: an untracked-clash copy beside the renamed page file)', async () => {
  await withGamma(async (ws, g, home, gammaPath) => {
    const api = ws.emu.api;
    api.renamePage(g.id, 'Fresh');
    const n = api.createPage('OCC', 'Gamma', '<p>new gamma</p>', home.id);
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    assert.doesNotMatch(pull.stdout, /warning:|CONFLICT/);
    assert.equal(parseFile(readFileSync(join(ws.dir, gammaPath), 'utf8')).meta.id, n.id);
    assert.equal(parseFile(readFileSync(join(ws.dir, gammaPath.replace('/Gamma.md', '/Fresh.md')), 'utf8')).meta.id, g.id);
    assert.deepEqual(ws.files().filter((p) => p.includes('.conflict-')), []);
    assert.match((await ws.csync(['pull'])).stdout, /Already up to date/);
  });
});
