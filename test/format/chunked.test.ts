/**
 * Chunked conversion (src/format/markdown/chunked.ts) gives exactly what whole-document conversion gives: on the
 * CommonMark spec examples (alone and run together), the construct fixtures, the Cloud-like corpus and random
 * documents built to hit the splitter's edge cases, all converted with a 1-character chunk size (a split at every
 * point the scanners allow). And the common big page is in fact split.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { specExamples } from '../../bench/format-commonmark.js';
import { markdownToStorage, storageToMarkdown } from '../../src/format/markdown/index.js';
import { markdownToStorageChunked, splitMarkdown, storageCuts, storageToMarkdownChunked, storageToMarkdownIfDiffers } from '../../src/format/markdown/chunked.js';
import { cloudCorpus } from './cloud-corpus.js';
import { FIXTURES } from './fixtures.js';
import { ctx } from './helpers.js';
import { checkSeed, suiteSeeds } from '../helpers/seeds.js';

function sameMd(md: string): void {
  const whole = markdownToStorage(md, ctx);
  const chunked = markdownToStorageChunked(md, ctx, 1);
  assert.equal(chunked.text, whole.text, `Markdown → storage differs when chunked, for:\n${JSON.stringify(md)}`);
}

function sameStorage(storage: string): void {
  const whole = storageToMarkdown(storage, ctx);
  const chunked = storageToMarkdownChunked(storage, ctx, 1);
  assert.equal(chunked.text, whole.text, `storage → Markdown differs when chunked, for:\n${JSON.stringify(storage)}`);
  sameIfDiffers(storage, whole.text, 1);
}

/** `storageToMarkdownIfDiffers` against Markdown that is the conversion and Markdown that differs from it anywhere. */
function sameIfDiffers(storage: string, expected: string, chunk: number): void {
  const t = expected;
  const mid = t.length >> 1;
  const others = ['', 'x', `${t}x`, `${t}\n`, t.slice(0, -1), t.slice(1), t.slice(0, mid) + t.slice(mid + 1), `${t.slice(0, mid)}\u00e9${t.slice(mid)}`, t.replace(/\n/g, ' ')];
  assert.equal(storageToMarkdownIfDiffers(storage, t, ctx, chunk), undefined, `not the same as its own conversion:\n${JSON.stringify(storage)}`);
  for (const other of others) {
    if (other === t) continue;
    assert.equal(storageToMarkdownIfDiffers(storage, other, ctx, chunk), t, `differs from ${JSON.stringify(other)} but not given whole, for:\n${JSON.stringify(storage)}`);
  }
}

