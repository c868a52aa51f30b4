/**
 * The readable forms of docs/markdown.md ("Readable forms") read from Markdown people type, and the base restores
 * what the file leaves out around them: spacer paragraphs, ids in HTML tables, emoji ids.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, law1, law2, toMd, toStorage } from './helpers.js';
import { canonicalStorage } from '../../src/format/xml/canonical.js';

const PAGE =
  '<p local-id="a1">Intro <ac:emoticon ac:name="blue-star" ac:emoji-shortname=":rocket:" ac:emoji-id="1f680" ac:emoji-fallback="🚀"/></p>' +
  '<p local-id="s1"/>' +
  '<table data-layout="wide" ac:local-id="t1"><colgroup><col style="width: 200.0px;"/><col style="width: 500.0px;"/></colgroup><tbody>' +
  '<tr><th><p local-id="h1">Step</p></th><th><p local-id="h2">Notes</p></th></tr>' +
  '<tr><td><p local-id="c1">Build</p></td><td><p local-id="c2">First note.</p><p local-id="c3">Second note.</p></td></tr>' +
  '</tbody></table>' +
  '<p local-id="s2"/><p local-id="s3"/>' +
  '<p local-id="z1">Outro.</p><p local-id="s4"/>';

describe('markdown format: readable forms', () => {
  it('a Cloud page with spacers, an emoji and a rich table reads as Markdown and converts back to exactly its storage', () => {
    const md = toMd(PAGE).text;
    assert.equal(
      md,
      'Intro [🚀](emoji:rocket)\n\n<table>\n<tbody>\n<tr>\n<th>Step</th>\n<th>Notes</th>\n</tr>\n<tr>\n<td>Build</td>\n<td>\n\nFirst note.\n\nSecond note.\n\n</td>\n</tr>\n</tbody>\n</table>\n\nOutro.\n',
    );
    assert.equal(toStorage(md, { ...ctx, base: PAGE }).text, PAGE);
  });

  it('editing one paragraph of a cell changes only that paragraph; spacers and ids stay where they were', () => {
    const md = toMd(PAGE).text.replace('Second note.', 'Second note, edited.');
    const back = toStorage(md, { ...ctx, base: PAGE }).text;
    assert.equal(back, PAGE.replace('<p local-id="c3">Second note.</p>', '<p local-id="c3">Second note, edited.</p>'));
  });

  it('a paragraph added after the table lands after the spacers that preceded the next block, and gets no id', () => {
    const md = toMd(PAGE).text.replace('Outro.', 'New.\n\nOutro.');
    const back = toStorage(md, { ...ctx, base: PAGE }).text;
    assert.ok(back.includes('</table><p>New.</p><p local-id="s2"/><p local-id="s3"/><p local-id="z1">Outro.</p><p local-id="s4"/>'), back);
  });

  it('spacers next to inline content in the body: left out only where that cannot join two runs of text', () => {
    for (const storage of ['text <p/> <h2>x</h2>', '<h2>x</h2><p/> tail', 'a<p/>b', '<p>a</p><p/><ac:image><ri:url ri:value="https://x.org/a.png"/></ac:image><p/>', '<p/>', '<p/> <p/>']) {
      const r = law1(storage);
      assert.equal(r.actual, r.expected, `law 1 failed for ${storage}; markdown was:\n${r.markdown}`);
      assert.equal(law2(r.markdown).actual, r.markdown);
    }
    assert.ok(toMd('a<p/>b').text.includes('<!-- storage: <p/> -->'));
    assert.ok(!toMd('text <p/> <h2>x</h2>').text.includes('storage:'));
  });

  it('a new page typed in Markdown: every form becomes its storage element, and reads back as typed', () => {
    const md = [
      '[TOC]{maxLevel=2}',
      '',
      'Build [PASSING](status:Green) on <date:2026-11-20> by <user:557058:0a1b> [✅](emoji:white_check_mark) [:smile:](emoticon:smile) <anchor:top>',
      '',
      '![Flow](Home/flow.png "How it ships"){block align=center width=600 caption="From merge to production"}',
      '',
      'Inline ![](https://example.com/i.png){height=16} icon, see [the runbook](<page:OPS/Paging policy>).',
      '',
      '<details>',
      '<summary>More</summary>',
      '',
      '- hidden',
      '',
      '</details>',
      '',
    ].join('\n');
    const storage = toStorage(md).text;
    for (const part of [
      '<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>',
      '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">PASSING</ac:parameter></ac:structured-macro>',
      '<time datetime="2026-11-20"/>',
      '<ac:link><ri:user ri:account-id="557058:0a1b"/></ac:link>',
      '<ac:emoticon ac:name="blue-star" ac:emoji-shortname=":white_check_mark:" ac:emoji-fallback="✅"/>',
      '<ac:emoticon ac:name="smile"/>',
      '<ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">top</ac:parameter></ac:structured-macro>',
      '</p><ac:image ac:alt="Flow" ac:title="How it ships" ac:align="center" ac:width="600"><ri:attachment ri:filename="flow.png"/><ac:caption><p>From merge to production</p></ac:caption></ac:image><p>',
      '<ac:image ac:height="16"><ri:url ri:value="https://example.com/i.png"/></ac:image>',
      '<ac:link><ri:page ri:space-key="OPS" ri:content-title="Paging policy"/><ac:plain-text-link-body><![CDATA[the runbook]]></ac:plain-text-link-body></ac:link>',
      '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">More</ac:parameter><ac:rich-text-body><ul><li>hidden</li></ul></ac:rich-text-body></ac:structured-macro>',
    ]) {
      assert.ok(storage.includes(part), `expected ${part} in\n${storage}`);
    }
    assert.deepEqual(toStorage(md).warnings, []);
    assert.equal(law2(md).actual, md);
  });

  it('whitespace beside a macro at the edge of a cell (which never renders) keeps the table in GFM, and that Markdown is a fixed point', () => {
    // Found by a fresh seed of law 2 (seed -125371217): the space after the status macro pushed the table into the
    // HTML form, whose cell dropped the space, so the second trip wrote a GFM table.
    const s =
      '<table data-layout="default"><tbody><tr><th><ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter>' +
      '<ac:parameter ac:name="title">a</ac:parameter></ac:structured-macro> </th><th> </th></tr><tr><td>a</td><td>c</td></tr></tbody></table>';
    const md = toMd(s).text;
    assert.match(md, /^\| \[a\]\(status:Green\) \|/);
    assert.equal(law1(s).actual, law1(s).expected);
    assert.equal(law2(md).actual, md);
  });

  it('a no-break space (or another Unicode space) at the edge of a cell stays in the cell, with and without a base', () => {
    // Found by a fresh seed of "editing one paragraph changes only that paragraph" (CSYNC_LAWS seed 1039945564):
    // markdown-it trims cells with String.prototype.trim, GFM only spaces and tabs; `<td>\u00a0</td>` came back empty.
    const cell = (c: string) => `<table data-layout="default"><tbody><tr><th>a</th><th>b</th></tr><tr><td>${c}</td><td>c</td></tr></tbody></table>`;
    for (const c of ['\u00a0', 'x\u00a0', '\u00a0x', 'x \u00a0', '\u3000', '<p>\u00a0</p>']) {
      const s = cell(c);
      const md = toMd(s).text;
      assert.match(md, /^\| a /, 'a GFM table');
      assert.equal(law1(s).actual, law1(s).expected, JSON.stringify(c));
      assert.equal(law2(md).actual, md);
      const page = `<p>Intro.</p>${s}`;
      const edited = toStorage(toMd(page).text.replace('Intro.', 'Intro, edited.'), { ...ctx, base: page }).text;
      assert.equal(canonicalStorage(edited), canonicalStorage(page.replace('Intro.', 'Intro, edited.')), JSON.stringify(c));
    }
  });

  it('a page whose text starts with U+FEFF keeps it (written as a character reference, not read as a byte order mark)', () => {
    // Found by a soak of law 1 with more kinds of space in the generator: with anything that sent the document to
    // remark (here a `~`), micromark dropped the leading U+FEFF as a byte order mark and the first paragraph vanished.
    // And `**.**` before a U+FEFF: strong to micromark (U+FEFF is `\s`), text to markdown-it (it is not Unicode space).
    for (const s of ['<p>\ufeff</p><p>~a</p>', '<p>\ufeff# x</p>', '<p><strong>.</strong>\ufeffa</p>', '<p>\ufeff</p><blockquote><ul><li>~\u3000<del>a</del></li></ul></blockquote>']) {
      const md = toMd(s).text;
      if (s.startsWith('<p>\ufeff')) assert.ok(md.startsWith('&#xFEFF;'), md);
      assert.equal(law1(s).actual, law1(s).expected, JSON.stringify(s));
      assert.equal(law2(md).actual, md);
    }
  });

  it('text that only looks like a form stays text', () => {
    for (const storage of [
      '<p>[TOC]</p>',
      '<p>[TOC]{maxLevel=2}</p>',
      '<p><ac:image><ri:url ri:value="https://x.org/a.png"/></ac:image>{width=3}</p>',
      '<p><a href="status:Green">DONE</a> <a href="page:Foo">x</a></p>',
      '<p><ac:structured-macro ac:name="status"><ac:parameter ac:name="title">T</ac:parameter><ac:parameter ac:name="colour">Red</ac:parameter></ac:structured-macro></p>',
    ]) {
      const r = law1(storage);
      assert.equal(r.actual, r.expected, `law 1 failed; markdown was:\n${r.markdown}`);
      assert.equal(law2(r.markdown).actual, r.markdown);
    }
  });

  it('an HTML table typed in the layout the converter writes becomes a Confluence table; other HTML stays an html macro', () => {
    const typed = '<table>\n<tbody>\n<tr>\n<td>a</td>\n<td>\n\n**b**\n\n</td>\n</tr>\n</tbody>\n</table>\n';
    assert.equal(toStorage(typed).text, '<table><tbody><tr><td>a</td><td><p><strong>b</strong></p></td></tr></tbody></table>');
    const indented = '<table>\n  <tr>\n    <td>a</td>\n  </tr>\n</table>\n';
    assert.match(toStorage(indented).text, /^<ac:structured-macro ac:name="html">/);
    const broken = '<table>\n<tbody>\n<tr>\n<td>\n\nx\n\n</td>\n</tbody>\n</table>\n';
    const out = toStorage(broken);
    assert.ok(!out.text.startsWith('<table>'), out.text);
    assert.equal(canonicalStorage(toStorage(toMd(out.text).text).text), canonicalStorage(out.text));
  });
});
