/**
 * Through the real CLI against the emulator (which, like Confluence, adds macro ids, schema versions, task ids and
 * attachment save versions on save): Markdown written by a person comes back as they wrote it, and the ids a Cloud
 * page carries survive an edit made in Markdown without ever showing up in the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { canonicalNodes } from '../../src/format/xml/canonical.js';
import { parseStorage } from '../../src/format/xml/parse.js';
import { serializeNodes } from '../../src/format/xml/serialize.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fileOf, workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

const HOME = 'content/DEMO/Demo space home';

const DOC = `# Release guide

Read the [architecture](Architecture.md) first, then the [Atlassian docs](https://developer.atlassian.com/cloud/confluence/).

## Steps

1. Build the bundle
2. Run the checks
   - unit tests
   - the end-to-end suite
3. Tag the release

| Step  | Owner | Time |
| ----- | :---: | ---: |
| Build |   CI  |  5 m |
| Tag   |  lead |  1 m |

\`\`\`bash
npm ci
npm run build && npm test
\`\`\`

\`\`\`
plain block
\`\`\`

- [ ] update the changelog
- [x] bump the version

> [!NOTE]
> Releases go out on Tuesdays.

Done.
`;

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

test('docs as code: a page written in Markdown, pushed, then pulled into a fresh workspace is byte-identical', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const rel = `${HOME}/Release guide.md`;
    writeFileSync(join(ws.dir, rel), DOC);
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const page = ws.emu.api.pageByTitle('DEMO', 'Release guide');
    assert.ok(page, 'the page was created');
    const stored = ws.emu.api.body(page.id);
    assert.match(stored, /ac:macro-id=/, 'the emulator added macro ids, as Confluence does');
    assert.match(stored, /<ri:page ri:content-title="Architecture"/, 'the relative link became a page link');
    const t = await freshPull(ws);
    try {
      const pulled = parseFile(readFileSync(join(t.dir, rel), 'utf8'));
      assert.equal(pulled.body, DOC);
    } finally {
      t.cleanup();
    }
    // And the author's own workspace sees nothing to pull back into the file.
    const again = await ws.csync(['pull']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(parseFile(readFileSync(join(ws.dir, rel), 'utf8')).body, DOC);
  } finally {
    await ws.close();
  }
});

const CLOUD =
  '<p local-id="a1">Intro paragraph.</p>' +
  '<h2 local-id="a2">Checklist</h2>' +
  '<ul local-id="a3"><li local-id="a4"><p local-id="a5">first</p></li><li local-id="a6"><p local-id="a7">second</p></li></ul>' +
  '<ac:structured-macro ac:name="code" ac:schema-version="1" ac:local-id="c1" ac:macro-id="m-1"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[make]]></ac:plain-text-body></ac:structured-macro>' +
  '<table data-table-width="760" data-layout="default" ac:local-id="t1"><tbody><tr><th><p>Key</p></th></tr><tr><td><p>value</p></td></tr></tbody></table>' +
  '<p local-id="a8">Closing words.</p>';

test('a Cloud page: no ids in the file; an edit pushed from Markdown keeps every id and changes only that block', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    const home = ws.emu.api.pageByTitle('DEMO', 'Demo space home')!;
    const page = ws.emu.api.createPage('DEMO', 'Cloud page', CLOUD, home.id);
    assert.equal((await ws.csync(['pull'])).code, 0);
    const rel = fileOf(ws, 'Cloud page');
    const text = readFileSync(join(ws.dir, rel), 'utf8');
    for (const s of ['local-id', 'macro-id', 'schema-version', 'attrs:', 'confluence-storage']) assert.ok(!text.includes(s), `${s} in:\n${text}`);
    const before = ws.emu.api.body(page.id);
    writeFileSync(join(ws.dir, rel), text.replace('Closing words.', 'Closing words, edited.').replace('- second\n', '- second, edited\n'));
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const after = ws.emu.api.body(page.id);
    const blocks = (s: string) => canonicalNodes(parseStorage(s).children).map((n) => serializeNodes([n]));
    const b = blocks(before);
    const a = blocks(after);
    assert.equal(a.length, b.length);
    assert.deepEqual([a[0], a[1], a[3], a[4]], [b[0], b[1], b[3], b[4]], 'untouched blocks are byte for byte the same');
    assert.equal(a[5], '<p local-id="a8">Closing words, edited.</p>');
    assert.match(a[2] as string, /<li local-id="a6"><p local-id="a7">second, edited<\/p><\/li>/);
    // Nothing more to push, and a pull brings back the same clean file.
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Nothing to push/);
  } finally {
    await ws.close();
  }
});
