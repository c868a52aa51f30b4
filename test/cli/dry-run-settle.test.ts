/**
 * After a push that stopped between a write and its record, `push --dry-run` settles the pending records as the real
 * run does (in a scratch copy of the state): it prints no update or create for a write Confluence already holds,
 * writes nothing, and the real run then sends exactly what the dry run printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pageLines, pendingCounts, stoppedPush, treeBytes, type PlanSummary as Summary } from '../helpers/stopped-push.js';
import { fileOf, workspaceWithEmulator, writes, type TestWorkspace } from '../helpers/workspace.js';

/** Every file under cache/ with its bytes' hash. */
const cacheBytes = (ws: TestWorkspace): Record<string, string> => treeBytes(ws, ['cache']);

/** Dry run, then the real run: the same plan, nothing written by the dry run, the real run's writes as planned. */
async function dryThenReal(ws: TestWorkspace, expected: string[], expectedWrites: string[]): Promise<void> {
  const bytes = cacheBytes(ws);
  const pending = pendingCounts(ws);
  ws.emu.resetLog();
  const dryRun = await ws.csync(['push', '--dry-run', '--json']);
  assert.equal(dryRun.code, 0, dryRun.stderr);
  const dry = JSON.parse(dryRun.stdout) as Summary;
  assert.deepEqual(pageLines(dry), [...expected].sort(), 'the dry run prints what the real run does after settling');
  assert.deepEqual(writes(ws), [], 'a dry run sends nothing');
  assert.deepEqual(cacheBytes(ws), bytes, 'a dry run writes nothing under cache/');
  assert.deepEqual(pendingCounts(ws), pending, 'the pending records are left for the real run');

  ws.emu.resetLog();
  const realRun = await ws.csync(['push', '--json']);
  assert.equal(realRun.code, 0, realRun.stderr);
  const real = JSON.parse(realRun.stdout) as Summary;
  assert.deepEqual(real.plan, dry.plan, 'the real run plans the same');
  assert.deepEqual(writes(ws).filter((w) => !w.includes('attachment')).sort(), [...expectedWrites].sort(), 'and sends only what the plan says');
  assert.deepEqual(pendingCounts(ws), { updates: 0, creates: 0 }, 'the real run settled the records');
}

test('push --dry-run after a stopped update and a stopped create: the settled pages are not planned again', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const edit = (title: string, line: string): string => {
      const f = fileOf(ws, title);
      writeFileSync(join(ws.dir, f), `${readFileSync(join(ws.dir, f), 'utf8')}\n${line}\n`);
      return f;
    };

    // An update that reached Confluence but was never recorded.
    const stopped = edit('Onboarding', 'A line sent by a push that was stopped.');
    const id = (readFileSync(join(ws.dir, stopped), 'utf8').match(/^id: *'?"?(\d+)/m) ?? [])[1]!;
    await stoppedPush(ws, 'PUT');
    assert.equal(pendingCounts(ws).updates, 1, 'the stopped update left its record');
    const version = ws.emu.api.page(id).version.number;
    // New work next to it: an edit and a new page.
    const other = edit('Tables', 'Another edit.');
    const fresh = join(dirname(stopped), 'Fresh notes.md');
    writeFileSync(join(ws.dir, fresh), 'fresh notes\n');
    await dryThenReal(ws, [`update ${other}`, `create ${fresh}`], ['PUT /wiki/api/v2/pages/{id}', 'POST /wiki/api/v2/pages']);
    assert.equal(ws.emu.api.page(id).version.number, version, 'the settled page got no new version');

    // A create that reached Confluence but was never recorded.
    const created = join(dirname(stopped), 'Stopped create.md');
    writeFileSync(join(ws.dir, created), 'made once\n');
    await stoppedPush(ws, 'POST');
    assert.equal(pendingCounts(ws).creates, 1, 'the stopped create left its record');
    await dryThenReal(ws, [], []);
    assert.equal(ws.emu.api.pages('DEMO').filter((p) => ws.emu.api.body(p.id).includes('made once')).length, 1, 'one page, not two');

    // An update with a new label, stopped before its label request: the settle's label request is in both plans.
    const labelled = fileOf(ws, 'Tables');
    const labelledId = (readFileSync(join(ws.dir, labelled), 'utf8').match(/^id: *'?"?(\d+)/m) ?? [])[1]!;
    writeFileSync(join(ws.dir, labelled), `${readFileSync(join(ws.dir, labelled), 'utf8').replace(/^title: .*$/m, '$&\nlabels:\n  - settled-label')}\nA third edit.\n`);
    await stoppedPush(ws, 'PUT');
    assert.ok(!ws.emu.api.page(labelledId).labels.includes('settled-label'), 'the stop came before the label request');
    const before = cacheBytes(ws);
    ws.emu.resetLog();
    const dry = JSON.parse((await ws.csync(['push', '--dry-run', '--json'])).stdout) as Summary;
    assert.deepEqual(pageLines(dry), [`labels ${labelled}`], 'the dry run prints the label request the settle sends');
    assert.deepEqual(writes(ws), []);
    assert.deepEqual(cacheBytes(ws), before);
    ws.emu.resetLog();
    const real = JSON.parse((await ws.csync(['push', '--json'])).stdout) as Summary;
    assert.deepEqual(real.plan, dry.plan);
    const sent = writes(ws).filter((w) => !w.includes('attachment'));
    assert.ok(sent.length > 0 && sent.every((w) => /label/.test(w)), `only label requests: ${sent.join(', ')}`);
    assert.ok(ws.emu.api.page(labelledId).labels.includes('settled-label'));
  } finally {
    await ws.close();
  }
});
