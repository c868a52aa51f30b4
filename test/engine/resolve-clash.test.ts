/**
 * `csync resolve` on an untracked clash: a new remote page arrived where a new local file (no page tracks it)
 * already was; pull kept the file and saved the remote version beside it as a conflict copy, with no page record.
 * Each way of settling it ends with one page, one file, no copy, nothing lost, and its dry run says what it does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { conflictCopies, type TestWorkspace, withPulledWorkspace, withWorkspace, writes } from '../helpers/workspace.js';

const DIR = 'content/DEMO/Demo space home/Getting started';
const REL = `${DIR}/Roadmap.md`;

async function clash(ws: TestWorkspace, local = 'my roadmap\n'): Promise<{ id: string; copy: string }> {
  assert.equal((await ws.csync(['pull'])).code, 0);
  const parent = ws.emu.api.pageByTitle('DEMO', 'Getting started')!;
  const page = ws.emu.api.createPage('DEMO', 'Roadmap', '<p>Their roadmap.</p>', parent.id);
  ws.emu.api.setLabels(page.id, ['plan']);
  writeFileSync(join(ws.dir, REL), local);
  const pull = await ws.csync(['pull']);
  assert.equal(pull.code, 6, pull.stdout + pull.stderr);
  const copy = conflictCopies(ws.files());
  assert.equal(copy.length, 1);
  assert.match((await ws.csync(['status'])).stdout, /untracked-local-file/);
  return { id: page.id, copy: copy[0]! };
}

const trashed = (ws: TestWorkspace) => ws.files('cache/trash');

for (const by of ['file', 'copy'] as const) {
  test(`resolve --keep remote on an untracked clash (named by its ${by}): the remote page takes the path, the local file goes to cache/trash (was: exit 1, "no page record")`, async () => {
    await withWorkspace(async (ws) => {
      const { id, copy } = await clash(ws);
      const target = by === 'file' ? REL : copy;
      const dry = await ws.csync(['resolve', target, '--keep', 'remote', '--dry-run']);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(dry.stdout, /Dry run: would replace .*Roadmap\.md with the remote version 1 from .*Roadmap\.conflict-.*; your file goes to cache\/trash\./);
      assert.equal(readFileSync(join(ws.dir, REL), 'utf8'), 'my roadmap\n', 'the dry run changed nothing');
      assert.ok(existsSync(join(ws.dir, copy)));

      const r = await ws.csync(['resolve', target, '--keep', 'remote']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      // The run says what the dry run said, and where the local file went.
      const said = /^Resolved: (.*) Your file is kept at '(cache\/trash\/.+)'\.$/m.exec(r.stdout);
      assert.ok(said, r.stdout);
      assert.equal(said[1], dry.stdout.replace('Dry run: would ', '').trim(), 'the dry run said what the run did');
      const text = readFileSync(join(ws.dir, REL), 'utf8');
      assert.match(text, /Their roadmap\./);
      assert.equal(parseFile(text).meta.id, id);
      assert.deepEqual(conflictCopies(ws.files()), [], 'the copy is gone');
      const kept = trashed(ws).filter((f) => f.endsWith('/Roadmap.md'));
      assert.deepEqual(kept, [said[2]], 'the local file is in cache/trash, where the command said');
      assert.equal(readFileSync(join(ws.dir, kept[0]!), 'utf8'), 'my roadmap\n');

      // Tracked as that page: nothing to send, nothing to fetch, no duplicate.
      ws.emu.resetLog();
      const sync = await ws.csync(['sync']);
      assert.equal(sync.code, 0, sync.stdout + sync.stderr);
      assert.deepEqual(writes(ws), [], 'nothing sent');
      assert.equal(ws.emu.api.pages('DEMO').filter((p) => p.title === 'Roadmap').length, 1);
      assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
      // A later remote edit arrives in the file.
      ws.emu.api.editPage(id, { body: '<p>Their roadmap, revised.</p>' });
      assert.equal((await ws.csync(['pull'])).code, 0);
      assert.match(readFileSync(join(ws.dir, REL), 'utf8'), /revised/);
    });
  });
}

for (const keep of ['local', 'merged'] as const) {
  test(`resolve --keep ${keep} on an untracked clash: the file is tracked as the remote page and the next push updates that page (was: exit 1, "no page record")`, async () => {
    await withWorkspace(async (ws) => {
      const { id, copy } = await clash(ws);
      if (keep === 'merged') writeFileSync(join(ws.dir, REL), 'my roadmap\n\nTheir roadmap.\n');
      const mine = readFileSync(join(ws.dir, REL), 'utf8');
      const version = ws.emu.api.page(id).version.number;
      const dry = await ws.csync(['resolve', REL, '--keep', keep, '--dry-run']);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(dry.stdout, new RegExp(`Dry run: would keep .*Roadmap\\.md, with the page's id, title and labels added to its front matter; the next csync push uploads it over the remote version ${version} \\(version ${version} stays in the page's history in Confluence\\)\\.`));
      const r = await ws.csync(['resolve', REL, '--keep', keep]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.stdout.replace('Resolved: ', '').trim(), dry.stdout.replace('Dry run: would ', '').trim());
      assert.equal(readFileSync(join(ws.dir, REL), 'utf8'), `---\nid: "${id}"\ntitle: Roadmap\nlabels:\n  - plan\n---\n${mine}`, 'the text is kept, under the page\'s front matter');
      assert.ok(!existsSync(join(ws.dir, copy)), 'the copy is gone');

      ws.emu.resetLog();
      const push = await ws.csync(['push']);
      assert.equal(push.code, 0, push.stdout + push.stderr);
      assert.equal(ws.emu.api.pages('DEMO').filter((p) => p.title === 'Roadmap').length, 1, 'no duplicate page');
      assert.equal(ws.emu.api.page(id).version.number, version + 1, 'the remote page was updated');
      assert.match(ws.emu.api.body(id), /my roadmap/);
      if (keep === 'merged') assert.match(ws.emu.api.body(id), /Their roadmap\./);
      assert.equal(ws.emu.api.page(id).parentId, ws.emu.api.pageByTitle('DEMO', 'Getting started')!.id, 'the page stays where it was');
      assert.deepEqual(ws.emu.api.page(id).labels, ['plan'], 'the page keeps its labels');
      const sync = await ws.csync(['sync']);
      assert.equal(sync.code, 0, sync.stdout + sync.stderr);
      assert.ok(existsSync(join(ws.dir, REL)), 'the file stays at its path');
      assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
    });
  });
}

test('resolve on an untracked clash of a child page before its parent: refused, dry run or not (its parent is no page here yet); parent first, then child, both pushed over their pages', async () => {
  await withPulledWorkspace(async (ws) => {
    // A new page with a child arrives where the user made the same two files.
    const gs = ws.emu.api.pageByTitle('DEMO', 'Getting started')!;
    const plans = ws.emu.api.createPage('DEMO', 'Plans', '<p>Their plans.</p>', gs.id);
    const child = ws.emu.api.createPage('DEMO', 'Q3', '<p>Their Q3.</p>', plans.id);
    const parentRel = `${DIR}/Plans.md`;
    const childRel = `${DIR}/Plans/Q3.md`;
    mkdirSync(join(ws.dir, DIR, 'Plans'));
    writeFileSync(join(ws.dir, parentRel), 'my plans\n');
    writeFileSync(join(ws.dir, childRel), 'my Q3\n');
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 6, pull.stdout + pull.stderr);
    assert.equal(conflictCopies(ws.files()).length, 2);

    // The child first: its parent is no page here yet. Refused, dry run or not, and nothing changes.
    for (const dry of [['--dry-run'], []]) {
      const r = await ws.csync(['resolve', childRel, '--keep', 'local', ...dry]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /no page tracks content\/DEMO\/Demo space home\/Getting started\/Plans\.md, the page of .*Q3\.md's folder/);
      assert.match(r.stderr, /resolve '.*Plans\.md' first/);
    }
    assert.equal(readFileSync(join(ws.dir, childRel), 'utf8'), 'my Q3\n');
    assert.equal(conflictCopies(ws.files()).length, 2);

    // The parent, then the child: both pushed over their pages.
    for (const rel of [parentRel, childRel]) {
      const r = await ws.csync(['resolve', rel, '--keep', 'local']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    const sync = await ws.csync(['sync']);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.match(ws.emu.api.body(plans.id), /my plans/);
    assert.match(ws.emu.api.body(child.id), /my Q3/);
    assert.equal(ws.emu.api.page(child.id).parentId, plans.id);
    assert.equal(ws.emu.api.pages('DEMO').filter((p) => p.title === 'Plans' || p.title === 'Q3').length, 2, 'no duplicates');
    assert.deepEqual(conflictCopies(ws.files()), []);
    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  });
});

test('resolve --keep remote on an untracked clash whose copy the user deleted: refused, dry run or not, and the local file stays', async () => {
  await withWorkspace(async (ws) => {
    const { copy } = await clash(ws);
    unlinkSync(join(ws.dir, copy));
    for (const dry of [['--dry-run'], []]) {
      const r = await ws.csync(['resolve', REL, '--keep', 'remote', ...dry]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /the remote copy .*Roadmap\.conflict-.* of .*Roadmap\.md is gone or unreadable/);
    }
    assert.equal(readFileSync(join(ws.dir, REL), 'utf8'), 'my roadmap\n');
    assert.deepEqual(trashed(ws), []);
  });
});