describe('chunked conversion equals whole-document conversion', () => {
  it('CommonMark spec examples, alone and run together (both directions)', () => {
    const examples = specExamples().map((e) => e.markdown);
    for (const md of examples) sameMd(md);
    // Consecutive examples glued with and without a blank line: blocks meeting blocks of every kind.
    for (let i = 0; i + 3 < examples.length; i += 2) {
      const group = examples.slice(i, i + 4);
      sameMd(group.join('\n'));
      sameMd(group.join('\n\n'));
      const storage = markdownToStorage(group.join('\n\n'), ctx).text;
      sameStorage(storage);
    }
  });

  it('construct fixtures and the Cloud-like corpus (both directions)', () => {
    const bodies = [...FIXTURES.map((f) => f.storage), ...cloudCorpus(12, 3, 6000)];
    for (const s of bodies) {
      sameStorage(s);
      const md = storageToMarkdown(s, ctx).text;
      sameMd(md);
    }
    sameStorage(bodies.join(''));
    sameMd(bodies.map((s) => storageToMarkdown(s, ctx).text).join('\n'));
  });

  const piece = fc.oneof(
    fc.constantFrom(
      'para', 'two words', '# head', 'text\n===', 'text\n---', '---', '* * *', '- a', '- b', '* c', '+ d', '1. one',
      '2. two', '3) three', '-', '- [ ] task', '- [x] done', '  indented', '    code', '\tcode', '> quote', '> [!NOTE]\n> n',
      '```\nfenced\n\nblank inside\n```', '~~~\n- not a list\n\n~~~', '```js', '<!-- attrs spread="loose" -->', '<!-- open',
      'close -->', '<div>\nhtml\n</div>', '<pre>\n\nkept\n</pre>', '| a | b |\n| - | - |\n| 1 | 2 |', '- a\n  - nested\n  more',
      '1. x\n   1. y', '- item <!-- c', 'lazy line', '  - indented item', '- ```\n  in item\n  ```', '', ' ', '-\tx', 'a\r\nb',
      '10. ten', '- a\n\n  para in item', '**bold** and *em*', '<span>x</span>', '[not a def] x', '\\- escaped',
      // Tabs after the marker (a tab goes to the next multiple of 4 columns) and in the indentation after it.
      '-\ta', '-\tb', '*\tc', '1.\tone', '2.\ttwo', '3)\tthree', '10.\tten', '100.\thundred', '- \tsp tab', '-\t\tcode',
      '-\t', '- \t', '-\ta\n\tmore', '-\ta\n    four', '-\ta\n   three', '1.\tx\n\t1.\ty', '-\ta\tb', '-\t# head',
    ),
    fc.string({ unit: fc.constantFrom('a', ' ', '-', '*', '1', '.', '>', '`', '<', '!', '\n', '#', '|'), maxLength: 12 }),
  );
  const doc = fc.array(fc.tuple(piece, fc.constantFrom('\n', '\n\n', '\n\n\n')), { minLength: 1, maxLength: 14 }).map((ps) => ps.map(([p, sep]) => p + sep).join(''));

  for (const s of suiteSeeds('CSYNC_CHUNK', 1313, 400, 200)) {
    it(`random documents, ${s.kind} seed ${s.seed} (${s.cases} cases)`, async () => {
      await checkSeed('CSYNC_CHUNK', 'chunked', s, fc.property(doc, (md) => {
        sameMd(md);
        sameStorage(markdownToStorage(md, ctx).text);
      }));
    });
  }

  // Top-level lists in storage, split between their items: item bodies of every kind (loose ones, nested lists, a rule
  // that changes the bullet, empty items), lists of each kind with and without a start, and what surrounds them.
  const item = fc.constantFrom(
    'a', 'two words', '', '<p>p1</p><p>p2</p>', '<p>only</p>', 'x<ul><li>nested</li><li>n2</li></ul>', '<hr/>', '<code>c</code>',
    'x<ol><li>n</li></ol>', '<pre>code</pre>', '<strong>b</strong> tail', '- not a bullet', '1. not a number', '<br/>',
  );
  const listOf = fc.tuple(fc.constantFrom('ul', 'ol', 'ol3', 'task'), fc.array(item, { minLength: 1, maxLength: 8 })).map(([kind, items]) => {
    if (kind === 'task') {
      return `<ac:task-list>${items.map((b, i) => `<ac:task><ac:task-id>${i}</ac:task-id><ac:task-status>${i % 2 ? 'complete' : 'incomplete'}</ac:task-status><ac:task-body>${b}</ac:task-body></ac:task>`).join('')}</ac:task-list>`;
    }
    const open = kind === 'ol3' ? '<ol start="3">' : `<${kind}>`;
    const tag = kind === 'ul' ? 'ul' : 'ol';
    return `${open}${items.map((b) => `<li>${b}</li>`).join('')}</${tag}>`;
  });
  const around = fc.constantFrom('<p>para</p>', '<h2>head</h2>', '<pre>x</pre>', '<hr/>', '<blockquote><p>q</p></blockquote>', 'text', '<!-- c -->', '');
  const storageDoc = fc.array(fc.oneof(listOf, listOf, around), { minLength: 1, maxLength: 8 }).map((xs) => xs.join(''));
  for (const s of suiteSeeds('CSYNC_CHUNK_LISTS', 1414, 400, 200)) {
    it(`random storage lists split between items, ${s.kind} seed ${s.seed} (${s.cases} cases)`, async () => {
      await checkSeed('CSYNC_CHUNK_LISTS', 'chunked', s, fc.property(storageDoc, (storage) => sameStorage(storage)));
    });
  }

  it('a big page is split: prose, a tight list, a task list, an ordered list, and their storage', () => {
    const prose = ('A line of prose in a paragraph.\n'.repeat(20) + '\n').repeat(15);
    const bullets = Array.from({ length: 800 }, (_, i) => `- item ${i}\n`).join('');
    const tasks = Array.from({ length: 500 }, (_, i) => `- [${i % 2 ? 'x' : ' '}] task ${i}\n`).join('');
    const ordered = Array.from({ length: 500 }, (_, i) => `${i + 1}. step ${i}\n`).join('');
    // A tab after the marker: split between items as the space-separated lists are.
    const tabBullets = Array.from({ length: 800 }, (_, i) => `-\titem ${i}\n`).join('');
    const tabOrdered = Array.from({ length: 500 }, (_, i) => `${i + 1}.\tstep ${i}\n${i % 7 ? '' : '\tcontinued\n'}`).join('');
    const tabNested = Array.from({ length: 300 }, (_, i) => `*\titem ${i}\n    -\tsub ${i}\n`).join('');
    const chunk = 2048;
    for (const md of [prose, bullets, tasks, ordered, `${prose}\n${bullets}\npara\n\n${ordered}`, tabBullets, tabOrdered.replace(/\tcontinued\n/g, ''), tabNested, `${prose}\n${tabBullets}\npara\n`]) {
      const pieces = splitMarkdown(md, chunk);
      assert.ok(pieces && pieces.length > 2, `not split: ${md.slice(0, 40)}…`);
      const chunked = markdownToStorageChunked(md, ctx, chunk);
      assert.equal(chunked.text, markdownToStorage(md, ctx).text);
      const cuts = storageCuts(chunked.text, chunk);
      assert.ok((cuts?.length ?? 0) > 2, `storage not split: ${md.slice(0, 40)}…`);
      assert.equal(storageToMarkdownChunked(chunked.text, ctx, chunk).text, storageToMarkdown(chunked.text, ctx).text);
      sameIfDiffers(chunked.text, storageToMarkdown(chunked.text, ctx).text, chunk);
    }
    // The default chunk size splits a page of a few hundred kB.
    assert.ok((splitMarkdown(prose.repeat(24))?.length ?? 0) > 2);
    // A tab in an item's indentation is not reasoned about: the list converts whole (and the same).
    assert.equal(splitMarkdown(tabOrdered, chunk), undefined);
    sameMd(tabOrdered);
    // A loose list and a text with a link reference definition are converted whole.
    assert.equal(splitMarkdown(bullets.replace(/\n- item 5\n/, '\n\n- item 5\n')), undefined);
    assert.equal(splitMarkdown(`${prose}[x]: https://x.org\n`), undefined);
  });
});
