/**
 * Property, through the real CLI against the emulator: Markdown a person writes — in the forms the converter writes
 * and in the other forms people type (`*`/`+` bullets, `1)` lists, `_` emphasis, setext headings, `~~~` fences,
 * unpadded tables, `***` rules, trailing-space breaks, relative links between the new files spelled `./B.md` or
 * `<Doc B.md>`) — is pushed as new pages;
 * the push writes each file back at most once, in the form a pull gives (docs/markdown.md, "What people write"); a
 * pull into a fresh workspace then gives every file back byte for byte, and a second push writes nothing. Files
 * already in the converter's form are not rewritten at all.
 * Bounded by cases (a fixed seed and a fresh one, printed with the command that replays it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseFile } from '../../src/format/front-matter.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { announce, checkSeed, suiteSeeds } from '../helpers/seeds.js';
import { workspaceWithEmulator, writes, type TestWorkspace } from '../helpers/workspace.js';

const DOCS = 5;
const seeds = suiteSeeds('CSYNC_WRITTEN_MD', 20261203, 1, 1);

/** A block as the converter writes it (`canonical`) and as a person may type it (`typed`). */
interface Block {
  canonical: string;
  typed: string;
  /** Lists side by side are told apart by their markers (the converter alternates them): a paragraph goes between. */
  list?: boolean;
}

const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'north', 'south', 'build', 'deploy', 'owner', 'value', 'x1', 'y2');
const words = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const same = (s: string): Block => ({ canonical: s, typed: s });

function inline(docs: readonly string[]): fc.Arbitrary<Block> {
  return fc.oneof(
    words.map(same),
    fc.tuple(words, fc.boolean()).map(([w, u]) => ({ canonical: `*${w}*`, typed: u ? `_${w}_` : `*${w}*` })),
    fc.tuple(words, fc.boolean()).map(([w, u]) => ({ canonical: `**${w}**`, typed: u ? `__${w}__` : `**${w}**` })),
    word.map((w) => same(`\`${w}\``)),
    word.map((w) => same(`~~${w}~~`)),
    word.map((w) => same(`[${w}](https://example.com/${w})`)),
    fc.tuple(words, fc.integer({ min: 0, max: docs.length - 1 }), fc.constantFrom('encoded', 'dot', 'angle')).map(([w, i, spelling]) => {
      const canonical = `[${w}](${encodeURI(docs[i]!)}.md)`;
      if (spelling === 'dot') return { canonical, typed: `[${w}](./${encodeURI(docs[i]!)}.md)` };
      if (spelling === 'angle') return { canonical, typed: `[${w}](<${docs[i]!}.md>)` };
      return same(canonical);
    }),
  );
}

function line(docs: readonly string[]): fc.Arbitrary<Block> {
  return fc.array(inline(docs), { minLength: 1, maxLength: 4 }).map((parts) => ({ canonical: parts.map((p) => p.canonical).join(' '), typed: parts.map((p) => p.typed).join(' ') }));
}

