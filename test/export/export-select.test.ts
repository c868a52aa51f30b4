/**
 * Selection through the CLI (dry runs: they list and write nothing): --root, --label (repeatable), --cql, --since,
 * combined with AND; and the usage errors a user meets first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceWithEmulator } from '../helpers/workspace.js';

type Dry = { items: number; pages: Array<{ title: string; path: string }> };

test('export selection: --root subtree, labels, CQL, --since; usage errors', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const dry = async (...args: string[]): Promise<Dry> => {
      const r = await ws.csync(['export', '--dry-run', '--json', '--out', join(ws.dir, 'x'), ...args]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Dry;
    };
    const titles = (d: Dry) => d.pages.map((p) => p.title);
    const gettingStarted = ws.emu.api.pageByTitle('DEMO', 'Getting started')!;
    const sub = await dry('--root', gettingStarted.id);
    assert.deepEqual(titles(sub), ['Getting started', 'Installation', 'Linux', 'macOS', 'Configuration', 'First sync']);
    assert.deepEqual(sub.pages.map((p) => p.path).slice(0, 2), ['DEMO/Getting started', 'DEMO/Getting started/Installation']);
    assert.deepEqual(titles(await dry('--label', 'runbook', '--label', 'architecture')).sort(), ['On-call', 'Release process', 'Sync engine']);
    assert.deepEqual(titles(await dry('--cql', 'title ~ "Planning"')).sort(), ['2026-11-02 Planning', '2026-11-16 Planning']);
    assert.deepEqual(titles(await dry('--cql', 'title ~ "Planning"', '--label', 'runbook')), []);
    assert.equal((await dry('--since', '2999-01-01')).items, 0);
    assert.equal((await dry('--since', '2000-01-01')).items, ws.emu.store.pages.size);
    const check = await ws.csync(['export', '--validate-only', '--label', 'guide', '--out', join(ws.dir, 'x')]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^selection resolves to 2 page\(s\) in md/);
    assert.equal(existsSync(join(ws.dir, 'cache', 'export')), false);

    const badDate = await ws.csync(['export', '--since', 'yesterday-ish', '--out', join(ws.dir, 'x')]);
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /--since yesterday-ish is not a date/);
    const noTarget = await ws.csync(['export', '--space', 'DEMO']);
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.stderr, /no bundle target\n {2}hint: pass --out FOLDER or --zip FILE\.zip/);
    const badRoot = await ws.csync(['export', '--root', '999999999', '--out', join(ws.dir, 'x')]);
    assert.equal(badRoot.code, 2);
    assert.match(badRoot.stderr, /page 999999999 \(--root\) is not a current page of space DEMO/);
    const badFormat = await ws.csync(['export', '--format', 'docx', '--out', join(ws.dir, 'x')]);
    assert.equal(badFormat.code, 2);
  } finally {
    await ws.close();
  }
});
