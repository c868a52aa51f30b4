/**
 * Bounded memory per page (issue 13): a push loads each page file's text whole once (planning reads only the front
 * matter of new files, and keeps the texts of edits for sending), and a page over sync.maxPageBytes is refused before
 * it is read or converted. Counted through the CLI with the test-only read log of src/local/safe-fs.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { fileOf, type TestWorkspace, workspaceWithEmulator } from '../helpers/workspace.js';

async function pulled(): Promise<TestWorkspace> {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  const r = await ws.csync(['pull']);
  assert.equal(r.code, 0, r.stderr);
  return ws;
}

/** The read log's lines for `rel`, by kind. */
function readsOf(log: string, rel: string): { whole: number; head: number } {
  const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.split('\t')[1] === rel);
  return { whole: lines.filter((l) => l.startsWith('whole\t')).length, head: lines.filter((l) => l.startsWith('head\t')).length };
}

test('push loads an edited and a new page file whole once each, the big new one (front matter read first) included', async () => {
  const ws = await pulled();
  const tmp = tempDir('csync-reads-');
  try {
    const arch = fileOf(ws, 'Architecture');
    writeFileSync(join(ws.dir, arch), `${readFileSync(join(ws.dir, arch), 'utf8')}\nA paragraph added locally.\n`);
    const dir = dirname(arch);
    const newRel = `${dir}/Big new.md`;
    // Over the 64 Ki characters planning reads of a new file: its title comes from the head alone.
    const para = 'A paragraph of a big new page, long enough that its body is not read while the push plans.\n\n';
    writeFileSync(join(ws.dir, newRel), `---\ntitle: Big new page\nlabels: [big]\n---\n${para.repeat(2000)}`);
    const log = join(tmp.dir, 'reads.log');
    writeFileSync(log, '');
    const push = await ws.csync(['push'], { CSYNC_TEST_PAGE_READS: log });
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(ws.emu.api.body(ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id), /A paragraph added locally\./);
    const created = ws.emu.api.pageByTitle('DEMO', 'Big new page');
    assert.ok(created, 'created under the title of its front matter');
    assert.equal((ws.emu.api.body(created.id).match(/<p>/g) ?? []).length, 2000);
    assert.deepEqual(readsOf(log, arch).whole, 1, 'the edited page is loaded once');
    assert.deepEqual(readsOf(log, newRel).whole, 1, 'the new page is loaded once, when it is sent');
    assert.ok(readsOf(log, newRel).head >= 1, 'planning read its front matter');
  } finally {
    tmp.cleanup();
    await ws.close();
  }
});

