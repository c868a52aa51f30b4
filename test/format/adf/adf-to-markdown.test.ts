/**
 * ADF → Markdown: whole documents with the shapes Jira and Confluence Cloud produce (golden text, and the Markdown
 * read back by the same parser the export's renderers use), malformed documents, and a property: any ADF-like tree
 * converts without throwing and keeps every word of its text nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Blockquote, List, Root, Table } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { adfToMarkdown } from '../../../src/format/adf/to-markdown.js';
import { alertOf } from '../../../src/export/alerts.js';
import { pageMarkdown } from '../../../src/export/markdown.js';
import { storageToAdf } from '../../../src/emulator/adf.js';
import { announce, checkSeed, suiteSeeds } from '../../helpers/seeds.js';
import { bugReport, malformed, richPage, trickyText } from './fixtures.js';

const parse = (md: string) => unified().use(remarkParse).use(remarkGfm).parse(md) as Root;
const plain = (node: unknown): string => {
  const n = node as { value?: string; children?: unknown[] };
  return (n.value ?? '') + (n.children ?? []).map(plain).join('');
};

test('a Jira bug report: headings, marks, mention, date, emoji, nested lists, code, panel, status, image, breaks', () => {
  assert.equal(
    adfToMarkdown(bugReport),
    [
      '## What happens',
      '',
      'The nightly **export job** stops on `replica-2` after *about 40 minutes*. Reported by @Mira Okafor on 2024-03-01 😞',
      '',
      '### Steps',
      '',
      '1. Open the [scheduler page](https://ops.example.test/scheduler)',
      '2. Start the job by hand',
      '   - with `--full`',
      '   - or without it',
      '3. Wait',
      '',
      '```shell',
      '$ export-job --full',
      'error: disk full (wrote 93 GiB of 100 GiB)',
      '# see the ```log``` above',
      '```',
      '',
      '> [!WARNING]',
      '> Do not restart the replica while the job runs.',
      '',
      'Status: \\[IN PROGRESS\\]',
      '',
      '![disk-usage.png](disk-usage.png)\\',
      '*Disk usage during the run*',
      '',
      '---',
      '',
      'First line\\',
      'second line ~~struck~~ and <u>under</u> H<sub>2</sub>O, x<sup>2</sup> in red',
      '',
    ].join('\n'),
  );
});

test('the bug report reads back as the same structure through the export parser', () => {
  const tree = parse(adfToMarkdown(bugReport));
  const kinds = tree.children.map((c) => c.type);
  assert.deepEqual(kinds, ['heading', 'paragraph', 'heading', 'list', 'code', 'blockquote', 'paragraph', 'paragraph', 'thematicBreak', 'paragraph']);
  const list = tree.children[3] as List;
  assert.equal(list.ordered, true);
  assert.equal(list.children.length, 3);
  assert.equal((list.children[1]!.children[1] as List).children.length, 2, 'the nested list stays under item 2');
  assert.equal((tree.children[4] as { lang?: string }).lang, 'shell');
  assert.match((tree.children[4] as { value: string }).value, /```log```/);
  assert.equal(alertOf(tree.children[5] as Blockquote)?.kind, 'warning');
  assert.equal(plain(tree.children[6]), 'Status: [IN PROGRESS]');
});

test('a Confluence-style page: layouts, expands, task and decision lists, both table forms, cards, extensions, media, all panel kinds', () => {
  const md = adfToMarkdown(richPage);
  const tree = parse(md);
  // Task list nested as a sibling list belongs to the item before it.
  assert.match(md, /^- \[x\] Back up the database\n- \[ \] Announce the window\n {2}- \[ \] in the ops channel$/m);
  // A decision list right after the task list stays a list of its own (other bullet marker).
  assert.match(md, /^\* \*\*Decision:\*\* We ship on Tuesday$/m);
  const lists = tree.children.filter((c): c is List => c.type === 'list');
  assert.equal(lists.length, 2 + 2, 'task list, decision list, and the two row lists of the complex table');
  assert.equal(lists[0]!.children[0]!.checked, true);
  assert.equal(lists[0]!.children[1]!.checked, false);
  // The simple table is a GFM table; `|` in a cell is escaped.
  const table = tree.children.find((c): c is Table => c.type === 'table')!;
  assert.deepEqual(
    table.children.map((r) => r.children.map(plain)),
    [
      ['Host', 'Role', 'Free'],
      ['db-1', 'primary', '41% | ok'],
      ['db-2', 'replica', '7%'],
    ],
  );
  // The table with a list in a cell and a spanning cell is written row by row.
  assert.match(md, /\*Table, written row by row:\*\n\nRow 1\n\n- \*\*Step\*\*: Drain\n- \*\*Notes\*\*:\n\n {2}Two things:\n\n {2}- stop writes\n {2}- flush queues\n\nRow 2\n\n- \*\*Step\*\* \(spans 2 columns\): Switch over/);
  assert.match(md, /^\*\*Rollback plan\*\*\n\nRevert the release tag, then redeploy\.\n\n\*\*Details\*\*\n\nNested words$/m);
  assert.match(md, /^Left column\n\nRight column$/m);
  assert.match(md, /^<https:\/\/jira\.example\.test\/browse\/OPS-12> tracks it\.$/m);
  assert.match(md, /^<https:\/\/docs\.example\.test\/runbooks\/failover>$/m);
  assert.match(md, /^\*\\\[toc\\\]\*$/m);
  assert.match(md, /^\*\\\[details\\\]\*\n\nOwner: platform team$/m);
  assert.match(md, /^\[runbook\.pdf\]\(runbook\.pdf\)\n\n\[a9b8c7d6\]\(a9b8c7d6\)$/m);
  const alerts = tree.children.filter((c): c is Blockquote => c.type === 'blockquote').map((b) => alertOf(b)?.kind ?? 'quote');
  assert.deepEqual(alerts, ['quote', 'note', 'tip', 'important', 'caution', 'note']);
  assert.match(md, /^✔️ :party_parrot: 👍🏻$/m);
});

test('text that looks like Markdown stays text; overlapping marks nest; whitespace moves outside delimiters', () => {
  const md = adfToMarkdown(trickyText);
  const tree = parse(md);
  assert.deepEqual(
    tree.children.map((c) => c.type),
    ['paragraph', 'paragraph', 'paragraph', 'paragraph', 'paragraph', 'paragraph', 'paragraph', 'heading'],
  );
  assert.equal(plain(tree.children[0]), '# not a heading, *not emphasis*, [not](a link), <b>not html</b>, snake_case_name and _edge_ 1 < 2 & AT&T; &amp;');
  assert.equal(plain(tree.children[1]), '1. not a list');
  assert.equal(plain(tree.children[2]), '- nor this');
  assert.match(md, /^\*\*bold and \*bold italic\* bold again\*\* plain$/m);
  assert.match(md, /^\*\*spaced\*\* x$/m);
  assert.match(md, /^\[link \*\*bold link\*\*\]\(<https:\/\/example\.test\/a b\(c\)>\)$/m);
  const link = (tree.children[5] as { children: Array<{ type: string; url?: string }> }).children[0]!;
  assert.equal(link.type, 'link');
  assert.equal(link.url, 'https://example.test/a b(c)');
  assert.equal(plain(tree.children[6]), 'code with `ticks` and `');
  assert.equal((tree.children[7] as { depth: number }).depth, 6);
  assert.equal(plain(tree.children[7]), 'Level clamped one line #');
});

test('malformed documents never throw and keep their words', () => {
  const expected: Record<string, RegExp | string> = {
    null: '',
    number: '42\n',
    'plain string': 'just some text\n',
    'array of nodes': 'from an array\n',
    'doc without content': '',
    'content not an array': '',
    'content an object': 'single object content\n',
    'unknown block': '*\\[unknown: fancyWidget\\]*\n\ninside the widget\n',
    'unknown inline': 'before \\[sparkle: sparkly words\\] after\n',
    'node without type': '*\\[unknown: node without a type\\]*\n\ntypeless parent\n',
    'text not a string': '12345\n',
    'marks not an array': 'marked\n',
    'mark without type': 'odd mark\n',
    'attrs wrong types': '# heading with bad attrs\n\n1. item\n',
    'null children': '7\n\nsurvivor\n',
    'table with junk': '|  |  |\n| --- | --- |\n|  | loose cell text |\n\npara in table\n',
    'bad date': 'yesterday\n',
    'huge date': '100000000000000000000\n',
    'leaf with content': '---\n\nwords in a rule\n',
    'block in paragraph': 'outer \\[bulletList: inner item\\]\n',
    'text at top level': 'bare text\\\nmore bare text\n',
    'cell outside table': '|  |\n| --- |\n| lonely cell |\n',
    'item outside list': '- lonely item\n',
  };
  for (const [name, doc] of malformed) {
    const out = adfToMarkdown(doc);
    const want = expected[name];
    assert.ok(want !== undefined, `expectation for ${name}`);
    if (typeof want === 'string') assert.equal(out, want, name);
    else assert.match(out, want, name);
  }
});

test('a tree deeper than the call stack falls back to its words', () => {
  let node: unknown = { type: 'text', text: 'deep down' };
  for (let i = 0; i < 100_000; i++) node = { type: 'blockquote', content: [node] };
  assert.equal(adfToMarkdown({ type: 'doc', content: [node] }), 'deep down\n');
});

// ---- property: any ADF-like tree converts, and no word of a text node is lost ----

const TYPES = ['doc', 'paragraph', 'heading', 'text', 'bulletList', 'orderedList', 'listItem', 'taskList', 'taskItem', 'decisionList', 'decisionItem', 'codeBlock', 'blockquote', 'rule', 'panel', 'table', 'tableRow', 'tableHeader', 'tableCell', 'mediaSingle', 'mediaGroup', 'media', 'caption', 'mention', 'emoji', 'date', 'status', 'inlineCard', 'blockCard', 'expand', 'nestedExpand', 'layoutSection', 'layoutColumn', 'extension', 'bodiedExtension', 'inlineExtension', 'hardBreak', 'placeholder', 'mysteryNode', ''];
const MARKS = ['strong', 'em', 'code', 'strike', 'underline', 'link', 'subsup', 'textColor', 'annotation', 'weird'];
const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const word = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const textValue = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(word, fc.constantFrom(' ', '*', '_', '`', '[', ']', '|', '\n', '#', '- ', '1. ', '<', '&', '\\', '~', '>')), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);
const attrs = fc.dictionary(fc.constantFrom('level', 'order', 'state', 'panelType', 'language', 'text', 'shortName', 'id', 'timestamp', 'url', 'href', 'type', 'colspan', 'rowspan', 'title', 'alt', 'extensionKey'), scalar, { maxKeys: 3 });
const mark = fc.record({ type: fc.constantFrom(...MARKS), attrs: fc.option(attrs, { nil: undefined }) }, { requiredKeys: ['type'] });
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constant('text'), text: textValue, marks: fc.option(fc.array(mark, { maxLength: 3 }), { nil: undefined }) }, { requiredKeys: ['type', 'text'] }),
    fc.record({ type: fc.constantFrom(...TYPES), attrs: fc.option(attrs, { nil: undefined }), content: fc.option(fc.array(tie('tree'), { maxLength: 4 }), { nil: undefined }) }, { requiredKeys: ['type'] }),
    scalar,
    fc.array(tie('tree'), { maxLength: 2 }),
  ),
}));

/** The words of every text node in the tree (what must survive, whatever the structure around it). */
function textWords(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) return out;
  if (typeof v !== 'object' || v === null) return out;
  const n = v as { type?: unknown; text?: unknown; content?: unknown };
  if (n.type === 'text' && typeof n.text === 'string') out.push(...(n.text.match(/[a-z0-9]+/g) ?? []));
  if (Array.isArray(n.content)) for (const c of n.content) textWords(c, out);
  return out;
}

