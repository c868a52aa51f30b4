/**
 * One engine (src/engine/run.ts): `csync sync` and the daemon's start-up pass take the same decisions. Two
 * workspaces, each against its own emulator with the same seed, get the same local and remote changes; one is
 * synced by `csync sync`, the other by `csync watch` (its first poll is a pull then a push of everything). The files
 * and Confluence end up identical. And `csync sync --dry-run` prints the plan the real run then carries out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from '../helpers/files.js';
import { fileOf, workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';
import { startDaemonProcess, until } from './daemon.js';

interface Plan {
  plan: Array<{ action: string; path: string; from?: string }>;
  conflicts: unknown[];
}

const NEW_LOCAL = 'content/DEMO/Demo space home/Written here.md';

/** The same changes on both sides of a freshly pulled workspace: local edit, rename, create, delete; remote edit, rename, create, attachment. */
async function prepare(ws: TestWorkspace): Promise<void> {
  const pulled = await ws.csync(['pull']);
  assert.equal(pulled.code, 0, pulled.stderr);
  const edit = (title: string, fn: (t: string) => string) => {
    const f = join(ws.dir, fileOf(ws, title));
    writeFileSync(f, fn(readFileSync(f, 'utf8')));
  };
  edit('Architecture', (t) => `${t}\nA paragraph written locally.\n`);
  edit('Tables', (t) => t.replace(/^title: .*$/m, 'title: Tables and grids'));
  writeFileSync(join(ws.dir, NEW_LOCAL), '# Written here\n\nA page that starts as a local file.\n');
  rmSync(join(ws.dir, fileOf(ws, 'Release process')));
  const api = ws.emu.api;
  const start = api.pageByTitle('DEMO', 'Getting started')!;
  api.editPage(start.id, { body: api.body(start.id).replace('Another point', 'Another point, edited in Confluence') });
  api.renamePage(api.pageByTitle('DEMO', 'Onboarding')!.id, 'Onboarding guide');
  api.createPage('DEMO', 'Written in Confluence', '<p>A page that starts in Confluence.</p>', api.pageByTitle('DEMO', 'Demo space home')!.id);
  api.addAttachment(start.id, 'notes.txt', 'remote notes\n', 'text/plain');
}

/** Every file under content/ and attachments/ with its bytes. */
function tree(ws: TestWorkspace): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ['content', 'attachments']) {
    for (const p of listFiles(join(ws.dir, sub))) out[p.slice(ws.dir.length + 1).split('\\').join('/')] = readFileSync(p).toString('base64');
  }
  return out;
}

/** Confluence as a reader sees it: every page's status, title, parent, version, body, labels and attachments. */
function confluence(ws: TestWorkspace): unknown[] {
  const api = ws.emu.api;
  const pages = api.pages('DEMO');
  const title = (id: string | null) => (id ? (pages.find((p) => p.id === id)?.title ?? id) : null);
  return pages
    .map((p) => ({
      id: p.id,
      status: p.status,
      title: p.title,
      parent: title(p.parentId),
      version: p.version.number,
      body: api.body(p.id),
      labels: [...p.labels].sort(),
      attachments: api.attachments(p.id).map((a) => ({ title: a.title, version: a.version, status: a.status, data: a.data.toString('base64') })),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

test('sync and the daemon pass take the same decisions; sync --dry-run plans what sync does', { timeout: 240_000 }, async () => {
  const bySync = await workspaceWithEmulator({ seed: 'demo' });
  const byDaemon = await workspaceWithEmulator({ seed: 'demo' });
  try {
    await prepare(bySync);
    await prepare(byDaemon);
    assert.deepEqual(confluence(bySync), confluence(byDaemon), 'both start from the same Confluence');
    assert.deepEqual(tree(bySync), tree(byDaemon), 'and the same files');

    // csync sync: the dry run first, then the real run.
    bySync.emu.resetLog();
    const dryRun = await bySync.csync(['sync', '--dry-run', '--json']);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.deepEqual(bySync.emu.requestLog().filter((r) => r.method !== 'GET'), [], 'a dry run sends no write');
    const dry = JSON.parse(dryRun.stdout) as { pull: Plan; push: Plan };
    const realRun = await bySync.csync(['sync', '--json']);
    assert.equal(realRun.code, 0, realRun.stderr);
    const real = JSON.parse(realRun.stdout) as { pull: Plan; push: Plan };
    assert.deepEqual(real.pull.plan, dry.pull.plan, 'the pull does what its dry run planned');
    assert.deepEqual(real.push.plan, dry.push.plan, 'the push does what its dry run planned');
    const actions = (p: Plan) => p.plan.map((l) => `${l.action} ${l.path}`);
    assert.ok(actions(real.push).some((l) => l.endsWith(NEW_LOCAL)), `the local file is created: ${actions(real.push).join('; ')}`);
    assert.ok(actions(real.pull).some((l) => l.includes('Written in Confluence')), `the remote page is pulled: ${actions(real.pull).join('; ')}`);

    // The daemon: its first poll is the start-up pass.
    const env = { CONFLUENCE_EMAIL: byDaemon.emu.credentials.email, CONFLUENCE_API_TOKEN: byDaemon.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
    const d = await startDaemonProcess(byDaemon.dir, ['--debounce', '200', '--poll', '3600'], env);
    try {
      await until(() => d.lines.some((l) => l.msg === 'poll done'), 'the start-up pass ends', 60_000, d);
      const poll = d.lines.find((l) => l.msg === 'poll done')!;
      assert.ok(Number(poll.pagesPulled) > 0 && Number(poll.pagesPushed) > 0, `the start-up pass pulled and pushed: ${JSON.stringify(poll)}`);
    } finally {
      d.child.kill('SIGTERM');
      const exit = await d.exited;
      assert.equal(exit.code, 0, d.stderr());
    }

    assert.deepEqual(tree(byDaemon), tree(bySync), 'the same files after sync and after the daemon pass');
    assert.deepEqual(confluence(byDaemon), confluence(bySync), 'and the same Confluence');
    const files = tree(bySync);
    assert.ok(Object.keys(files).some((f) => f.endsWith('Written in Confluence.md')));
    assert.ok(Object.keys(files).some((f) => f.endsWith('/notes.txt')));
    assert.ok(confluence(bySync).some((p) => (p as { title: string }).title === 'Written here'));
  } finally {
    await bySync.close();
    await byDaemon.close();
  }
});
