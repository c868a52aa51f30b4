import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvertContext, LinkResolver, PageRef } from '../../src/format/types.js';
import { law1, law2, toMd, toStorage } from './helpers.js';

// Titles and file names with the characters that are awkward in Markdown link destinations.
const TITLES = ['C# Guide', 'Q&A (draft)', '100% <done>', 'a_b*c', 'Ünïcødé page', 'x [1]'];
const pathOf = (title: string) => `../${title}.md`;

const resolver: LinkResolver = {
  pathForPage: (ref: PageRef) => (TITLES.includes(ref.title) && (ref.spaceKey ?? 'DOC') === 'DOC' ? pathOf(ref.title) : undefined),
  pageForPath: (path) => {
    const t = TITLES.find((x) => pathOf(x) === path);
    return t === undefined ? undefined : { spaceKey: 'DOC', title: t };
  },
  pathForAttachment: (name) => `Home/${name}`,
  attachmentForPath: (path) => (path.startsWith('Home/') ? path.slice(5) : undefined),
};
const context: ConvertContext = { spaceKey: 'DOC', title: 'Home', resolver };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('markdown format: links and images to awkward names', () => {
  for (const title of TITLES) {
    it(`page "${title}" links as a relative path and back`, () => {
      const storage = `<p><ac:link><ri:page ri:content-title="${esc(title)}"/><ac:plain-text-link-body><![CDATA[go]]></ac:plain-text-link-body></ac:link> <ac:link ac:anchor="sec"><ri:page ri:content-title="${esc(title)}"/></ac:link> <ac:image><ri:attachment ri:filename="${esc(title)}.png"/></ac:image> <ac:link><ri:attachment ri:filename="${esc(title)}.pdf"/></ac:link></p>`;
      const r = law1(storage, context);
      assert.equal(r.actual, r.expected, r.markdown);
      assert.ok(!r.markdown.includes('storage:'), r.markdown);
      assert.equal(law2(r.markdown, context).actual, r.markdown);
    });
  }

  it('a Markdown link to a page file becomes a page link; `#` starts the anchor, `%23` is a literal #', () => {
    const s = toStorage('[a](<../C# Guide.md>) [b](../C%23%20Guide.md#top) [c](https://x.org/C#frag)', context).text;
    assert.equal(
      s,
      '<p><a href="../C# Guide.md">a</a> ' +
        '<ac:link ac:anchor="top"><ri:page ri:content-title="C# Guide"/><ac:plain-text-link-body><![CDATA[b]]></ac:plain-text-link-body></ac:link> ' +
        '<a href="https://x.org/C#frag">c</a></p>',
    );
  });

  it('a link to an unknown relative file stays an ordinary link', () => {
    const s = toStorage('[x](../Nowhere.md)', context).text;
    assert.equal(s, '<p><a href="../Nowhere.md">x</a></p>');
    assert.equal(toMd(s, context).text, '[x](../Nowhere.md)\n');
  });
});
