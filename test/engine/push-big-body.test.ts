/**
 * Bounded memory per page (issue 13): a big page's create and update bodies are written to Confluence in pieces and
 * their answers (which repeat the body) are read without it (src/remote/json-stream.ts). What users see stays the
 * same: one request per page, the whole body in Confluence (every escape and multi-byte character), the same page
 * back in another workspace. Byte-exact request bodies are checked against a local server in
 * test/remote/json-stream.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fileOf, workspaceWithEmulator, writes } from '../helpers/workspace.js';

const PARAS = 4000;

function paragraph(i: number): string {
  return `Paragraph ${i}: "quoted" text, a back\\\\slash, é and € and 😀, <not a tag> & more words to fill the line.\n\n`;
}

test('a big page (~0.5 MB) is created and edited with one request each; Confluence holds all of it; another workspace pulls the same file', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  const other = tempDir('csync-ws-other-');
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const dir = dirname(fileOf(ws, 'Architecture'));
    const rel = `${dir}/Big body.md`;
    let body = '';
    for (let i = 0; i < PARAS; i++) body += paragraph(i);
    writeFileSync(join(ws.dir, rel), `---\ntitle: Big body\n---\n${body}`);
    assert.ok(Buffer.byteLength(body) > 400_000);

    ws.emu.resetLog();
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.deepEqual(writes(ws), ['POST /wiki/api/v2/pages'], 'one create');
    const page = ws.emu.api.pageByTitle('DEMO', 'Big body');
    assert.ok(page);
    const stored = ws.emu.api.body(page.id);
    assert.equal((stored.match(/<p>/g) ?? []).length, PARAS);
    assert.equal((stored.match(/😀/g) ?? []).length, PARAS);
    assert.equal((stored.match(/é and €/g) ?? []).length, PARAS);
    assert.ok(stored.includes(`Paragraph ${PARAS - 1}: `), 'the end of the body arrived');
    assert.ok(!stored.includes('\ufffd'));

    // An edit: one PUT; the new paragraph at the end, nothing lost before it.
    const file = join(ws.dir, rel);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nA last paragraph, added locally 😀.\n`);
    ws.emu.resetLog();
    const edit = await ws.csync(['push']);
    assert.equal(edit.code, 0, edit.stdout + edit.stderr);
    assert.deepEqual(writes(ws), ['PUT /wiki/api/v2/pages/{id}'], 'one update');
    const after = ws.emu.api.body(page.id);
    assert.equal((after.match(/<p>/g) ?? []).length, PARAS + 1);
    assert.match(after, /A last paragraph, added locally 😀\./);
    assert.equal(ws.emu.api.pageByTitle('DEMO', 'Big body')?.version.number, 2);

    // Another workspace pulls the page: the same body as the file pushed (a pull writes what the converter gives).
    mkdirSync(join(other.dir, 'config'), { recursive: true });
    writeFileSync(join(other.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: ws.emu.url }, spaces: ['DEMO'] }));
    const env = { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
    const pull = await runCli(['-w', other.dir, '--no-progress', 'pull'], { env });
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    const mine = parseFile(readFileSync(file, 'utf8'));
    const theirs = parseFile(readFileSync(join(other.dir, rel), 'utf8'));
    assert.ok(mine.ok && theirs.ok);
    assert.equal(theirs.body, mine.body);
  } finally {
    other.cleanup();
    await ws.close();
  }
});
