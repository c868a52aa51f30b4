import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  attrsComment,
  formatAttrList,
  parseAttrList,
  parseAttrsComment,
  parseStorageMarker,
  storageMarker,
  ALERT_TO_MACRO,
  MACRO_TO_ALERT,
} from '../../src/format/markdown/syntax.js';
import type { AttrEntry } from '../../src/format/markdown/syntax.js';
import { assertSeeded } from '../helpers/seeds.js';

describe('markdown syntax: attribute lists and markers', () => {
  it('formats and parses an attribute list', () => {
    const entries: AttrEntry[] = [
      { name: 'title', value: 'A "quoted" 100% > title\nwith a line break', element: false },
      { name: 'ac:macro-id', value: 'abc', element: true },
    ];
    const text = formatAttrList(entries);
    assert.equal(text, 'title="A %22quoted%22 100%25 %3E title%0Awith a line break" @ac:macro-id="abc"');
    assert.deepEqual(parseAttrList(text), entries);
    assert.deepEqual(parseAttrsComment(attrsComment(entries)), entries);
  });

  it('round-trips any values', () => {
    const entry = fc.record({
      name: fc.constantFrom('a', 'ac:b', 'data-layout', 'x.y'),
      value: fc.string({ unit: fc.constantFrom('a', ' ', '"', '%', '>', '<', '-', '\n', '\r', '\t', '&', '2', '2', 'F') }),
      element: fc.boolean(),
    }).map((e): AttrEntry => ({ name: e.name, value: e.value, element: e.element }));
    assertSeeded(
      'CSYNC_SYNTAX',
      'test/format/syntax.test.ts',
      'attrs',
      { seed: 20261203, runs: 300 },
      fc.property(fc.array(entry, { maxLength: 4 }), (entries) => {
        const comment = attrsComment(entries);
        assert.ok(!comment.slice(4, -3).includes('-->'));
        assert.deepEqual(parseAttrsComment(comment), entries);
      }),
    );
  });

  it('rejects text that is not an attribute list or marker', () => {
    assert.equal(parseAttrList('a=1'), undefined);
    assert.equal(parseAttrList('a="1" junk'), undefined);
    assert.equal(parseAttrsComment('<!-- a comment -->'), undefined);
    assert.equal(parseStorageMarker('<!-- a comment -->'), undefined);
  });

  it('storage markers carry raw XML, and refuse payloads that would end the comment', () => {
    const marker = storageMarker('<ac:layout><ac:layout-section ac:type="single">');
    assert.equal(marker, '<!-- storage: <ac:layout><ac:layout-section ac:type="single"> -->');
    assert.equal(parseStorageMarker(marker as string), '<ac:layout><ac:layout-section ac:type="single">');
    assert.equal(storageMarker('<p>a --> b</p>'), undefined);
  });

  it('alert kinds and macros map one to one', () => {
    for (const [kind, macro] of Object.entries(ALERT_TO_MACRO)) assert.equal(MACRO_TO_ALERT[macro], kind);
    assert.equal(Object.keys(MACRO_TO_ALERT).length, 5);
  });
});
