/**
 * Regression: a tight list inside a block quote or a panel, directly followed by another quote, came back loose
 * (`<li>` gained a `<p>`) and a second round trip changed it again: the Markdown reader counted the blank `>` line
 * after the list as a blank line inside it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalStorage } from '../../src/format/index.js';
import { toMd, toStorage } from './helpers.js';

const Q = (x: string) => `<blockquote>${x}</blockquote>`;
const PANEL = (name: string, x: string) => `<ac:structured-macro ac:name="${name}"><ac:rich-text-body>${x}</ac:rich-text-body></ac:structured-macro>`;
const TIGHT = '<ul><li>a</li><li>b</li></ul>';

const CASES: Array<[string, string]> = [
  ['quote: tight list, then a quote', Q(TIGHT + Q('<p>n</p>'))],
  ['info panel: tight list, then a quote', PANEL('info', TIGHT + Q('<p>n</p>'))],
  ['warning panel: ordered tight list, then a quote', PANEL('warning', '<ol><li>one</li><li>two</li></ol>' + Q('<p>n</p>'))],
  ['nested item list, then a quote', Q('<ul><li>a<ul><li>b</li></ul></li></ul>' + Q('<p>n</p>'))],
  ['inside a list item', `<ul><li>${Q(TIGHT + Q('<p>n</p>'))}</li></ul>`],
  ['a loose list stays loose', Q('<ul><li><p>a</p></li><li><p>b</p></li></ul>' + Q('<p>n</p>'))],
];

describe('markdown format: a tight list in a quote followed by a quote', () => {
  for (const [name, storage] of CASES) {
    it(`${name}: first and second trips give back the storage and the same Markdown`, () => {
      const md = toMd(storage).text;
      assert.ok(!md.includes('confluence-storage'), md);
      const once = toStorage(md).text;
      assert.equal(canonicalStorage(once), canonicalStorage(storage));
      const md2 = toMd(once).text;
      assert.equal(md2, md);
      assert.equal(canonicalStorage(toStorage(md2).text), canonicalStorage(storage));
    });
  }

  it('Markdown typed that way reads as a tight list', () => {
    assert.equal(toStorage('> - a\n> - b\n>\n> > n\n').text, '<blockquote><ul><li>a</li><li>b</li></ul><blockquote><p>n</p></blockquote></blockquote>');
    assert.equal(toStorage('> - a\n>\n> - b\n').text, '<blockquote><ul><li><p>a</p></li><li><p>b</p></li></ul></blockquote>');
  });
});
