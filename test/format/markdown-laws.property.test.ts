import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { markdownDoc, storageBody } from './arbitraries.js';
import { ctx, law1, law2, toMd, toStorage } from './helpers.js';
import { canonicalNodes, canonicalStorage, parseStorage, serializeNodes } from '../../src/format/xml/index.js';
import { assertSeeded } from '../helpers/seeds.js';

const RUNS = process.env.CSYNC_SOAK === '1' ? 2000 : 100;
/** One prefix for the file: CSYNC_LAWS_SEED=… CSYNC_LAWS_PATH=… CSYNC_LAWS_PROPERTY=law-2 replays a case of law 2. */
const law = <T>(name: string, runs: number, property: fc.IPropertyWithHooks<T>): void =>
  assertSeeded('CSYNC_LAWS', 'test/format/markdown-laws.property.test.ts', name, { seed: 20261203, runs }, property);

describe('markdown format: laws as properties', () => {
  it('law 1: storage(markdown(S)) equals S as canonical XML', () => {
    law(
      'law-1',
      RUNS,
      fc.property(storageBody, (s) => {
        const r = law1(s);
        assert.equal(r.actual, r.expected, `markdown was:\n${r.markdown}`);
      }),
    );
  });

  it('law 2: markdown the converter wrote is a fixed point', () => {
    law(
      'law-2',
      RUNS,
      fc.property(storageBody, (s) => {
        const md = toMd(s).text;
        const r = law2(md);
        assert.equal(r.actual, r.expected);
      }),
    );
  });

  it('hand-written Markdown: one conversion later it is a fixed point, and its storage round-trips', () => {
    law(
      'hand-written',
      RUNS,
      fc.property(markdownDoc, (m) => {
        const s = toStorage(m).text;
        const m1 = toMd(s).text;
        assert.equal(canonicalStorage(toStorage(m1).text), canonicalStorage(s), `m1:\n${m1}`);
        assert.equal(law2(m1).actual, m1);
      }),
    );
  });

  it('any input at all: no exception; malformed bodies come back byte for byte with a warning', () => {
    const junk = fc.string({ unit: fc.constantFrom('<', '>', '/', '&', ';', '"', '=', ' ', '\n', 'p', 'ac:', 'x', '#', '!', '[', ']', '-', '`', '<p>', '</p>', '<![CDATA[', ']]>', '&nbsp;'), maxLength: 40 });
    law(
      'any-input',
      RUNS,
      fc.property(junk, (s) => {
        const md = toMd(s);
        const back = toStorage(md.text, { ...ctx, base: s }).text;
        if (md.warnings.length) assert.equal(back, s);
        else assert.equal(canonicalStorage(back), canonicalStorage(s));
      }),
    );
  });

  it('editing one paragraph changes only that paragraph in storage', () => {
    law(
      'edit-paragraph',
      Math.ceil(RUNS / 3),
      fc.property(fc.array(storageBody, { minLength: 2, maxLength: 4 }), fc.nat(), (bodies, pick) => {
        // Unique marker paragraphs between random blocks; edit one of them in the Markdown.
        const parts = bodies.map((b, i) => `<p>MARKER${i} text</p>${b}`);
        const storage = parts.join('');
        const target = pick % bodies.length;
        const md = toMd(storage).text;
        assert.ok(md.includes(`MARKER${target} text`));
        const edited = md.replace(`MARKER${target} text`, `MARKER${target} changed`);
        const before = canonicalNodes(parseStorage(storage).children);
        const after = canonicalNodes(parseStorage(toStorage(edited, { ...ctx, base: storage }).text).children);
        assert.equal(after.length, before.length);
        const changed = before.map((n, i) => serializeNodes([n]) !== serializeNodes([after[i] as never])).flatMap((d, i) => (d ? [i] : []));
        assert.equal(changed.length, 1);
        assert.equal(serializeNodes([after[changed[0] as number] as never]), `<p>MARKER${target} changed</p>`);
      }),
    );
  });

  it('editing a paragraph nested in a layout, an alert or a list changes nothing else', () => {
    const nest = fc.constantFrom(
      (p: string) => `<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell>${p}</ac:layout-cell><ac:layout-cell><p>other</p></ac:layout-cell></ac:layout-section></ac:layout>`,
      (p: string) => `<ac:structured-macro ac:name="info" ac:macro-id="m1"><ac:rich-text-body>${p}</ac:rich-text-body></ac:structured-macro>`,
      (p: string) => `<ul><li>${p}<ul><li>x</li></ul></li><li><p>y</p></li></ul>`,
      (p: string) => `<blockquote>${p}</blockquote>`,
      (p: string) => `<ac:structured-macro ac:name="expand"><ac:rich-text-body>${p}</ac:rich-text-body></ac:structured-macro>`,
    );
    law(
      'edit-nested',
      Math.ceil(RUNS / 3),
      fc.property(storageBody, nest, storageBody, (before, wrap, after) => {
        const storage = before + wrap('<p>MARKER text</p>') + after;
        const md = toMd(storage).text;
        const edited = toStorage(md.replace('MARKER text', 'MARKER changed'), { ...ctx, base: storage }).text;
        assert.equal(canonicalStorage(edited), canonicalStorage(storage).replace('<p>MARKER text</p>', '<p>MARKER changed</p>'));
      }),
    );
  });
});
