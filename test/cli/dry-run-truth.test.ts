/** A dry run prints what the real run then does: same lines, same warnings, and only the requests those lines mean. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileOf, workspaceWithEmulator, writes } from '../helpers/workspace.js';

interface Summary {
  plan: Array<{ action: string; path: string; from?: string }>;
  warnings: string[];
  pages: { updated: number; renamed: number; moved: number; unchanged: number };
}

test('push --dry-run agrees with push: id-only front-matter edit, title rename, moves refused for a missing folder page or a cycle', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const edit = (title: string, fn: (t: string) => string) => {
      const f = fileOf(ws, title);
      writeFileSync(join(ws.dir, f), fn(readFileSync(join(ws.dir, f), 'utf8')));
      return f;
    };
    // Only the front matter's id is written differently (quoted): nothing changes in Confluence.
    const idOnly = edit('Onboarding', (t) => t.replace(/^id: *"?(\d+)"?$/m, "id: '$1'"));
    // A title edit: a rename.
    const renamed = edit('Tables', (t) => t.replace(/^title: .*$/m, 'title: Tables and grids'));
    // Moved into a folder no page has: refused.
    const lost = fileOf(ws, 'Release process');
    const lostTo = join(dirname(lost), 'No such page', 'Release process.md');
    mkdirSync(join(ws.dir, dirname(lostTo)), { recursive: true });
    renameSync(join(ws.dir, lost), join(ws.dir, lostTo));
    // A page moved into its own child's folder: refused.
    const engine = fileOf(ws, 'Sync engine');
    const planner = fileOf(ws, 'Planner');
    const cycleTo = join(planner.slice(0, -'.md'.length), 'Sync engine.md');
    mkdirSync(join(ws.dir, dirname(cycleTo)), { recursive: true });
    renameSync(join(ws.dir, engine), join(ws.dir, cycleTo));

    ws.emu.resetLog();
    const dryRun = await ws.csync(['push', '--dry-run', '--json']);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    const dry = JSON.parse(dryRun.stdout) as Summary;
    assert.deepEqual(writes(ws), [], 'a dry run sends nothing');
    const lines = dry.plan.filter((l) => !l.path.startsWith('attachments/')).map((l) => `${l.action} ${l.path}`);
    assert.deepEqual(lines, [`rename ${renamed}`], 'the id-only edit is no update; the title edit is a rename; the refused moves are no moves');
    assert.ok(!lines.some((l) => l.includes(idOnly)));
    assert.ok(dry.warnings.some((w) => w.startsWith(`${lostTo}: no page for its folder; not moved`)), dry.warnings.join('\n'));
    assert.ok(dry.warnings.some((w) => w.startsWith(`${cycleTo}: its folder's page is inside this page`)), dry.warnings.join('\n'));
    assert.equal(dry.pages.renamed, 1);
    assert.equal(dry.pages.updated, 1);

    const realRun = await ws.csync(['push', '--json']);
    const real = JSON.parse(realRun.stdout) as Summary;
    assert.deepEqual(real.plan, dry.plan, 'the real run plans the same');
    assert.deepEqual([...real.warnings].sort(), [...dry.warnings].sort(), 'and warns the same');
    assert.deepEqual({ updated: real.pages.updated, renamed: real.pages.renamed, moved: real.pages.moved }, { updated: dry.pages.updated, renamed: dry.pages.renamed, moved: dry.pages.moved });
    const pageWrites = writes(ws).filter((w) => !w.includes('attachment'));
    assert.deepEqual(pageWrites, ['PUT /wiki/api/v2/pages/{id}'], 'one request: the rename');
  } finally {
    await ws.close();
  }
});