test('an edited tracked page over sync.maxPageBytes is refused before it is read or converted (exit 10, one line); dry run and status say the same', async () => {
  const ws = await pulled();
  const tmp = tempDir('csync-reads-');
  try {
    const cfgPath = join(ws.dir, 'config', 'csync.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, sync: { ...((cfg.sync as object | undefined) ?? {}), maxPageBytes: 64 * 1024 } }));
    const arch = fileOf(ws, 'Architecture');
    const id = ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id;
    const before = ws.emu.api.body(id);
    writeFileSync(join(ws.dir, arch), `${readFileSync(join(ws.dir, arch), 'utf8')}\n${'A long added line of text.\n'.repeat(4000)}`);
    const log = join(tmp.dir, 'reads.log');
    writeFileSync(log, '');
    const dry = await ws.csync(['push', '--dry-run'], { CSYNC_TEST_PAGE_READS: log });
    assert.equal(dry.code, 10, dry.stdout + dry.stderr);
    const push = await ws.csync(['push'], { CSYNC_TEST_PAGE_READS: log });
    assert.equal(push.code, 10, push.stdout + push.stderr);
    for (const out of [dry.stdout, push.stdout]) {
      const lines = out.split('\n').filter((l) => l.includes('sync.maxPageBytes'));
      assert.equal(lines.length, 1, out);
      assert.match(lines[0]!, /Architecture\.md: skipped: [\d.]+ MiB is over the page size limit of [\d.]+ MiB \(sync\.maxPageBytes\); not pushed/);
    }
    assert.deepEqual(readsOf(log, arch), { whole: 0, head: 0 }, 'never loaded');
    assert.equal(ws.emu.api.body(id), before, 'Confluence unchanged');
    // status applies the same limit: one warning line per file, the same exit code as push, neither file read; a
    // new file over the limit too.
    const bigNew = `${dirname(arch)}/Huge new.md`;
    writeFileSync(join(ws.dir, bigNew), `---\ntitle: Huge new\n---\n${'Another long line of a huge page.\n'.repeat(4000)}`);
    for (const args of [['status', '--local'], ['status']]) {
      const st = await ws.csync(args, { CSYNC_TEST_PAGE_READS: log });
      assert.equal(st.code, 10, `${args.join(' ')}: ${st.stdout}${st.stderr}`);
      const lines = st.stdout.split('\n').filter((l) => l.includes('sync.maxPageBytes'));
      assert.equal(lines.length, 2, st.stdout);
      assert.match(st.stdout, /^warning: content\/\S.*Architecture\.md: skipped: [\d.]+ MiB is over the page size limit of [\d.]+ MiB \(sync\.maxPageBytes\)/m);
      assert.match(st.stdout, /^warning: content\/\S.*Huge new\.md: skipped: .* \(sync\.maxPageBytes\)/m);
      assert.doesNotMatch(st.stdout, /modified: .*Architecture|new: .*Huge new|Everything in sync/, 'not listed as changes push would send');
      const json = await ws.csync([...args, '--json'], { CSYNC_TEST_PAGE_READS: log });
      assert.equal(json.code, 10);
      assert.deepEqual((JSON.parse(json.stdout) as { skipped: string[] }).skipped.sort(), [arch, bigNew].sort());
    }
    assert.deepEqual(readsOf(log, arch), { whole: 0, head: 0 }, 'status never loaded the edited page');
    assert.deepEqual(readsOf(log, bigNew), { whole: 0, head: 0 }, 'status never loaded the new page');
  } finally {
    tmp.cleanup();
    await ws.close();
  }
});

test('a push of several big new pages holds one page text at a time: each is read whole once, after the previous create was sent, linked pages first', async () => {
  // Each request waits 150 ms in the emulator: a text read before the previous page's POST arrived would show.
  const ws = await workspaceWithEmulator({ seed: 'demo', latencyMs: 150 });
  const tmp = tempDir('csync-reads-');
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const dir = dirname(fileOf(ws, 'Architecture'));
    const para = 'A paragraph of a big new page, long enough that its body is not read while the push plans.\n\n';
    // Over the 64 Ki characters of a head read; "Alpha" links to "Delta" (at the end of its text): Delta goes first.
    const names = ['Alpha', 'Bravo', 'Charlie', 'Delta'];
    for (const n of names) {
      const link = n === 'Alpha' ? '\nSee [the last one](Delta.md).\n' : '';
      writeFileSync(join(ws.dir, `${dir}/${n}.md`), `---\ntitle: ${n} big\n---\n${para.repeat(900)}${link}`);
    }
    const log = join(tmp.dir, 'reads.log');
    writeFileSync(log, '');
    const push = await ws.csync(['push'], { CSYNC_TEST_PAGE_READS: log });
    assert.equal(push.code, 0, push.stdout + push.stderr);
    const reads = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
    const wholeAt = (n: string) => {
      const w = reads.filter((r) => r[0] === 'whole' && r[1] === `${dir}/${n}.md`);
      assert.equal(w.length, 1, `${n} is loaded whole once`);
      return Number(w[0]![3]);
    };
    const posts = ws.emu.requestLog().filter((r) => r.method === 'POST' && r.route === '/wiki/api/v2/pages').map((r) => r.at);
    assert.equal(posts.length, 4, 'four creates');
    const loads = names.map(wholeAt).sort((a, b) => a - b);
    // The k-th text is loaded after the (k-1)-th create was sent, so no two page texts are held at once.
    for (let k = 1; k < loads.length; k++) assert.ok(loads[k]! >= posts[k - 1]!, `text ${k + 1} loaded at ${loads[k]}, before create ${k} was sent at ${posts[k - 1]}`);
    const created = (n: string) => Number(ws.emu.api.pageByTitle('DEMO', `${n} big`)!.id);
    assert.ok(created('Delta') < created('Alpha'), 'the linked page is created first');
    assert.match(ws.emu.api.body(String(created('Alpha'))), /Delta big/, 'the link points at the page');
  } finally {
    tmp.cleanup();
    await ws.close();
  }
});
