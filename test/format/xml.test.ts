import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { storageBody } from './arbitraries.js';
import { FIXTURES } from './fixtures.js';
import { canonicalStorage, parseStorage, storageEquals, tryParseStorage, XmlSyntaxError } from '../../src/format/xml/index.js';
import { decodeEntities } from '../../src/format/xml/index.js';
import type { XmlElement, XmlNode } from '../../src/format/xml/index.js';
import { assertSeeded } from '../helpers/seeds.js';

const FILE = 'test/format/xml.test.ts';

describe('xml: parseStorage', () => {
  it('parses a fragment with several top-level nodes, namespaced names and source offsets', () => {
    const src = 'hi <p a="1">x<ac:emoticon ac:name="smile"/></p><![CDATA[c]]><!--n-->';
    const frag = parseStorage(src);
    assert.deepEqual(frag.children.map((n) => n.type), ['text', 'element', 'cdata', 'comment']);
    const p = frag.children[1] as XmlElement;
    assert.equal(src.slice(p.start, p.end), '<p a="1">x<ac:emoticon ac:name="smile"/></p>');
    assert.equal(src.slice(p.start, p.openEnd), '<p a="1">');
    assert.equal(src.slice(p.closeStart, p.end), '</p>');
    const emo = p.children[1] as XmlElement;
    assert.equal(emo.name, 'ac:emoticon');
    assert.deepEqual(emo.attrs, [{ name: 'ac:name', value: 'smile' }]);
    assert.equal(emo.openEnd, emo.end);
  });

  it('decodes HTML named entities, numeric references and attribute entities', () => {
    const frag = parseStorage(`<p title="a&amp;b&quot;">&nbsp;&mdash;&#169;&#x2603;&lt;&apos;&hellip;</p>`);
    const p = frag.children[0] as XmlElement;
    assert.equal(p.attrs[0]?.value, 'a&b"');
    assert.equal(p.children[0]?.type === 'text' && p.children[0].value, '\u00a0—©☃<\'…');
  });

  it('accepts single-quoted attributes and whitespace inside tags', () => {
    const p = parseStorage(`<p  class='x'\n data-a = "1" ></p >`).children[0] as XmlElement;
    assert.deepEqual(p.attrs, [{ name: 'class', value: 'x' }, { name: 'data-a', value: '1' }]);
  });

  const bad: Array<[string, RegExp]> = [
    ['<p>x', /unclosed <p>/],
    ['<p><b>x</p></b>', /unexpected <\/p>/],
    ['</p>', /unexpected <\/p>/],
    ['<foo:bar/>', /unknown namespace prefix/],
    ['<p foo:x="1"/>', /unknown namespace prefix/],
    ['<p>&bogus;</p>', /unknown entity/],
    // Names an object literal has on its prototype are no entities either.
    ['<p>&constructor;</p>', /unknown entity/],
    ['<p title="&toString;"/>', /unknown entity/],
    ['<p>a & b</p>', /invalid entity/],
    ['<p>&#0;</p>', /invalid character reference/],
    ['<p>&#xD800;</p>', /invalid character reference/],
    ['<p a=1/>', /malformed start tag/],
    ['<p a="1" a="2"/>', /duplicate attribute/],
    ['<p a="<"/>', /malformed start tag/],
    ['<!-- x', /unclosed comment/],
    ['<![CDATA[x', /unclosed CDATA/],
    ['<!DOCTYPE x>', /unsupported markup declaration/],
    ['< p/>', /malformed tag/],
  ];
  for (const [src, msg] of bad) {
    it(`rejects ${JSON.stringify(src)}`, () => {
      assert.throws(() => parseStorage(src), (err: unknown) => err instanceof XmlSyntaxError && msg.test(err.message));
      const r = tryParseStorage(src);
      assert.equal(r.ok, false);
    });
  }

  it('accepts extra prefixes on request', () => {
    assert.equal(tryParseStorage('<foo:bar/>', { prefixes: ['foo'] }).ok, true);
    // … for that call only.
    assert.equal(tryParseStorage('<foo:bar/>').ok, false);
  });

  it('accepts a prefix the body declares itself, as any XML parser does', () => {
    assert.equal(tryParseStorage('<p xmlns:foo="urn:x"><foo:bar/></p>').ok, true);
    assert.equal(tryParseStorage('<p xmlns:foo="urn:x"/><foo:bar/>').ok, false);
  });

  const moreBad: Array<[string, string, number]> = [
    // saxes checks `]]>` only inside elements; a body is read inside a root element, so it is refused at the top too.
    ['a ]]> b', `']]>' in text`, 2],
    ['<p>a ]]> b</p>', `']]>' in text`, 5],
    ['<p>\u0001</p>', 'disallowed character in text', 3],
    ['<p>x</p><!-- a -- b -->', `'--' inside comment`, 8],
    ['<p>x<!-- y', 'unclosed comment', 4],
    ['<p>x</p ', 'malformed end tag </p>', 4],
    ['<p>fish & chips</p><p>a;b</p>', 'invalid entity reference', 8],
    ['<p title="a & b">x</p>', 'invalid entity reference', 12],
    ['<p>x</p>&', 'invalid entity reference', 8],
    ['<ul><li>x</li>', 'unclosed <ul>', 0],
    ['<p>\r\n<b>x</i></p>', 'unexpected </i>', 9],
    ['<p>😀</x>', 'unexpected </x>', 5],
    ['<?xml version="1.0"?><p/>', 'malformed processing instruction', 0],
    ['<ac:a:b/>', 'malformed start tag', 0],
  ];
  for (const [src, msg, offset] of moreBad) {
    it(`rejects ${JSON.stringify(src)} with "${msg}" at offset ${offset}`, () => {
      const r = tryParseStorage(src);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.ok(r.error.message.startsWith(msg), r.error.message);
      assert.equal(r.error.offset, offset, r.error.message);
      assert.ok(r.error.message.includes(`at offset ${offset}`), r.error.message);
    });
  }

  it('normalises line ends in values, keeps offsets in the original string (CR LF, astral characters)', () => {
    const src = '😀<p\r\n a="1">a\r\nb😀<![CDATA[c\r\nd]]><!--e\r\nf--></p>';
    const frag = parseStorage(src);
    const p = frag.children[1] as XmlElement;
    assert.equal(src.slice(p.start, p.openEnd), '<p\r\n a="1">');
    assert.deepEqual(
      p.children.map((n) => [n.type, 'value' in n ? n.value : '', src.slice(n.start, n.end)]),
      [
        ['text', 'a\nb😀', 'a\r\nb😀'],
        ['cdata', 'c\nd', '<![CDATA[c\r\nd]]>'],
        ['comment', 'e\nf', '<!--e\r\nf-->'],
      ],
    );
    assert.equal(src.slice(p.closeStart, p.end), '</p>');
    assert.equal(p.end, src.length);
  });

  // The converters copy the source slices of what they cannot map: every node's span must be exactly its markup,
  // and the spans of siblings must tile their parent's content with nothing lost or doubled.
  it('gives every node the exact source span of its markup, tiling its parent (generated bodies)', () => {
    const tile = (src: string, nodes: readonly XmlNode[], from: number, to: number): void => {
      let at = from;
      for (const n of nodes) {
        assert.equal(n.start, at, JSON.stringify(src));
        const text = src.slice(n.start, n.end);
        if (n.type === 'element') {
          assert.match(src.slice(n.start, n.openEnd), new RegExp(`^<${n.name}[\\s/>]`));
          assert.ok(src.slice(n.start, n.openEnd).endsWith('>'));
          if (n.closeStart === n.end) assert.ok(src.slice(n.start, n.openEnd).endsWith('/>'));
          else assert.match(src.slice(n.closeStart, n.end), new RegExp(`^</${n.name}\\s*>$`));
          tile(src, n.children, n.openEnd, n.closeStart);
        } else if (n.type === 'text') {
          assert.equal(decodeEntities(text).replace(/\r\n?/g, '\n'), n.value);
        } else if (n.type === 'cdata') {
          assert.equal(text, `<![CDATA[${n.value}]]>`);
        } else if (n.type === 'comment') {
          assert.equal(text, `<!--${n.value}-->`);
        }
        at = n.end;
      }
      assert.equal(at, to, JSON.stringify(src));
    };
    assertSeeded(
      'CSYNC_XML',
      FILE,
      'offsets',
      { seed: 20261203, runs: 200 },
      fc.property(storageBody, (s) => {
        tile(s, parseStorage(s).children, 0, s.length);
      }),
    );
  });
});

