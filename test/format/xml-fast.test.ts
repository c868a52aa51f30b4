/**
 * The hand-written fast path of the storage parser (src/format/xml/fast-parse.ts) must build exactly the tree the
 * saxes-based parser builds, and never accept a body saxes rejects (it gives up and saxes decides): compared on the
 * fixtures, the corpora, generated bodies, and bodies damaged at random (a fixed seed and a fresh one).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { characterEntities } from 'character-entities';
import { fastParse } from '../../src/format/xml/fast-parse.js';
import { parseStorage, parseStorageWithSaxes } from '../../src/format/xml/parse.js';
import { corpus } from '../../bench/format-corpus.js';
import { FIXTURES, MALFORMED } from './fixtures.js';
import { cloudCorpus } from './cloud-corpus.js';
import { storageBody } from './arbitraries.js';
import { assertSeeded } from '../helpers/seeds.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const ENTITIES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, characterEntities, { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" });

type Outcome = { ok: true; tree: unknown } | { ok: false; error: string };

function outcome(parse: () => { children: unknown }): Outcome {
  try {
    return { ok: true, tree: parse().children };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Both parsers agree on `body`; returns whether the fast path read it itself. */
function same(body: string): boolean {
  const reference = outcome(() => parseStorageWithSaxes(body));
  assert.deepEqual(outcome(() => parseStorage(body)), reference, JSON.stringify(body));
  const fast = fastParse(body, ENTITIES);
  if (fast !== undefined) assert.deepEqual({ ok: true, tree: fast }, reference, `fast path on ${JSON.stringify(body)}`);
  return fast !== undefined;
}

const BODIES = [...FIXTURES.map((f) => f.storage), ...corpus(60), ...cloudCorpus(40)];

/** Characters that matter to XML, to insert or replace with. */
const DAMAGE = [...'<>&;/"\'-!?[]=: \t\n\rax#', '\u0000', '\uffff', '\ud800', ']]>', '--', '&amp;', '&#0;', '&#x41;', '&nbsp;', '&bogus;', 'xmlns:q="u"', '<q:x/>', '</p>', '<![CDATA[', '<?pi?>'];
const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), remove: fc.integer({ min: 0, max: 3 }), insert: fc.constantFrom('', ...DAMAGE) });
const damaged = fc.tuple(fc.constantFrom(...BODIES), fc.array(edit, { minLength: 1, maxLength: 3 })).map(([body, edits]) => {
  let s = body;
  for (const e of edits) {
    const at = Math.floor(e.at * s.length);
    s = s.slice(0, at) + e.insert + s.slice(at + e.remove);
  }
  return s;
});

describe('xml: the fast path of the storage parser builds what saxes builds', () => {
  it('on the fixtures, the malformed fixtures and the corpora (and reads most corpus bodies itself)', () => {
    let fast = 0;
    for (const body of BODIES) if (same(body)) fast++;
    for (const m of MALFORMED) same(m.storage);
    assert.ok(fast >= BODIES.length * 0.9, `fast path read ${fast} of ${BODIES.length} bodies`);
  });

  it('on the edges of its subset', () => {
    const edges = [
      '<!-- a -- b -->', '<!-- a --->', '<!---->', '<!--->', '<!---> a -->', '<!--- a -->', '<!-- a -->-->', '<!-- a - b -->', '<p>a]]>b</p>', 'a]]>b', '<p>a]]</p>', '<p x="1"y="2"/>', '<p x="a<b"/>',
      '<p x="a>b"/>', '<q:x/>', '<p xmlns:q="u"><q:x/></p>', '<p xmlns="u"/>', '<p>&#0;</p>', '<p>&bogus;</p>', '<p>&amp</p>', '<p>&;</p>', '<p>',
      '</p>', '<p></q>', '<p></p >', '<p></ p>', '<p x="1" x="2"/>', '<ac:x ac:a="1" ri:a="2" a="3"/>', '<p  >a</p  >', "<p\tx = 'v\tw'\n/>",
      '<p x="a\nb\tc&#10;d&#9;"/>', 'a\r\nb', '<p>a\rb</p>', '\ufeff<p/>', '<?xml version="1.0"?><p/>', '<!DOCTYPE x><p/>', '<![CDATA[a]]>',
      '<p><![CDATA[a]]]]><![CDATA[>]]></p>', '<p>&amp;&lt;&gt;&quot;&apos;&nbsp;&hellip;&#x1F600;&#128512;&#xD800;&#x110000;</p>', '<p>\ud800</p>',
      '<p>\ud83d\ude00</p>', '<p>\udc00x</p>', '<p>a</p>trailing', '<xml:p/>', '<xmlfoo/>', '<p xml:lang="en"/>', '<p a:b:c="1"/>', '<p:x/>',
      '<p/ >', '<p / >', '<p x=1/>', '<p x/>', '<1p/>', '<p.x-y_z/>', '<é/>', '<p é="1"/>', '<p x="&amp;&#38;"/>', '<p>\u0001</p>', '<p>\uffff</p>',
      '', '   ', '<', '&', 'a>b', '<p>a<!-- c --><![CDATA[d]]>e</p>', '<ac:structured-macro ac:name="x"><ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro>',
    ];
    for (const body of edges) same(body);
  });

  it('on generated storage bodies', () => {
    assertSeeded('XMLFAST', 'xml-fast', 'generated', { seed: 1414, runs: SOAK ? 5000 : 300 }, fc.property(storageBody, (s) => void same(s)));
  });

  it('on damaged corpus bodies (fixed seed + fresh seed)', () => {
    assertSeeded('XMLFAST', 'xml-fast', 'damaged', { seed: 1414, runs: SOAK ? 40000 : 900, fresh: SOAK ? 20000 : 300 }, fc.property(damaged, (body) => void same(body)));
  });
});
