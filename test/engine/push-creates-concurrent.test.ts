/**
 * A first publish creates independent pages side by side (concurrency.pages), end to end: the real CLI pushes a
 * folder of new pages (siblings, children, a grandchild, a page linking to another new page) to the emulator with
 * 150 ms of latency per request, once with concurrency.pages 1 and once with the default 4. Counted, never timed:
 * - the emulator had more than one page create (POST) in flight at once with 4, never with 1;
 * - both runs made the same requests, route by route (each page created once, nothing asked again);
 * - every page is under its folder's page, created after it (a child's POST names its parent's id, and the
 *   emulator's ids rise), and a page another new page links to is created before it, the link a page link.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../src/emulator/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { initAndPull } from '../helpers/workspace.js';

const HOME = 'Demo space home';
/** Workspace paths under content/DEMO/<home>/ → body. */
const FILES: Record<string, string> = {
  'Guide.md': '# Guide\n\nHow to use it.\n',
  'Guide/Setup.md': 'Install it.\n',
  'Guide/Usage.md': 'Use it.\n',
  'Guide/Usage/Advanced.md': 'Use it well.\n',
  'Reference.md': '# Reference\n\nEverything.\n',
  'Reference/API.md': 'The API.\n',
  'Reference/CLI.md': 'The CLI.\n',
  'Intro.md': 'Start here, then read [the reference](Reference.md).\n',
  ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`Note ${i + 1}.md`, `Note ${i + 1}.\n`])),
};
const titleOf = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1, -'.md'.length);

async function firstPublish(concurrency: number) {
  const emu = await startEmulator({ seed: 'demo' });
  const tmp = tempDir('csync-creates-');
  const ws = tmp.dir;
  try {
    await initAndPull(ws, emu);
    for (const [rel, body] of Object.entries(FILES)) {
      const abs = join(ws, 'content', 'DEMO', HOME, rel);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, body);
    }
    emu.setLatency(150);
    emu.resetLog();
    const push = await runCli(['push', '-w', ws, '--no-progress'], { env: { CSYNC_CONCURRENCY_PAGES: String(concurrency) }, timeoutMs: 240_000 });
    assert.equal(push.code, 0, push.stderr);
    assert.doesNotMatch(push.stdout + push.stderr, /not created|warning/i);
    const log = emu.requestLog();
    const creates = log.filter((r) => r.method === 'POST' && r.route.endsWith('/api/v2/pages'));
    const byRoute: Record<string, number> = {};
    for (const r of log) byRoute[`${r.method} ${r.route}`] = (byRoute[`${r.method} ${r.route}`] ?? 0) + 1;
    const pages = emu.api.pages('DEMO');
    const ids = Object.keys(FILES).map((rel) => readFileSync(join(ws, 'content', 'DEMO', HOME, rel), 'utf8').match(/^id: "?(\d+)"?$/m)?.[1]);
    return { creates: creates.length, alongside: Math.max(...creates.map((r) => r.alongside ?? 1)), byRoute, pages, ids };
  } finally {
    await emu.close();
    tmp.cleanup();
  }
}

test('a first publish creates independent pages side by side, parents and link targets first, with the same requests as one at a time', async () => {
  const serial = await firstPublish(1);
  const parallel = await firstPublish(4);
  console.log(`creates in flight at once: ${serial.alongside} with concurrency.pages 1, ${parallel.alongside} with 4; requests ${JSON.stringify(parallel.byRoute)}`);
  assert.equal(serial.alongside, 1);
  assert.ok(parallel.alongside > 1, `at most ${parallel.alongside} create in flight at once`);
  assert.ok(parallel.alongside <= 4, `${parallel.alongside} creates in flight: above concurrency.pages`);
  assert.deepEqual(parallel.byRoute, serial.byRoute, 'the same requests, route by route');
  for (const r of [serial, parallel]) {
    assert.equal(r.creates, Object.keys(FILES).length, 'one POST per new page');
    const home = r.pages.find((p) => p.title === HOME)!;
    for (const rel of Object.keys(FILES)) {
      const matching = r.pages.filter((p) => p.title === titleOf(rel));
      assert.equal(matching.length, 1, `${rel}: one page`);
      const page = matching[0]!;
      const parentRel = rel.includes('/') ? `${rel.slice(0, rel.lastIndexOf('/'))}.md` : undefined;
      const parent = parentRel ? r.pages.find((p) => p.title === titleOf(parentRel))! : home;
      assert.equal(page.parentId, parent.id, `${rel} is under ${parentRel ?? HOME}`);
      if (parentRel) assert.ok(Number(page.id) > Number(parent.id), `${rel} (${page.id}) created after ${parentRel} (${parent.id})`);
    }
    assert.ok(r.ids.every((id) => id !== undefined), 'every file holds its page id');
    const intro = r.pages.find((p) => p.title === 'Intro')!;
    const reference = r.pages.find((p) => p.title === 'Reference')!;
    assert.ok(Number(reference.id) < Number(intro.id), 'the page Intro links to is created first');
    assert.match(intro.body, /<ri:page ri:content-title="Reference"/, 'the link is a page link');
  }
});