describe('xml: canonicalStorage', () => {
  const same: Array<[string, string]> = [
    ['<p b="2" a="1">x</p>', `<p a='1' b="2">x</p>`],
    ['<p>&nbsp;&mdash;</p>', '<p>\u00a0—</p>'],
    ['<p>&#60;&#x3E;</p>', '<p>&lt;&gt;</p>'],
    ['<p></p>', '<p/>'],
    ['<p ></p>', '<p />'],
    ['<ac:plain-text-body><![CDATA[a<b]]></ac:plain-text-body>', '<ac:plain-text-body>a&lt;b</ac:plain-text-body>'],
    ['<ac:plain-text-body><![CDATA[a]]><![CDATA[b]]></ac:plain-text-body>', '<ac:plain-text-body>ab</ac:plain-text-body>'],
    ['<p>a</p>\n\n<p>b</p>\n', '<p>a</p><p>b</p>'],
    ['<ul>\n  <li>x</li>\n</ul>', '<ul><li>x</li></ul>'],
    ['<ac:structured-macro ac:name="x">\n <ac:parameter ac:name="a">1</ac:parameter>\n</ac:structured-macro>', '<ac:structured-macro ac:name="x"><ac:parameter ac:name="a">1</ac:parameter></ac:structured-macro>'],
    ['<p>a\r\nb</p>', '<p>a\nb</p>'],
    ['<p title="&quot;q&quot;"/>', `<p title='"q"'/>`],
  ];
  for (const [a, b] of same) {
    it(`treats ${JSON.stringify(a)} and ${JSON.stringify(b)} as equal`, () => {
      assert.equal(canonicalStorage(a), canonicalStorage(b));
      assert.ok(storageEquals(a, b));
    });
  }

  const different: Array<[string, string]> = [
    ['<p>a b</p>', '<p>a  b</p>'],
    ['<p><strong>a</strong> <em>b</em></p>', '<p><strong>a</strong><em>b</em></p>'],
    ['<p a="1"/>', '<p a="2"/>'],
    ['<p>a</p>', '<p>b</p>'],
    ['<ac:plain-text-body> </ac:plain-text-body>', '<ac:plain-text-body/>'],
    ['<p><ac:parameter ac:name="x"> </ac:parameter></p>', '<p><ac:parameter ac:name="x"/></p>'],
    ['<ul><li>a</li><li>b</li></ul>', '<ul><li>b</li><li>a</li></ul>'],
  ];
  for (const [a, b] of different) {
    it(`keeps ${JSON.stringify(a)} and ${JSON.stringify(b)} apart`, () => {
      assert.notEqual(canonicalStorage(a), canonicalStorage(b));
      assert.equal(storageEquals(a, b), false);
    });
  }

  it('is idempotent and escapes only what XML needs', () => {
    const c = canonicalStorage('<p z="&lt;&amp;&gt;&quot;" a="&#9;">x &amp; y &gt; z "q"</p>');
    assert.equal(c, '<p a="&#9;" z="&lt;&amp;&gt;&quot;">x &amp; y &gt; z "q"</p>');
    assert.equal(canonicalStorage(c), c);
  });

  // XML attribute-value normalisation: a literal tab or line break in a value is a space to every XML parser
  // (Confluence's too); only a character reference keeps it.
  it('reads a literal tab or line break in an attribute value as a space', () => {
    assert.equal(canonicalStorage('<p a="x\ty\r\nz"/>'), '<p a="x y z"/>');
    assert.notEqual(canonicalStorage('<p a="x\ty"/>'), canonicalStorage('<p a="x&#9;y"/>'));
  });

  // The converter's round-trip check relies on it: storage that comes back equal to the canonical form needs no
  // second canonicalisation.
  it('is idempotent on every fixture and on generated bodies', () => {
    for (const f of FIXTURES) {
      const c = canonicalStorage(f.storage);
      assert.equal(canonicalStorage(c), c, f.name);
    }
    assertSeeded(
      'CSYNC_XML',
      FILE,
      'canonical-idempotent',
      { seed: 20261203, runs: process.env.CSYNC_SOAK === '1' ? 2000 : 200 },
      fc.property(storageBody, (s) => {
        const c = canonicalStorage(s);
        assert.equal(canonicalStorage(c), c);
      }),
    );
  });

  it('returns a malformed body unchanged', () => {
    assert.equal(canonicalStorage('<p>x'), '<p>x');
    assert.equal(storageEquals('<p>x', '<p>x'), true);
    assert.equal(storageEquals('<p>x', '<p>y'), false);
  });
});
