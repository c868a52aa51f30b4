/**
 * The fast `text` handler (src/format/markdown/stringify-text.ts) and the fast containers and `safe`
 * (src/format/markdown/stringify-containers.ts) must write exactly what remark-stringify's own handlers write:
 * differential tests against a stock stringifier with the same options, on the CommonMark spec examples, on the
 * converter's own output (both corpora) and on generated trees whose text is all Markdown metacharacters (a fixed
 * seed and a fresh one).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PhrasingContent, Root, RootContent } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { parseMarkdown, STRINGIFY_OPTIONS, stringifyMarkdown } from '../../src/format/markdown/processors.js';
import { specExamples } from '../../bench/format-commonmark.js';
import { corpus } from '../../bench/format-corpus.js';
import { storageBody } from './arbitraries.js';
import { toMd } from './helpers.js';
import { cloudCorpus } from './cloud-corpus.js';
import { assertSeeded } from '../helpers/seeds.js';

const RUNS = process.env.CSYNC_SOAK === '1' ? 3000 : 300;
const stock = unified().use(remarkStringify, STRINGIFY_OPTIONS).use(remarkGfm);

function same(tree: Root, label: string): void {
  // By design (processors.ts) a document that starts with U+FEFF writes it as a character reference: a reader would
  // drop a leading U+FEFF as a byte order mark. Everything else must be byte for byte the stock output.
  const stocked = stock.stringify(structuredClone(tree));
  const expected = stocked.charCodeAt(0) === 0xfeff ? `&#xFEFF;${stocked.slice(1)}` : stocked;
  assert.equal(stringifyMarkdown(tree), expected, label);
}

// Line endings, every character some pattern escapes (and some none does), non-ASCII and astral characters.
const CHARS = [...'ab Z9 \t\n\r', ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', '\u007f', '\u0000', '\u00a0', '\ufeff', 'é', '😀'];
const value = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 10 });
const textNode = value.map((v): PhrasingContent => ({ type: 'text', value: v }));
const phrasing: fc.Arbitrary<PhrasingContent[]> = fc.letrec<{ node: PhrasingContent; list: PhrasingContent[] }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: textNode },
    { weight: 1, arbitrary: value.map((v): PhrasingContent => ({ type: 'inlineCode', value: v || 'x' })) },
    { weight: 1, arbitrary: fc.constant<PhrasingContent>({ type: 'break' }) },
    { weight: 1, arbitrary: fc.constantFrom<PhrasingContent>({ type: 'html', value: '<u>' }, { type: 'html', value: '<!-- c -->' }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('emphasis', 'strong', 'delete'), tie('list')).map(([type, children]) => ({ type, children }) as PhrasingContent) },
    { weight: 1, arbitrary: fc.tuple(value, tie('list')).map(([url, children]): PhrasingContent => ({ type: 'link', url, title: null, children })) },
    { weight: 1, arbitrary: fc.tuple(value, value).map(([url, alt]): PhrasingContent => ({ type: 'image', url, alt, title: null })) },
  ),
  list: fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
})).list as fc.Arbitrary<PhrasingContent[]>;

const leaf: fc.Arbitrary<RootContent> = fc.oneof(
  phrasing.map((children): RootContent => ({ type: 'paragraph', children })),
  fc.tuple(fc.integer({ min: 1, max: 6 }), phrasing).map(([depth, children]): RootContent => ({ type: 'heading', depth: depth as 1, children })),
  phrasing.map((children): RootContent => ({ type: 'blockquote', children: [{ type: 'paragraph', children }] })),
  fc.array(phrasing, { minLength: 1, maxLength: 3 }).map((items): RootContent => ({
    type: 'list', ordered: false, spread: false, children: items.map((children) => ({ type: 'listItem', spread: false, children: [{ type: 'paragraph', children }] })),
  })),
  fc.array(fc.tuple(phrasing, phrasing), { minLength: 1, maxLength: 3 }).map((rows): RootContent => ({
    type: 'table', align: [null, 'left'], children: rows.map(([a, b]) => ({ type: 'tableRow', children: [{ type: 'tableCell', children: a }, { type: 'tableCell', children: b }] })),
  })),
  fc.tuple(value, value).map(([lang, v]): RootContent => ({ type: 'code', lang: lang.replace(/[\r\n]/g, '') || null, meta: null, value: v })),
  fc.tuple(value, value).map(([lang, meta]): RootContent => ({ type: 'code', lang: lang.replace(/[\r\n]/g, '') || 'x', meta: meta.replace(/[\r\n]/g, '') || null, value: 'v' })),
  fc.constantFrom<RootContent>({ type: 'thematicBreak' }, { type: 'html', value: '<!-- storage: <p/> -->' }, { type: 'html', value: '<div>' }),
);

/** Containers of flow: lists (bullet and ordered, tight and loose, nested, side by side) and quotes. */
const block: fc.Arbitrary<RootContent> = fc.letrec<{ block: RootContent; flow: RootContent[] }>((tie) => ({
  block: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.boolean(), fc.boolean(), fc.constantFrom(null, 1, 3), fc.array(tie('flow'), { minLength: 1, maxLength: 3 })).map(([ordered, spread, start, items]): RootContent => ({
        type: 'list', ordered, spread, start: ordered ? start : null, children: items.map((children) => ({ type: 'listItem', spread, children: children as never })),
      })),
    },
    { weight: 1, arbitrary: tie('flow').map((children): RootContent => ({ type: 'blockquote', children: children as never })) },
  ),
  flow: fc.array(tie('block'), { minLength: 0, maxLength: 3 }),
})).block;

describe('markdown: the fast text handler writes what remark-stringify writes', () => {
  it('on every CommonMark spec example, parsed', () => {
    for (const ex of specExamples()) same(parseMarkdown(ex.markdown), `example ${ex.number}`);
  });

  it("on the converter's own Markdown (bench corpus, Cloud-style corpus, generated storage bodies)", () => {
    for (const body of [...corpus(20), ...cloudCorpus(20)]) same(parseMarkdown(toMd(body).text), 'corpus page');
    assertSeeded('STRINGIFY', 'stringify-text', 'converter-output', { seed: 14014, runs: RUNS / 3 }, fc.property(storageBody, (s) => same(parseMarkdown(toMd(s).text), s)));
  });

  it('on generated trees whose text is full of metacharacters and line endings (fixed seed + fresh seed)', () => {
    const trees = fc.array(block, { minLength: 1, maxLength: 4 });
    assertSeeded('STRINGIFY', 'stringify-text', 'trees', { seed: 14014, runs: RUNS * 3, fresh: RUNS }, fc.property(trees, (children) => same({ type: 'root', children }, JSON.stringify(children))));
  });
});