function block(docs: readonly string[]): fc.Arbitrary<Block> {
  const l = line(docs);
  return fc.oneof(
    l,
    fc.tuple(l, l, fc.boolean()).map(([a, b, spaces]) => ({ canonical: `${a.canonical}\\\n${b.canonical}`, typed: `${a.typed}${spaces ? '  ' : '\\'}\n${b.typed}` })),
    fc.tuple(fc.integer({ min: 1, max: 3 }), words, fc.boolean()).map(([level, w, setext]) => ({
      canonical: `${'#'.repeat(level)} ${w}`,
      typed: setext && level <= 2 ? `${w}\n${(level === 1 ? '=' : '-').repeat(w.length)}` : `${'#'.repeat(level)} ${w}`,
    })),
    fc.tuple(fc.array(l, { minLength: 1, maxLength: 4 }), fc.constantFrom('-', '*', '+')).map(([items, m]) => ({
      canonical: items.map((i) => `- ${i.canonical}`).join('\n'),
      typed: items.map((i) => `${m} ${i.typed}`).join('\n'),
      list: true,
    })),
    fc.tuple(fc.array(l, { minLength: 1, maxLength: 4 }), fc.constantFrom('.', ')')).map(([items, d]) => ({
      canonical: items.map((i, n) => `${n + 1}. ${i.canonical}`).join('\n'),
      typed: items.map((i, n) => `${n + 1}${d} ${i.typed}`).join('\n'),
      list: true,
    })),
    fc.tuple(fc.constantFrom('', 'bash', 'python'), fc.array(words, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([lang, lines, tilde]) => {
      const f = tilde ? '~~~' : '```';
      return { canonical: `\`\`\`${lang}\n${lines.join('\n')}\n\`\`\``, typed: `${f}${lang}\n${lines.join('\n')}\n${f}` };
    }),
    fc.constantFrom('---', '***', '___').map((t) => ({ canonical: '---', typed: t })),
    l.map((x) => ({ canonical: `> ${x.canonical}`, typed: `> ${x.typed}` })),
    fc.tuple(fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 3 }), fc.boolean()).map(([rows, padded]) => {
      const cells = [['key', 'value'], ...rows];
      const width = [0, 1].map((c) => Math.max(3, ...cells.map((r) => r[c]!.length)));
      const pad = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
      const canonical = [pad(cells[0]!), `| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(pad)].join('\n');
      const typed = [`| ${cells[0]!.join(' | ')} |`, '|---|---|', ...cells.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n');
      return { canonical, typed: padded ? canonical : typed };
    }),
  );
}

const NAMES = ['Guide', 'Setup notes', 'FAQ', 'Release plan', 'Team'];
// Adjacent lists get a paragraph between them (else they merge), and a file never starts with a thematic break: a
// first line `---` opens YAML front matter, so such a file's text up to the next `---` is read as front matter.
const apart = (blocks: readonly Block[]): Block[] => {
  const out = blocks.flatMap((b, i) => (b.list && blocks[i - 1]?.list ? [same('between'), b] : [b]));
  return out[0]?.canonical === '---' ? [same('before'), ...out] : out;
};
const caseArb = fc.array(fc.array(block(NAMES), { minLength: 1, maxLength: 6 }).map(apart), { minLength: DOCS, maxLength: DOCS });

async function pullInto(ws: TestWorkspace, dir: string): Promise<void> {
  const env = { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
  const r = await runCli(['-w', dir, '--no-progress', 'pull'], { env });
  assert.equal(r.code, 0, r.stderr);
}

announce('written-markdown.property', seeds);
test(`what people write comes back as written (after one documented normalisation): md → push → pull into a fresh workspace, ${seeds.map((s) => `${s.cases} cases of ${s.kind} seed ${s.seed}`).join(' + ')}, ${DOCS} pages each`, { timeout: 600_000 }, async () => {
  for (const s of seeds) {
    await checkSeed(
      'CSYNC_WRITTEN_MD',
      'test/format/written-markdown.property.test.ts',
      s,
      fc.asyncProperty(caseArb, async (docs) => {
        const ws = await workspaceWithEmulator({ seed: 'empty' });
        const fresh = tempDir('csync-written-');
        try {
          ws.emu.api.createSpace('DEMO');
          ws.emu.api.createPage('DEMO', 'Home', '<p>Home.</p>', null);
          assert.equal((await ws.csync(['pull'])).code, 0);
          const dir = 'content/DEMO/Home';
          mkdirSync(join(ws.dir, dir), { recursive: true });
          const typed = docs.map((blocks) => `${blocks.map((b) => b.typed).join('\n\n')}\n`);
          const canonical = docs.map((blocks) => `${blocks.map((b) => b.canonical).join('\n\n')}\n`);
          NAMES.forEach((n, i) => writeFileSync(join(ws.dir, dir, `${n}.md`), typed[i]!));
          const push = await ws.csync(['push']);
          assert.equal(push.code, 0, push.stderr + push.stdout);
          const written = NAMES.map((n) => parseFile(readFileSync(join(ws.dir, dir, `${n}.md`), 'utf8')).body);
          NAMES.forEach((n, i) => {
            // Typed in the converter's forms: never rewritten. Otherwise rewritten once, into those forms.
            if (typed[i] === canonical[i]) assert.equal(written[i], typed[i], `${n}: a file in the converter's form was rewritten`);
            else assert.equal(written[i], canonical[i], `${n}: normalised into an unexpected form`);
          });
          for (const n of NAMES) assert.doesNotMatch(ws.emu.api.body(ws.emu.api.pageByTitle('DEMO', n)!.id), /<a href="[^"]*\.md"/, `${n}: a relative link stayed a plain link`);
          ws.emu.resetLog();
          const again = await ws.csync(['push']);
          assert.equal(again.code, 0, again.stderr);
          assert.deepEqual(writes(ws), [], 'a second push writes nothing');
          mkdirSync(join(fresh.dir, 'config'), { recursive: true });
          writeFileSync(join(fresh.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: ws.emu.url }, spaces: ['DEMO'] }));
          await pullInto(ws, fresh.dir);
          NAMES.forEach((n, i) => assert.equal(parseFile(readFileSync(join(fresh.dir, dir, `${n}.md`), 'utf8')).body, written[i], `${n}: a fresh pull differs from the file`));
        } finally {
          fresh.cleanup();
          await ws.close();
        }
      }),
      {},
      { shrink: false },
    );
  }
});
