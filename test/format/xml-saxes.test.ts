import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { characterEntities } from 'character-entities';
import { tryParseStorage } from '../../src/format/xml/parse.js';
import { FIXTURES, MALFORMED } from './fixtures.js';
import { storageBody } from './arbitraries.js';
import { assertSeeded } from '../helpers/seeds.js';

const FILE = 'test/format/xml-saxes.test.ts';

/**
 * saxes set up independently of the parser: a whole document whose root element binds ac/ri/at, as Confluence
 * reads a body, with HTML entities. parseStorage runs saxes differently (fragment mode, its own tree building,
 * error mapping and top-level `]]>` check): both must draw the line between well-formed and not at the same place.
 */
function saxesAccepts(body: string): boolean {
  const p = new SaxesParser({ xmlns: true });
  Object.assign(p.ENTITIES, characterEntities);
  let ok = true;
  p.on('error', () => {
    ok = false;
  });
  try {
    p.write(`<csync-root xmlns:ac="urn:ac" xmlns:ri="urn:ri" xmlns:at="urn:at">${body}</csync-root>`).close();
  } catch {
    ok = false;
  }
  return ok;
}

const RUNS = process.env.CSYNC_SOAK === '1' ? 50000 : 1500;

describe('xml: the storage parser agrees with a plain saxes document parse on what is well-formed', () => {
  it('on every fixture', () => {
    for (const f of FIXTURES) assert.equal(saxesAccepts(f.storage), true, f.name);
    for (const m of MALFORMED) assert.equal(saxesAccepts(m.storage), false, m.name);
  });

  it('on generated storage bodies', () => {
    assertSeeded(
      'CSYNC_XML_SAXES',
      FILE,
      'generated',
      { seed: 20261203, runs: Math.ceil(RUNS / 30) },
      fc.property(storageBody, (s) => {
        assert.equal(tryParseStorage(s).ok, true);
        assert.equal(saxesAccepts(s), true);
      }),
    );
  });

  it('on random markup soup', () => {
    const soup = fc.string({
      unit: fc.constantFrom('<', '>', '/', '&', ';', '"', "'", '=', ' ', '\n', 'p', 'ac:', 'ri:', 'foo:', 'x', '#', '!', '-', '<p>', '</p>', '<b a="1">', '</b>', '<![CDATA[', ']]>', '&nbsp;', '&amp;', '&#60;', '&#0;', '<!--', '-->', '?', 'a="1"'),
      maxLength: 30,
    });
    assertSeeded(
      'CSYNC_XML_SAXES',
      FILE,
      'soup',
      { seed: 20261203, runs: RUNS },
      fc.property(soup, (s) => {
        assert.equal(tryParseStorage(s).ok, saxesAccepts(s), JSON.stringify(s));
      }),
    );
  });
});
