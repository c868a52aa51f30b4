/** Unit: the order new pages are created in (parents first always; linked pages first where the links allow). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkScanner, linkedPaths, orderCreates } from '../../src/engine/push/link-order.js';

const D = 'content/S/Home';

test('linkedPaths: relative page links of a body, resolved from its folder (inline, angle, reference; not URLs, not other files)', () => {
  const body = '[a](B.md) [b](<Doc B.md>) [c](sub/../C%20x.md#top) [d](https://x.org/E.md) [e](pic.png) [f][r]\n\n[r]: ../Up.md\n';
  assert.deepEqual(linkedPaths(`${D}/A.md`, body, '.md').sort(), [`${D}/B.md`, `${D}/C x.md`, `${D}/Doc B.md`, 'content/S/Up.md'].sort());
});

test('orderCreates: a linked page first; a cycle broken by depth then name; a folder page always before its pages', () => {
  const links = new Map<string, string[]>([
    [`${D}/A.md`, [`${D}/Z.md`]], // A links to Z: Z first
    [`${D}/P.md`, [`${D}/Q.md`]], // P ⇄ Q: P first (name)
    [`${D}/Q.md`, [`${D}/P.md`]],
    [`${D}/F.md`, [`${D}/F/child.md`]], // F links to its own child: F still first
  ]);
  const order = orderCreates([`${D}/A.md`, `${D}/Z.md`, `${D}/P.md`, `${D}/Q.md`, `${D}/F.md`, `${D}/F/child.md`], links, '.md');
  const at = (p: string) => order.indexOf(`${D}/${p}`);
  assert.equal(order.length, 6);
  assert.ok(at('Z.md') < at('A.md'), order.join(', '));
  assert.ok(at('P.md') < at('Q.md'), order.join(', '));
  assert.ok(at('F.md') < at('F/child.md'), order.join(', '));
});

test('LinkScanner: the links of a text fed in pieces cut anywhere are the links of the whole text', () => {
  const body = `${'prose line without links\n'.repeat(40)}[a](B.md) and [b](<Doc B.md>)\n${'x'.repeat(300)} [c](sub/../C%20x.md#top)\n[r]: ../Up.md\n[d](https://x.org/E.md) [z](Z.md)`;
  const whole = linkedPaths(`${D}/A.md`, body, '.md').sort();
  assert.equal(whole.length, 5);
  for (const size of [1, 2, 7, 64, 333, body.length]) {
    const scan = new LinkScanner(`${D}/A.md`, '.md');
    for (let i = 0; i < body.length; i += size) scan.push(body.slice(i, i + size));
    assert.deepEqual(scan.end().sort(), whole, `pieces of ${size}`);
  }
});
