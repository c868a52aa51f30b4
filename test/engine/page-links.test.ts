/**
 * Relative links between Markdown files become page links in Confluence, through the real CLI against the emulator:
 * links to pages the same push creates later (a cycle included) are page links after one push with one version per
 * page; a link to a file that is no page yet becomes a page link in the push that creates that page; and a pull into
 * a fresh workspace gives back the Markdown as written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { workspaceWithEmulator, writes, type TestWorkspace } from '../helpers/workspace.js';

/** A space holding only its homepage, pulled: new files go in `content/DEMO/Home/`. */
async function emptySpace(): Promise<TestWorkspace> {
  const ws = await workspaceWithEmulator({ seed: 'empty' });
  ws.emu.api.createSpace('DEMO');
  ws.emu.api.createPage('DEMO', 'Home', '<p>Home.</p>', null);
  const pull = await ws.csync(['pull']);
  assert.equal(pull.code, 0, pull.stderr);
  return ws;
}

function write(ws: TestWorkspace, rel: string, body: string): void {
  mkdirSync(dirname(join(ws.dir, rel)), { recursive: true });
  writeFileSync(join(ws.dir, rel), body);
}

/** A second workspace on the same emulator, pulled fresh: what a colleague would get. */
async function freshPull(ws: TestWorkspace): Promise<{ dir: string; cleanup: () => void }> {
  const t = tempDir('csync-ws2-');
  mkdirSync(join(t.dir, 'config'), { recursive: true });
  writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: ws.emu.url }, spaces: ['DEMO'] }));
  const env = { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
  const r = await runCli(['-w', t.dir, '--no-progress', 'pull'], { env });
  assert.equal(r.code, 0, r.stderr);
  return t;
}

/** The page links of a storage body (titles in order), and whether any relative link stayed a plain link. */
function links(storage: string): { pages: string[]; plain: string[] } {
  return {
    pages: [...storage.matchAll(/<ac:link[^>]*><ri:page [^>]*ri:content-title="([^"]*)"/g)].map((m) => m[1]!),
    plain: [...storage.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]!),
  };
}

const TREE: Record<string, string> = {
  'content/DEMO/Home/Guide.md': 'Start with [the setup](Guide/Setup.md), then read the [FAQ](FAQ.md#top).\n',
  'content/DEMO/Home/Guide/Setup.md': '# Setup\n\nBack to [the guide](../Guide.md). Details in [Install notes](Install%20notes.md).\n',
  'content/DEMO/Home/Guide/Install notes.md': 'See [Setup](Setup.md) first and the [FAQ](../FAQ.md).\n',
  'content/DEMO/Home/FAQ.md': '# FAQ\n\nEverything starts at [the guide](Guide.md) and [its setup](Guide/Setup.md).\n',
};
const EXPECTED: Record<string, string[]> = {
  Guide: ['Setup', 'FAQ'],
  Setup: ['Guide', 'Install notes'],
  'Install notes': ['Setup', 'FAQ'],
  FAQ: ['Guide', 'Setup'],
};

test('a new tree of pages linking to each other (with cycles): every link is a page link after one push, one version per page', async () => {
  const ws = await emptySpace();
  try {
    for (const [rel, body] of Object.entries(TREE)) write(ws, rel, body);
    ws.emu.resetLog();
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const w = writes(ws);
    assert.equal(w.length, 4, `one create per page and nothing else:\n${w.join('\n')}`);
    assert.ok(w.every((r) => r.startsWith('POST ')), w.join('\n'));
    for (const [title, targets] of Object.entries(EXPECTED)) {
      const page = ws.emu.api.pageByTitle('DEMO', title);
      assert.ok(page, `${title} was created`);
      assert.equal(page.version.number, 1, `${title}: no second version`);
      const l = links(ws.emu.api.body(page.id));
      assert.deepEqual(l.pages, targets, `${title}: ${ws.emu.api.body(page.id)}`);
      assert.deepEqual(l.plain, []);
    }
    assert.match(ws.emu.api.body(ws.emu.api.pageByTitle('DEMO', 'Guide')!.id), /<ac:link ac:anchor="top"><ri:page ri:content-title="FAQ" ?\/>/);
    // Nothing left to push; a fresh workspace gets the same Markdown back, file for file.
    ws.emu.resetLog();
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(writes(ws), []);
    const t = await freshPull(ws);
    try {
      for (const [rel, body] of Object.entries(TREE)) assert.equal(parseFile(readFileSync(join(t.dir, rel), 'utf8')).body, body, rel);
    } finally {
      t.cleanup();
    }
  } finally {
    await ws.close();
  }
});

