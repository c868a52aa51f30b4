import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toMd, toStorage } from './helpers.js';

// Markdown people type (not written by the converter): what storage it becomes, and that it then stays put.
const CASES: Array<{ name: string; md: string; storage: string; warnings?: number }> = [
  { name: 'raw HTML block', md: '<div class="x">\n<b>hi</b>\n</div>\n', storage: '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<div class="x">\n<b>hi</b>\n</div>]]></ac:plain-text-body></ac:structured-macro>' },
  { name: 'inline XHTML pair', md: 'H<sub>2</sub>O is <span class="wet">*wet*</span>\n', storage: '<p>H<sub>2</sub>O is <span class="wet"><em>wet</em></span></p>' },
  { name: 'unpaired inline HTML', md: 'a <kbd>b\n', storage: '<p>a <ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<kbd>]]></ac:plain-text-body></ac:structured-macro>b</p>' },
  { name: '<br> in a table cell', md: '| a<br>b |\n| --- |\n| c |\n', storage: '<table><tbody><tr><th>a<br/>b</th></tr><tr><td>c</td></tr></tbody></table>' },
  {
    name: 'footnotes kept as raw Markdown',
    md: 'Text[^1].\n\n[^1]: The note.\n',
    storage:
      '<p>Text<ac:structured-macro ac:name="markdown"><ac:plain-text-body><![CDATA[[^1]]]></ac:plain-text-body></ac:structured-macro>.</p><ac:structured-macro ac:name="markdown"><ac:plain-text-body><![CDATA[[^1]: The note.]]></ac:plain-text-body></ac:structured-macro>',
    warnings: 2,
  },
  { name: 'GitHub alert without title, body on the next line', md: '> [!TIP]\n> Use it.\n', storage: '<ac:structured-macro ac:name="tip"><ac:rich-text-body><p>Use it.</p></ac:rich-text-body></ac:structured-macro>' },
  { name: 'task list', md: '- [ ] one\n- [x] two\n', storage: '<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>one</ac:task-body></ac:task><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>two</ac:task-body></ac:task></ac:task-list>' },
  { name: 'fenced code with language', md: '```js\nlet a = 1;\n```\n', storage: '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">js</ac:parameter><ac:plain-text-body><![CDATA[let a = 1;]]></ac:plain-text-body></ac:structured-macro>' },
  { name: 'reference link', md: '[x][ref]\n\n[ref]: https://example.com "T"\n', storage: '<p><a href="https://example.com" title="T">x</a></p>' },
  { name: 'bare URL stays text', md: 'see www.example.com\n', storage: '<p>see www.example.com</p>' },
  { name: 'bare e-mail and http URL stay text', md: 'mail a.b@example.com or https://example.com/a_b?c=1&d=2.\n', storage: '<p>mail a.b@example.com or https://example.com/a_b?c=1&amp;d=2.</p>' },
  // As CommonMark reads it (no GFM autolink literals): the URL does not swallow the emphasis and code after it.
  { name: 'markup right after a bare URL', md: 'see www.example.com/*foo* and https://x.org/`code`\n', storage: '<p>see www.example.com/<em>foo</em> and https://x.org/<code>code</code></p>' },
];

describe('markdown format: Markdown as people type it', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const result = toStorage(c.md);
      assert.equal(result.text, c.storage);
      assert.equal(result.warnings.length, c.warnings ?? 0);
      // One pull later the file is a fixed point.
      const pulled = toMd(result.text).text;
      assert.equal(toMd(toStorage(pulled).text).text, pulled);
    });
  }

  it('footnotes and raw HTML come back as typed', () => {
    for (const md of ['Text[^1].\n\n[^1]: The note.\n', '<div class="x">\n<b>hi</b>\n</div>\n', 'H<sub>2</sub>O\n']) {
      assert.equal(toMd(toStorage(md).text).text, md);
    }
  });
});
