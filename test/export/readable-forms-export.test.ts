/**
 * An export is read, not pushed back: the converter's readable forms (docs/markdown.md, "Readable forms") are
 * round-trip syntax, so the export's Markdown (and the HTML and PDF made from it) shows what a reader should see.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { List, Table } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { cellHasBlocks, pageDoc, pageMarkdown, parseMarkdown, type Details } from '../../src/export/markdown.js';
import { toPdfContent } from '../../src/export/pdf-content.js';
import { mdastToHtml } from '../../src/export/render-html.js';

const resolver = { pathForPage: () => undefined, pageForPath: () => undefined, pathForAttachment: (n: string) => `Page/${n}`, attachmentForPath: () => undefined };

test('status, emoji, mentions, dates, anchors, toc and image attributes read as text in an export', () => {
  const storage =
    '<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">3</ac:parameter></ac:structured-macro>' +
    '<p>State <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro>' +
    ' <ac:emoticon ac:name="blue-star" ac:emoji-shortname=":white_check_mark:" ac:emoji-fallback="✅"/>' +
    ' by <ac:link><ri:user ri:account-id="557058:ab-12"/></ac:link> on <time datetime="2026-03-14"/>' +
    '<ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">install</ac:parameter></ac:structured-macro>.</p>' +
    '<p>See <ac:image ac:height="16"><ri:url ri:value="https://x.test/i.png"/></ac:image> here.</p>';
  const md = pageMarkdown(storage, 'DEMO', 'Page', resolver);
  assert.doesNotMatch(md, /status:|emoji:|user:|date:|anchor:|\[TOC\]|height=16/, md);
  assert.match(md, /State DONE ✅ by @557058:ab-12 on 2026-03-14\./);
  assert.match(md, /See !\[\]\(https:\/\/x\.test\/i\.png\) here\./);
});

const RICH =
  '<h2>Decisions</h2><table><tbody><tr><th><p><strong>Decision</strong></p></th><th><p>Why</p></th></tr>' +
  '<tr><td><p>Keep ids in the base</p></td><td><p>Nobody types them.</p><p>The push puts them back.</p></td></tr>' +
  '<tr><td><p>HTML tables</p></td><td><ul><li><p>GitHub renders them</p></li><li><p>cells stay <em>Markdown</em></p></li></ul></td></tr></tbody></table>' +
  '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Options we dropped</ac:parameter><ac:rich-text-body><p>Directives change every colon.</p>' +
  '<ul><li>one</li></ul></ac:rich-text-body></ac:structured-macro><p>After.</p>';

test('a rich table (cells with paragraphs and a list) is a table in the export tree, its cells holding their blocks', () => {
  const { tree } = pageDoc(RICH, 'DEMO', 'Page', resolver);
  assert.deepEqual(tree.children.map((c) => c.type), ['heading', 'table', 'details', 'paragraph']);
  const table = tree.children[1] as Table;
  assert.equal(table.children.length, 3);
  const [head, r1, r2] = table.children.map((r) => r.children);
  assert.deepEqual(head!.map((c) => c.data?.header), [true, true]);
  assert.deepEqual(head!.map((c) => toString(c)), ['Decision', 'Why']);
  assert.equal(head![0]!.children[0]!.type, 'strong');
  assert.deepEqual(r1!.map((c) => c.data?.header), [false, false]);
  assert.equal(toString(r1![0]!), 'Keep ids in the base');
  assert.deepEqual(r1![1]!.children.map((c) => [c.type, toString(c)]), [['paragraph', 'Nobody types them.'], ['paragraph', 'The push puts them back.']]);
  const list = r2![1]!.children[0] as unknown as List;
  assert.equal(list.type, 'list');
  assert.deepEqual(list.children.map((li) => toString(li)), ['GitHub renders them', 'cells stay Markdown']);
  assert.ok(cellHasBlocks(r2![1]!) && !cellHasBlocks(r2![0]!));
  const details = tree.children[2] as Details;
  assert.equal(details.title, 'Options we dropped');
  assert.deepEqual(details.children.map((c) => [c.type, toString(c)]), [['paragraph', 'Directives change every colon.'], ['list', 'one']]);
});

test('in the export Markdown a rich table is a GFM table with <br> between a cell\'s blocks, and an expand a bold title over its body', () => {
  const md = pageMarkdown(RICH, 'DEMO', 'Page', resolver);
  assert.doesNotMatch(md, /<\/?(table|tr|td|th|details|summary)\b|&#xA;/, md);
  assert.match(md, /^\| \*\*Decision\*\* +\| Why +\|$/m);
  assert.match(md, /^\| Keep ids in the base +\| Nobody types them\.<br>The push puts them back\. +\|$/m);
  assert.match(md, /^\| HTML tables +\| • GitHub renders them<br>• cells stay \*Markdown\* +\|$/m);
  assert.match(md, /^\*\*Options we dropped\*\*\n\nDirectives change every colon\.\n\n- one\n\nAfter\.$/m);
});

test('HTML and PDF renderers draw the rich table cell by cell, the expand as <details>, and a GFM cell\'s <br> as a line break', () => {
  const { tree } = pageDoc(RICH + '<table><tbody><tr><td colspan="2"><p>wide</p></td></tr><tr><td><p>l</p></td><td><p>r</p></td></tr></tbody></table>', 'DEMO', 'Page', resolver);
  const html = mdastToHtml(tree, { href: (u) => u, src: () => undefined });
  assert.match(html, /<tr><th><strong>Decision<\/strong><\/th><th>Why<\/th><\/tr>/);
  assert.match(html, /<tr><td>Keep ids in the base<\/td><td><p>Nobody types them\.<\/p>\n<p>The push puts them back\.<\/p>\n<\/td><\/tr>/);
  assert.match(html, /<td><ul><li>GitHub renders them<\/li><li>cells stay <em>Markdown<\/em><\/li><\/ul>\n<\/td>/);
  assert.match(html, /<details><summary>Options we dropped<\/summary>\n<p>Directives change every colon\.<\/p>\n<ul><li>one<\/li><\/ul>\n<\/details>/);
  assert.match(html, /<td colspan="2">wide<\/td>/);
  const pdf = JSON.stringify(toPdfContent(tree, { destination: () => undefined, image: () => undefined }));
  assert.match(pdf, /"stack":\[\{"text":\[\{"text":"Nobody types them\."\}\],"margin":\[0,0,0,6\]\},\{"text":\[\{"text":"The push puts them back\."\}\]/);
  assert.match(pdf, /"colSpan":2\},\{\}\]/);
  assert.match(pdf, /\{"text":"Options we dropped","bold":true/);

  const jira = parseMarkdown('| Field | Value |\n| --- | --- |\n| Steps | a<br>b |\n');
  assert.match(mdastToHtml(jira, { href: (u) => u, src: () => undefined }), /<td>a<br>b<\/td>/);
  assert.match(JSON.stringify(toPdfContent(jira, { destination: () => undefined, image: () => undefined })), /"text":"a"\},\{"text":"\\n"\},\{"text":"b"\}/);
  // In a page (through the converter) a hard break in a cell reads the same way.
  const page = pageDoc('<table><tbody><tr><th>h</th></tr><tr><td>a<br/>b</td></tr></tbody></table>', 'DEMO', 'Page', resolver).tree;
  assert.match(mdastToHtml(page, { href: (u) => u, src: () => undefined }), /<td>a<br>b<\/td>/);
  assert.match(pageMarkdown('<table><tbody><tr><th>h</th></tr><tr><td>a<br/>b</td></tr></tbody></table>', 'DEMO', 'Page', resolver), /\| a<br>b \|/);
});

test('an expand inside a rich cell, and an expand without a title, keep their structure', () => {
  const storage =
    '<table><tbody><tr><th><p>Step</p></th><td><p>Run it.</p><ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Output</ac:parameter>' +
    '<ac:rich-text-body><p>ok</p></ac:rich-text-body></ac:structured-macro></td></tr></tbody></table>' +
    '<ac:structured-macro ac:name="expand"><ac:rich-text-body><p>Hidden.</p></ac:rich-text-body></ac:structured-macro>';
  const { tree } = pageDoc(storage, 'DEMO', 'Page', resolver);
  assert.deepEqual(tree.children.map((c) => c.type), ['table', 'details'], JSON.stringify(tree.children.map((c) => c.type)));
  const cell = (tree.children[0] as Table).children[0]!.children[1]!;
  assert.deepEqual(cell.children.map((c) => c.type), ['paragraph', 'details']);
  assert.equal((tree.children[1] as Details).title, '');
  const html = mdastToHtml(tree, { href: (u) => u, src: () => undefined });
  assert.match(html, /<tr><th>Step<\/th><td><p>Run it\.<\/p>\n<details><summary>Output<\/summary>\n<p>ok<\/p>\n<\/details>\n<\/td><\/tr>/);
  assert.match(pageMarkdown(storage, 'DEMO', 'Page', resolver), /^\| Step \| Run it\.<br>\*\*Output\*\*<br>ok \|$/m);
});
