/**
 * A big storage body's canonical hash is computed piece by piece (src/format/xml/top-level.ts, canonicalStorageHash):
 * it must equal the hash of the whole body's canonical form — pending creates and updates recorded by an earlier
 * csync compare against it. Checked with a 1-character piece size (a cut at every point the scanner allows) on the
 * construct fixtures, the Cloud-like corpus, malformed bodies and random sequences of top-level nodes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalStorage, canonicalStorageHash, storageEquals } from '../../src/format/xml/canonical.js';
import { topLevelPieces } from '../../src/format/xml/top-level.js';
import { sha256 } from '../../src/local/files.js';
import { cloudCorpus } from './cloud-corpus.js';
import { FIXTURES } from './fixtures.js';
import { checkSeed, suiteSeeds } from '../helpers/seeds.js';

function sameHash(xml: string): void {
  assert.equal(canonicalStorageHash(xml, 1), sha256(canonicalStorage(xml)), `piecewise canonical hash differs for:\n${JSON.stringify(xml)}`);
}

describe('canonical hash piece by piece equals the whole body’s', () => {
  it('fixtures, the Cloud-like corpus, and all of them run together', () => {
    const bodies = [...FIXTURES.map((f) => f.storage), ...cloudCorpus(12, 3, 6000)];
    for (const b of bodies) sameHash(b);
    sameHash(bodies.join(''));
    sameHash(bodies.join('\n'));
    assert.ok(topLevelPieces(bodies.join(''), 1).length > bodies.length, 'the joined corpus is cut');
    // A long list is cut between its items.
    const list = `<ul>${'<li>item</li>'.repeat(50)}</ul>`;
    assert.equal(topLevelPieces(list, 1).length, 50);
    sameHash(list);
  });

  it('malformed bodies hash as the whole (unchanged text)', () => {
    for (const b of ['<p>a</p><p>b', '<p>a</p></p><p>b</p>', '<p>a</p><p x="1>b</p>', '<p>a</p><!-- open', '<p>&bogus;</p><p>x</p>', '<p>a</p><p>b</q>']) sameHash(b);
  });

  const node = fc.constantFrom(
    '<p>para</p>', '<p >spaced  <strong>b</strong> </p>', '<h1>h</h1>', '<hr/>', '<hr />', '<br/>', ' ', '\n', '\r\n', 'text', '&amp;', '&#160;',
    '<!-- c -->', '<![CDATA[x < y]]>', '<p b="2" a="1">attrs</p>', '<ul><li>a</li> <li>b</li></ul>', '<ul>\n<li>x</li>\n</ul>',
    '<table><tbody><tr><td> <p>c</p> </td></tr></tbody></table>', '<pre> keep  \r\n</pre>', '<p></p>', '<span>s</span>',
    '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a\r\nb]]></ac:plain-text-body></ac:structured-macro>',
    '<p title=\'q>"\'>quoted</p>', '<div> <p>in div</p> </div>', '<ul><li>a</li><li><p>b</p></li><li/><li b="1" a="2">c</li></ul>', '<ol><li>1</li><li>2<ol><li>x</li></ol></li></ol>',
    '<ul><li>x</li><!-- c --><li>y</li></ul>', '<ul> <li>sp</li>\n<li>nl</li></ul>', '<ul b="1"><li>attr</li><li>list</li></ul>',
    '<ac:task-list><ac:task><ac:task-id>1</ac:task-id></ac:task><ac:task><ac:task-id>2</ac:task-id></ac:task></ac:task-list>',
  );
  const body = fc.array(node, { minLength: 0, maxLength: 12 }).map((xs) => xs.join(''));
  for (const s of suiteSeeds('CSYNC_CANON_PIECES', 1515, 150, 100)) {
    it(`random top-level node sequences, ${s.kind} seed ${s.seed} (${s.cases} cases)`, async () => {
      await checkSeed('CSYNC_CANON_PIECES', 'canonical-pieces', s, fc.property(body, body, (a, b) => {
        sameHash(a);
        // storageEquals of big bodies compares these hashes: the same answer as comparing canonical forms.
        const big = (x: string) => x + '<p>filler</p>'.repeat(5000);
        assert.equal(storageEquals(big(a), big(b)), canonicalStorage(big(a)) === canonicalStorage(big(b)), JSON.stringify([a, b]));
      }));
    });
  }
});
