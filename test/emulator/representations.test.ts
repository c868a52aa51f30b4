/** Body representations: ADF ⇄ storage, wiki → storage, view; v2 writes in ADF and wiki, reads with body-format. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adfToStorage, storageToAdf } from '../../src/emulator/adf.js';
import { ConversionError, convert } from '../../src/emulator/representations.js';
import { wikiToStorage } from '../../src/emulator/wiki.js';
import { call, withEmu } from './helpers.js';

const STORAGE =
  '<h2>Title</h2><p>Some <strong>bold</strong>, <em>it</em>, <a href="https://example.com/x?a=1&amp;b=2">a link</a>, <code>c</code> and <s>gone</s>.<br />Next line</p>' +
  '<ul><li><p>one</p></li><li><p>two</p><ol><li><p>nested</p></li></ol></li></ul>' +
  '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">ts</ac:parameter><ac:plain-text-body><![CDATA[if (a < b && c) {}]]></ac:plain-text-body></ac:structured-macro>' +
  '<table><tbody><tr><th><p>H</p></th><th><p>I</p></th></tr><tr><td><p>1</p></td><td><p>2</p></td></tr></tbody></table>' +
  '<blockquote><p>quoted</p></blockquote><hr /><ac:structured-macro ac:name="warning"><ac:rich-text-body><p>careful</p></ac:rich-text-body></ac:structured-macro>';

describe('representations', () => {
  test('storage → ADF → storage is the identity for the common node set', () => {
    const adf = storageToAdf(STORAGE);
    assert.equal(adf.type, 'doc');
    assert.deepEqual(adf.content!.map((n) => n.type), ['heading', 'paragraph', 'bulletList', 'codeBlock', 'table', 'blockquote', 'rule', 'panel']);
    assert.deepEqual(adf.content![3], { type: 'codeBlock', attrs: { language: 'ts' }, content: [{ type: 'text', text: 'if (a < b && c) {}' }] });
    assert.equal(adfToStorage(adf), STORAGE);
  });

  test('ADF that cannot be converted is refused with a clear message', () => {
    assert.throws(() => adfToStorage({ type: 'paragraph' }), ConversionError);
    assert.throws(() => adfToStorage({ type: 'doc', content: [{ type: 'mediaSingle', content: [] }] }), /Cannot convert ADF node 'mediaSingle'/);
    assert.throws(() => convert('storage', 'wiki', '<p>x</p>'), /Cannot convert to wiki/);
    assert.throws(() => convert('atlas_doc_format', 'storage', '{not json'), /not JSON/);
  });

  test('wiki markup → storage: headings, emphasis, links, nested lists, code, tables, quotes, rules', () => {
    const wiki = 'h1. Head\n\nSome *bold* and _it_ text [Other page] and [site|https://e.com]\n* a\n** b\n# c\n{code:language=js}\nlet x = 1 < 2;\n{code}\n||h1||h2||\n|a|b|\nbq. quoted\n----';
    assert.equal(
      wikiToStorage(wiki),
      '<h1>Head</h1><p>Some <strong>bold</strong> and <em>it</em> text <ac:link><ri:page ri:content-title="Other page" /></ac:link> and <a href="https://e.com">site</a></p>' +
        '<ul><li>a<ul><li>b</li></ul></li></ul><ol><li>c</li></ol>' +
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">js</ac:parameter><ac:plain-text-body><![CDATA[let x = 1 < 2;]]></ac:plain-text-body></ac:structured-macro>' +
        '<table><tbody><tr><th>h1</th><th>h2</th></tr><tr><td>a</td><td>b</td></tr></tbody></table><blockquote><p>quoted</p></blockquote><hr />',
    );
  });

  test('v2: a page written in ADF or wiki is stored as storage; body-format=atlas_doc_format and view read it back', async () => {
    await withEmu({ seed: 'demo' }, async (emu) => {
      const spaceId = emu.api.space('DEMO').id;
      const adf = storageToAdf(STORAGE);
      const made = await call(emu, 'POST', '/wiki/api/v2/pages', { body: { spaceId, status: 'current', title: 'Written in ADF', body: { representation: 'atlas_doc_format', value: JSON.stringify(adf) } } });
      assert.equal(made.status, 200, made.text);
      assert.match(emu.api.body(made.json.id), /<h2>Title<\/h2>/);
      const read = await call(emu, 'GET', `/wiki/api/v2/pages/${made.json.id}?body-format=atlas_doc_format`);
      assert.equal(read.status, 200);
      assert.equal(read.json.body.atlas_doc_format.representation, 'atlas_doc_format');
      assert.deepEqual(JSON.parse(read.json.body.atlas_doc_format.value), adf, 'the same document reads back');
      const storage = await call(emu, 'GET', `/wiki/api/v2/pages/${made.json.id}?body-format=storage`);
      assert.equal(adfToStorage(JSON.parse(read.json.body.atlas_doc_format.value)), adfToStorage(storageToAdf(storage.json.body.storage.value)), 'ADF and storage readers see the same page');
      const view = await call(emu, 'GET', `/wiki/api/v2/pages/${made.json.id}?body-format=view`);
      assert.match(view.json.body.view.value, /<pre>if \(a &lt; b &amp;&amp; c\) \{\}<\/pre>/);
      assert.doesNotMatch(view.json.body.view.value, /ac:/);
      const wiki = await call(emu, 'PUT', `/wiki/api/v2/pages/${made.json.id}`, { body: { id: made.json.id, status: 'current', title: 'Written in ADF', version: { number: 2 }, body: { representation: 'wiki', value: 'h1. Now wiki\n\n*bold*' } } });
      assert.equal(wiki.status, 200, wiki.text);
      assert.equal(emu.api.body(made.json.id), '<h1>Now wiki</h1><p><strong>bold</strong></p>');
      const bad = await call(emu, 'PUT', `/wiki/api/v2/pages/${made.json.id}`, { body: { id: made.json.id, status: 'current', title: 'Written in ADF', version: { number: 3 }, body: { representation: 'atlas_doc_format', value: '{"type":"doc","content":[{"type":"mediaSingle"}]}' } } });
      assert.equal(bad.status, 400);
      assert.match(bad.json.errors[0].title, /Cannot convert ADF node 'mediaSingle'/);
      assert.equal(emu.api.page(made.json.id).version.number, 2, 'a refused write changes nothing');
      const listed = await call(emu, 'GET', `/wiki/api/v2/spaces/${spaceId}/pages?body-format=atlas_doc_format&limit=250`);
      assert.equal(listed.status, 200);
      assert.ok(listed.json.results.every((p: { body: { atlas_doc_format?: { value: string } } }) => JSON.parse(p.body.atlas_doc_format!.value).type === 'doc'));
      assert.deepEqual(emu.invalidRequests(), []);
    });
  });
});
