/**
 * After a push that stopped between a write and its record, `pull --dry-run` settles the pending records as the real
 * pull does (in a scratch copy of the state): the page the stopped update wrote is not planned as a download, the
 * page the stopped create made is not planned as a new page, nothing is written, and the real pull then does exactly
 * what the dry run printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pageLines, pendingCounts, stoppedPush, treeBytes, type PlanSummary as Summary } from '../helpers/stopped-push.js';
import { fileOf, workspaceWithEmulator, writes, type TestWorkspace } from '../helpers/workspace.js';

/** Every file of the workspace (cache/ and content/) with its bytes' hash. */
const bytes = (ws: TestWorkspace): Record<string, string> => treeBytes(ws, ['cache', 'content']);

/** Dry run, then the real pull: the same plan; the dry run sends and writes nothing and leaves the records. */
async function dryThenReal(ws: TestWorkspace, expected: string[], pending: { updates: number; creates: number }): Promise<void> {
  assert.deepEqual(pendingCounts(ws), pending, 'the stopped write left its record');
  const before = bytes(ws);
  ws.emu.resetLog();
  const dryRun = await ws.csync(['pull', '--dry-run', '--json']);
  assert.equal(dryRun.code, 0, dryRun.stderr);
  const dry = JSON.parse(dryRun.stdout) as Summary;
  assert.deepEqual(pageLines(dry), expected, 'the dry run prints what the real pull does after settling the stopped write');
  assert.deepEqual(writes(ws), [], 'a dry run sends nothing');
  assert.deepEqual(bytes(ws), before, 'a dry run writes nothing under cache/ or content/');
  assert.deepEqual(pendingCounts(ws), pending, 'the record is left for the real run');
  ws.emu.resetLog();
  const realRun = await ws.csync(['pull', '--json']);
  assert.equal(realRun.code, 0, realRun.stderr);
  const real = JSON.parse(realRun.stdout) as Summary;
  assert.deepEqual(real.plan, dry.plan, 'the real pull does what the dry run printed');
  assert.deepEqual(pendingCounts(ws), { updates: 0, creates: 0 }, 'the real pull settled the record');
}

test('pull --dry-run after a stopped update, then after a stopped create, prints what the real pull does: no download of our own version, no second page file', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const append = (f: string, line: string) => writeFileSync(join(ws.dir, f), `${readFileSync(join(ws.dir, f), 'utf8')}\n${line}\n`);
    const webEdit = (title: string, line: string): string => {
      const p = ws.emu.api.pages('DEMO').find((x) => x.title === title)!;
      ws.emu.api.editPage(p.id, { body: `${ws.emu.api.body(p.id)}<p>${line}</p>` });
      return fileOf(ws, title);
    };
    // An update that reached Confluence but was never recorded: its new version is ours, not a remote edit.
    const updated = fileOf(ws, 'Onboarding');
    append(updated, 'A line sent by a push that was stopped.');
    await stoppedPush(ws, 'PUT');
    // Someone else edits another page: the one thing the pull has to do.
    const tables = webEdit('Tables', 'Edited on the web.');
    await dryThenReal(ws, [`update ${tables}`], { updates: 1, creates: 0 });
    assert.match(readFileSync(join(ws.dir, tables), 'utf8'), /Edited on the web\./);
    assert.match(readFileSync(join(ws.dir, updated), 'utf8'), /A line sent by a push that was stopped\./, 'the file keeps what was sent');

    // A create that reached Confluence but was never recorded: its page is the file's, not a new page to download.
    const created = join(dirname(updated), 'Stopped create.md');
    writeFileSync(join(ws.dir, created), 'made once, by a push that was stopped\n');
    await stoppedPush(ws, 'POST');
    const again = webEdit('Tables', 'Edited on the web again.');
    await dryThenReal(ws, [`update ${again}`], { updates: 0, creates: 1 });
    const names = readdirSync(join(ws.dir, 'content'), { recursive: true }).map(String);
    assert.deepEqual(names.filter((f) => /conflict/.test(f)), [], 'no conflict copy');
    assert.deepEqual(names.filter((f) => /Stopped create/.test(f)).length, 1, 'one file for the created page');
    assert.equal(ws.emu.api.pages('DEMO').filter((p) => p.title === 'Stopped create').length, 1, 'one page for the stopped create');
    // And the next push has nothing left to send for either page.
    ws.emu.resetLog();
    const push = await ws.csync(['push', '--json']);
    assert.equal(push.code, 0, push.stderr);
    assert.deepEqual(writes(ws).filter((w) => !w.includes('attachment')), [], 'nothing is sent again');
  } finally {
    await ws.close();
  }
});