test('a link to a file that is no page yet becomes a page link in the push that creates that page', async () => {
  const ws = await emptySpace();
  try {
    const a = 'See [the plan](Plan%20B.md) and [notes](Notes.md).\n';
    write(ws, 'content/DEMO/Home/A.md', a);
    write(ws, 'content/DEMO/Home/Notes.md', 'Notes.\n');
    assert.equal((await ws.csync(['push'])).code, 0);
    const pageA = ws.emu.api.pageByTitle('DEMO', 'A')!;
    assert.deepEqual(links(ws.emu.api.body(pageA.id)), { pages: ['Notes'], plain: ['Plan%20B.md'] });

    // Plan B.md appears, and Notes is edited to link to a page created in the same push (edits are sent first).
    write(ws, 'content/DEMO/Home/Plan B.md', 'The plan.\n');
    const notes = readFileSync(join(ws.dir, 'content/DEMO/Home/Notes.md'), 'utf8');
    writeFileSync(join(ws.dir, 'content/DEMO/Home/Notes.md'), notes.replace('Notes.\n', 'Notes, see [the plan](Plan%20B.md).\n'));
    ws.emu.resetLog();
    // The dry run shows what the push will do, the page written again included, and sends nothing.
    const dry = await ws.csync(['push', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = (JSON.parse(dry.stdout) as { plan: Array<{ action: string; path: string }> }).plan.map((l) => `${l.action} ${l.path}`).sort();
    assert.deepEqual(plan, ['create content/DEMO/Home/Plan B.md', 'update content/DEMO/Home/A.md', 'update content/DEMO/Home/Notes.md']);
    assert.deepEqual(writes(ws), []);
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const w = writes(ws);
    assert.equal(w.filter((r) => r.startsWith('POST ')).length, 1, w.join('\n'));
    assert.equal(w.filter((r) => r.startsWith('PUT ')).length, 2, `Notes (edited) and A (relinked), once each:\n${w.join('\n')}`);
    assert.equal(w.length, 3, w.join('\n'));
    const after = ws.emu.api.pageByTitle('DEMO', 'A')!;
    assert.equal(after.version.number, 2);
    assert.deepEqual(links(ws.emu.api.body(after.id)), { pages: ['Plan B', 'Notes'], plain: [] });
    const n = ws.emu.api.pageByTitle('DEMO', 'Notes')!;
    assert.equal(n.version.number, 2);
    assert.deepEqual(links(ws.emu.api.body(n.id)), { pages: ['Plan B'], plain: [] });
    // A's file is untouched; nothing more to push, and a fresh pull gives back what was written.
    assert.equal(parseFile(readFileSync(join(ws.dir, 'content/DEMO/Home/A.md'), 'utf8')).body, a);
    ws.emu.resetLog();
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(writes(ws), []);
    const t = await freshPull(ws);
    try {
      assert.equal(parseFile(readFileSync(join(t.dir, 'content/DEMO/Home/A.md'), 'utf8')).body, a);
      assert.equal(parseFile(readFileSync(join(t.dir, 'content/DEMO/Home/Notes.md'), 'utf8')).body, 'Notes, see [the plan](Plan%20B.md).\n');
    } finally {
      t.cleanup();
    }
  } finally {
    await ws.close();
  }
});
