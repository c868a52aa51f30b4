/**
 * Differential test of the two Markdown readers: the converter's (markdown-it through parse-fast.ts, remark where
 * it hands a document back) against remark-parse + remark-gfm alone (the reader the laws were first proven with).
 * The storage they give must be byte for byte the same, with and without the base, on the corpora, the fixtures,
 * the CommonMark spec examples, and random documents (a fixed seed and a fresh one, printed with the command that
 * replays them; `CSYNC_PARSE_FAST_SEED=random` and more cases with `CSYNC_PARSE_FAST_CASES`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { markdownToStorageWith } from '../../src/format/markdown/markdown-to-storage.js';
import { fastParse } from '../../src/format/markdown/parse-fast.js';
import { parseMarkdown, parseMarkdownRemark } from '../../src/format/markdown/processors.js';
import type { ConvertContext } from '../../src/format/types.js';
import { specExamples } from '../../bench/format-commonmark.js';
import { corpus } from '../../bench/format-corpus.js';
import { announce, checkSeed, suiteSeeds } from '../helpers/seeds.js';
import { markdownDoc } from './arbitraries.js';
import { cloudCorpus } from './cloud-corpus.js';
import { FIXTURES } from './fixtures.js';
import { ctx, toMd } from './helpers.js';

function same(markdown: string, context: ConvertContext = ctx): void {
  const fast = markdownToStorageWith(parseMarkdown, markdown, context);
  const remark = markdownToStorageWith(parseMarkdownRemark, markdown, context);
  assert.equal(fast.text, remark.text, `the readers disagree on ${JSON.stringify(markdown)}`);
  assert.deepEqual(fast.warnings, remark.warnings);
}

describe('markdown format: markdown-it and remark give the same storage', () => {
  it('on the corpora (with and without the base), the fixtures and the CommonMark spec examples', () => {
    const pages = [...cloudCorpus(60), ...corpus(60), ...FIXTURES.map((f) => f.storage)];
    let fast = 0;
    for (const storage of pages) {
      const markdown = toMd(storage).text;
      if (fastParse(markdown)) fast++;
      same(markdown);
      same(markdown, { ...ctx, base: storage });
      same(`${markdown}\nOne more paragraph.\n`, { ...ctx, base: storage });
    }
    // The fast reader is what makes the conversion fast: it must take nearly every page people have.
    assert.ok(fast >= pages.length * 0.9, `markdown-it read only ${fast} of ${pages.length} pages`);
    for (const e of specExamples()) same(e.markdown);
  });

  it('leaves documents it would read differently to remark', () => {
    // Each of these reads differently in markdown-it; the converter's reader must not take them.
    for (const md of ['a ~b~ c\n', 'a*b *c**\n', '***b****b*\n', 'x[^1]\n\n[^1]: note\n', '[a]: /u\n\n[a]\n', 'a\r\nb\n', 'x\n-|\n', '<style>\n\nfoo\n', '> a\n    > b\n', `${'>'.repeat(300)} x\n`, '| a |\n| - |\n| x\u00a0 |\n', '| a\u3000|\n| - |\n| x |\n', 'x <a\u00a0b="1"> y\n', '<div\u3000x>\n', '\ufeff# x\n', '**.**\ufeffa\n']) {
      assert.equal(fastParse(md), undefined, JSON.stringify(md));
      same(md);
    }
  });

  const CHARS = ['a', 'b', 'é', '😀', '✅', '\u00a0', ' ', ' ', '\n', '\n', '\t', '*', '_', '`', '~', '[', ']', '(', ')', '<', '>', '!', '\\', '|', '-', '#', '&', ';', '1', '.', 'x', ':', '"', '=', '/', '+'];
  const chars = fc.array(fc.constantFrom(...CHARS), { maxLength: 60 }).map((a) => a.join(''));
  const piece = fc.oneof(
    fc.constantFrom('', ' ', '  ', '   ', '    ', '\t', '> ', '>', '- ', '* ', '+ ', '1. ', '2) ', '```', '~~~', '| ', '# ', '<div>', '<!--', '-->', '---', '===', '- [ ] ', '- [x] ', '  - ', '`code`', '**b**', '[l](u)'),
    chars.map((s) => s.replace(/\n/g, ' ')),
  );
  const lines = fc.array(fc.array(piece, { minLength: 1, maxLength: 4 }).map((a) => a.join('')), { maxLength: 8 }).map((a) => `${a.join('\n')}\n`);
  // Emphasis runs side by side, where the two emphasis algorithms part ways (those documents must go to remark).
  const emphasis = fc.array(fc.constantFrom('*', '*', '_', 'a', ' ', 'b', '**', '***', '.'), { maxLength: 14 }).map((a) => a.join(''));
  // Tables whose cells hold spaces of every kind, pipes, escapes and tag-like text (markdown-it trims cells and reads
  // tags with String.prototype.trim and `\s`, which take any Unicode space; GFM and CommonMark take ASCII ones).
  const CELL = ['a', 'b', ' ', ' ', '\t', '\u00a0', '\u3000', '\u200b', '|', '\\', '`', '-', ':', '<', '>', '&', '[', ']', 'x', '<a', '</a', '="1"'];
  const cell = fc.array(fc.constantFrom(...CELL), { maxLength: 6 }).map((a) => a.join(''));
  const row = fc.array(cell, { minLength: 1, maxLength: 3 }).map((cs) => `| ${cs.join(' | ')} |`);
  const table = fc.tuple(row, fc.integer({ min: 1, max: 3 }), fc.array(row, { maxLength: 3 })).map(([head, n, rows]) => `${head}\n|${' - |'.repeat(n)}\n${rows.join('\n')}\n`);
  const doc = fc.oneof(markdownDoc, chars, lines, emphasis, table);
  const cases = Number(process.env.CSYNC_PARSE_FAST_CASES ?? 1500);
  const seeds = suiteSeeds('CSYNC_PARSE_FAST', 20261203, cases, cases);
  announce('parse-fast differential', seeds);
  for (const s of seeds) {
    it(`on random documents (${s.kind} seed ${s.seed}, ${s.cases} cases)`, async () => {
      await checkSeed('CSYNC_PARSE_FAST', 'test/format/parse-fast', s, fc.property(doc, (md) => same(md)));
    });
  }
});
