/**
 * The file holds what people edit, the base keeps the rest: Cloud's local ids, macro ids and schema versions stay
 * out of the Markdown and come back from the base's storage on the way in.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cloudCorpus, xhtmlShare } from './cloud-corpus.js';
import { ctx, law1, law2, toMd, toStorage } from './helpers.js';
import { canonicalNodes } from '../../src/format/xml/canonical.js';
import { parseStorage } from '../../src/format/xml/parse.js';
import { serializeNodes } from '../../src/format/xml/serialize.js';
import { canonicalStorage } from '../../src/format/index.js';

const PAGE =
  '<p local-id="p1">First <strong>words</strong>.</p>' +
  '<h2 local-id="h1">Steps</h2>' +
  '<ul local-id="u1"><li local-id="l1"><p local-id="lp1">one</p></li><li local-id="l2"><p local-id="lp2">two</p></li></ul>' +
  '<ac:structured-macro ac:name="code" ac:schema-version="1" ac:local-id="c1" ac:macro-id="m1"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[make test]]></ac:plain-text-body></ac:structured-macro>' +
  '<table data-table-width="760" data-layout="default" ac:local-id="t1"><tbody><tr><th><p>A</p></th></tr><tr><td><p>b</p></td></tr></tbody></table>' +
  '<p local-id="p2">Last.</p>';

function blocks(storage: string): string[] {
  return canonicalNodes(parseStorage(storage).children).map((n) => serializeNodes([n]));
}

describe('markdown format: attributes Confluence adds stay in the base', () => {
  it('a Cloud page reads as plain Markdown: no ids, no attrs comments, no storage fences', () => {
    const md = toMd(PAGE).text;
    assert.equal(md, 'First **words**.\n\n## Steps\n\n- one\n\n- two\n\n```bash\nmake test\n```\n\n| A |\n| - |\n| b |\n\nLast.\n');
    for (const s of ['local-id', 'macro-id', 'schema-version', 'data-layout', 'confluence-storage']) assert.ok(!md.includes(s), s);
  });

  it('an unedited page converts back, with the base, to exactly its storage blocks', () => {
    const back = toStorage(toMd(PAGE).text, { ...ctx, base: PAGE }).text;
    assert.equal(back, PAGE);
  });

  it('editing one paragraph keeps its id and changes only that block; the others are the base bytes', () => {
    const md = toMd(PAGE).text.replace('Last.', 'Last, edited.');
    const back = toStorage(md, { ...ctx, base: PAGE }).text;
    const before = blocks(PAGE);
    const after = blocks(back);
    assert.equal(after.length, before.length);
    assert.deepEqual(after.slice(0, -1), before.slice(0, -1));
    assert.equal(after.at(-1), '<p local-id="p2">Last, edited.</p>');
  });

  it('an edited list item keeps the ids of the list and the item; a new item and a new paragraph get none', () => {
    const md = toMd(PAGE).text.replace('- two\n', '- two and a half\n\n- three\n').replace('## Steps\n', '## Steps\n\nA new paragraph.\n');
    const back = toStorage(md, { ...ctx, base: PAGE }).text;
    assert.ok(back.includes('<h2 local-id="h1">Steps</h2><p>A new paragraph.</p><ul local-id="u1"><li local-id="l1"><p local-id="lp1">one</p></li>'), back);
    assert.ok(back.includes('<li local-id="l2"><p local-id="lp2">two and a half</p></li><li><p>three</p></li></ul>'), back);
  });

  it('an edited code block keeps its macro id and schema version', () => {
    const md = toMd(PAGE).text.replace('make test', 'make lint test');
    const back = toStorage(md, { ...ctx, base: PAGE }).text;
    const code = blocks(back)[3] as string;
    for (const part of ['ac:local-id="c1"', 'ac:macro-id="m1"', 'ac:schema-version="1"', '<ac:plain-text-body>make lint test</ac:plain-text-body>']) assert.ok(code.includes(part), code);
    assert.ok(back.includes('<![CDATA[make lint test]]>'), back);
  });

  it('an edited table cell keeps the <p> Cloud wraps around cell text, and the table keeps its attributes', () => {
    const md = toMd(PAGE).text.replace('| b |', '| bee |');
    const back = toStorage(md, { ...ctx, base: PAGE }).text;
    assert.ok(back.includes('<table data-table-width="760" data-layout="default" ac:local-id="t1"><tbody><tr><th><p>A</p></th></tr><tr><td><p>bee</p></td></tr></tbody></table>'), back);
  });

  it('without a base (a new page) no server attribute is invented', () => {
    const back = toStorage(toMd(PAGE).text).text;
    assert.ok(!/local-id|macro-id|schema-version|data-table-width/.test(back), back);
  });

  it('a base that is not well-formed is ignored, not trusted', () => {
    assert.equal(toStorage('x\n', { ...ctx, base: '<p local-id="a">x' }).text, '<p>x</p>');
  });

  it('on a corpus of Cloud-style pages: both laws hold, the second trip is stable, and little XHTML is left', () => {
    const pages = cloudCorpus(24, 11);
    const mds: string[] = [];
    for (const page of pages) {
      const r1 = law1(page);
      assert.equal(r1.actual, r1.expected, `law 1 failed; markdown was:\n${r1.markdown}`);
      assert.equal(law2(r1.markdown).actual, r1.markdown);
      const again = toStorage(r1.markdown, { ...ctx, base: page }).text;
      assert.equal(toMd(again).text, r1.markdown);
      assert.equal(canonicalStorage(toStorage(toMd(again).text, { ...ctx, base: again }).text), canonicalStorage(page));
      mds.push(r1.markdown);
    }
    const share = xhtmlShare(mds);
    assert.ok(share.percent < 10, `share of Markdown bytes on XHTML lines: ${share.percent.toFixed(1)}%`);
  });
});
