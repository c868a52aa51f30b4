/**
 * An export is read, not pushed back: the converter's readable forms (docs/markdown.md, "Readable forms") are
 * round-trip syntax, so the export's Markdown (and the HTML and PDF made from it) shows what a reader should see.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageMarkdown } from '../../src/export/markdown.js';

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
