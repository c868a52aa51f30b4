import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURES, MALFORMED } from './fixtures.js';
import { ctx, law1, law2, toMd, toStorage } from './helpers.js';
import { canonicalStorage } from '../../src/format/xml/canonical.js';

describe('markdown format: fixtures for every storage construct', () => {
  for (const f of FIXTURES) {
    it(`${f.name}: laws hold and the readable form is used`, () => {
      const r1 = law1(f.storage);
      assert.equal(r1.actual, r1.expected, `law 1 failed; markdown was:\n${r1.markdown}`);
      const r2 = law2(r1.markdown);
      assert.equal(r2.actual, r2.expected, 'law 2 failed');
      const result = toMd(f.storage);
      assert.deepEqual(result.warnings, []);
      for (const s of f.clean ?? []) assert.ok(result.text.includes(s), `expected ${JSON.stringify(s)} in:\n${result.text}`);
      for (const s of f.absent ?? []) assert.ok(!result.text.includes(s), `did not expect ${JSON.stringify(s)} in:\n${result.text}`);
    });
  }

  it('all fixtures together form one body that round-trips', () => {
    const body = FIXTURES.map((f) => f.storage).join('');
    const r1 = law1(body);
    assert.equal(r1.actual, r1.expected);
    assert.equal(law2(r1.markdown).actual, r1.markdown);
  });

  it('an unedited pulled page converts back to the same storage (nothing to push)', () => {
    for (const f of FIXTURES) {
      const back = toStorage(toMd(f.storage).text, { ...ctx, base: f.storage }).text;
      assert.equal(canonicalStorage(back), canonicalStorage(f.storage), f.name);
    }
  });

  it('conversion is deterministic', () => {
    for (const f of FIXTURES) assert.equal(toMd(f.storage).text, toMd(f.storage).text);
  });
});

describe('markdown format: malformed storage', () => {
  for (const m of MALFORMED) {
    it(`${m.name}: kept verbatim with a warning, converts back byte for byte`, () => {
      const result = toMd(m.storage);
      assert.equal(result.warnings.length, 1);
      assert.match(result.warnings[0] as string, /malformed storage/);
      assert.ok(result.text.includes('confluence-storage'));
      assert.equal(toStorage(result.text).text, m.storage);
      assert.equal(toMd(toStorage(result.text).text).text, result.text);
    });
  }

  it('an empty body is an empty file and back', () => {
    assert.deepEqual(toMd(''), { text: '', warnings: [] });
    assert.equal(toStorage('').text, '');
  });

  it('an edited storage marker that breaks the XML gives a warning, not a crash', () => {
    const md = toMd('<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell><p>x</p></ac:layout-cell></ac:layout-section></ac:layout>').text;
    const broken = md.replace(/<!-- storage: <\/ac:layout-cell>.*-->\n/, '');
    const result = toStorage(broken, ctx);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0] as string, /malformed storage/);
  });
});

describe('markdown format: bodies nested deeper than the call stack', () => {
  it('storage → Markdown keeps the body verbatim with a warning; Markdown → storage keeps the text in a macro', () => {
    const deep = `${'<blockquote>'.repeat(5000)}<p>x</p>${'</blockquote>'.repeat(5000)}`;
    const md = toMd(deep);
    assert.equal(md.warnings.length, 1);
    assert.equal(toStorage(md.text).text, deep);
    assert.equal(canonicalStorage(deep), deep);
    const text = `${'>'.repeat(5000)} x\n`;
    const st = toStorage(text);
    assert.equal(st.warnings.length, 1);
    assert.equal(toMd(st.text).text, text);
  });
});