const seeds = suiteSeeds('CSYNC_ADF', 20261203, 400, 200);
announce('adf-to-markdown.property', seeds);
test(`random ADF-like trees: never throws, output is a string, every word of a text node is kept (${seeds.map((s) => `${s.cases} cases of ${s.kind} seed ${s.seed}`).join(' + ')})`, async () => {
  for (const s of seeds) {
    await checkSeed(
      'CSYNC_ADF',
      'adf-to-markdown',
      s,
      fc.property(tree, (doc) => {
        const md = adfToMarkdown({ type: 'doc', content: [doc] });
        assert.equal(typeof md, 'string');
        const flat = md.toLowerCase().replace(/[^a-z0-9]+/g, ' ');
        for (const w of textWords(doc)) assert.ok(flat.includes(w), `word ${JSON.stringify(w)} missing from:\n${md}`);
      }),
    );
  }
});

test("the emulator's storage → ADF route and the project's storage → Markdown converter read the same", () => {
  const storage =
    '<h1>Deploy</h1><p>Run <strong>all</strong> the <em>steps</em> with <code>make</code> and <a href="https://x.test/a">the docs</a>.</p>' +
    '<ul><li>one</li><li>two<ul><li>deep</li></ul></li></ul><ol start="3"><li>three</li><li>four</li></ol>' +
    '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">js</ac:parameter><ac:plain-text-body><![CDATA[let a = 1;\n# not a heading]]></ac:plain-text-body></ac:structured-macro>' +
    '<table><tbody><tr><th>H</th><th>I</th></tr><tr><td>a | b</td><td><del>old</del> new</td></tr></tbody></table>' +
    '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Heads up</p></ac:rich-text-body></ac:structured-macro>' +
    '<ac:structured-macro ac:name="tip"><ac:rich-text-body><p>A tip</p></ac:rich-text-body></ac:structured-macro>' +
    '<blockquote><p>quoted *text*</p></blockquote><hr/><p>a<br/>b</p><h2>Done_now</h2>';
  const resolver = { pathForPage: () => undefined, pageForPath: () => undefined, pathForAttachment: (n: string) => n, attachmentForPath: () => undefined };
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'position' && k !== 'spread').map(([k, x]) => [k, strip(x)]));
  };
  const viaAdf = parse(adfToMarkdown(storageToAdf(storage)));
  const viaStorage = parse(pageMarkdown(storage, 'DEMO', 'Deploy', resolver));
  assert.deepEqual(strip(viaAdf), strip(viaStorage));
});
