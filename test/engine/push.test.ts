import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

const HOME = 'content/DEMO/Demo space home';
const WRITES = /^(PUT|POST|DELETE) /;

function writes(ws: TestWorkspace): string[] {
  return ws.emu.requestLog().map((r) => `${r.method} ${r.route}`).filter((r) => WRITES.test(r));
}

function fileOf(ws: TestWorkspace, title: string): string {
  const f = ws.files('content').find((p) => parseFile(readFileSync(join(ws.dir, p), 'utf8')).meta.title === title);
  assert.ok(f, `a file for ${title}`);
  return f;
}

function edit(ws: TestWorkspace, rel: string, fn: (text: string) => string): void {
  const abs = join(ws.dir, rel);
  writeFileSync(abs, fn(readFileSync(abs, 'utf8')));
}

async function pulled(): Promise<TestWorkspace> {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  const r = await ws.csync(['pull']);
  assert.equal(r.code, 0, r.stderr);
  ws.emu.resetLog();
  return ws;
}

test('an unedited workspace pushes nothing: zero write requests', async () => {
  const ws = await pulled();
  try {
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(writes(ws), []);
    assert.match(r.stdout, /Nothing to push/);
  } finally {
    await ws.close();
  }
});

test('a local edit updates the page with version + 1, without a GET first; a rerun writes nothing', async () => {
  const ws = await pulled();
  try {
    const rel = fileOf(ws, 'Architecture');
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    const before = page.version.number;
    edit(ws, rel, (t) => `${t}\nA line added locally.\n`);
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr);
    const after = ws.emu.api.page(page.id);
    assert.equal(after.version.number, before + 1);
    assert.match(ws.emu.api.body(page.id), /A line added locally\./);
    assert.deepEqual(writes(ws), ['PUT /wiki/api/v2/pages/{id}']);
    assert.equal(ws.emu.requestCounts()['GET /wiki/api/v2/pages/{id}'] ?? 0, 0);
    ws.emu.resetLog();
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(writes(ws), []);
    assert.equal(ws.emu.api.page(page.id).version.number, before + 1);
  } finally {
    await ws.close();
  }
});
