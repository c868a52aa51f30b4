/** Units of the Notion import: rich text and blocks → storage, link placeholders, adaptive limits, the 3 req/s pace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import PQueue from 'p-queue';
import { inline, Renderer, type NBlock } from '../../src/notion/render.js';
import { AdaptiveConcurrency, parseNotionId, resolveLinks, type OpKind } from '../../src/notion/import.js';
import { initialRateState, limiterSettings, MIN_INCREASE_INTERVAL_MS, PACE_SHARE } from '../../src/remote/rate-policy.js';
import { text, mentionPage } from '../../src/emulator/notion/store.js';

const ID = '5e1f0000-0000-4000-8000-00000000000a';

test('rich text: annotations nest, links and page mentions become links, text is escaped', () => {
  assert.equal(inline([text('a<b', { bold: true, italic: true })]), '<em><strong>a&lt;b</strong></em>');
  assert.equal(inline([text('x', { code: true, link: 'https://e.com/?a=1&b=2' })]), '<a href="https://e.com/?a=1&amp;b=2"><code>x</code></a>');
  assert.match(inline([mentionPage(ID, 'Other')]), /ri:content-title="notion-page:5e1f0000-0000-4000-8000-00000000000a"/);
  // A plain link to a notion.so page is a page link too.
  assert.match(inline([text('see', { link: `https://www.notion.so/Other-${ID.replace(/-/g, '')}` })]), /notion-page:5e1f0000-0000-4000-8000-00000000000a/);
});

test('placeholders: an imported page by its title, a row without a page as text, anything else a link to Notion', () => {
  const s = inline([mentionPage(ID, 'the other page')]);
  assert.equal(resolveLinks(s, () => ({ title: 'Other & co', hasFile: true })), '<ac:link><ri:page ri:content-title="Other &amp; co" /><ac:plain-text-link-body><![CDATA[the other page]]></ac:plain-text-link-body></ac:link>');
  assert.equal(resolveLinks(inline([mentionPage(ID, 'Other')]), () => ({ title: 'Other', hasFile: true })), '<ac:link><ri:page ri:content-title="Other" /></ac:link>');
  assert.equal(resolveLinks(s, () => ({ title: 'Row', hasFile: false })), 'the other page');
  assert.equal(resolveLinks(s, () => undefined), `<a href="https://www.notion.so/${ID.replace(/-/g, '')}">the other page</a>`);
});

async function* from(list: NBlock[]): AsyncIterable<NBlock> {
  for (const b of list) yield b;
}

test('blocks: list items group into one list, columns make a layout only at the top, unknown types leave a note', async () => {
  const children = new Map<string, NBlock[]>([
    ['cols', [{ id: 'c1', type: 'column', has_children: true, column: {} }, { id: 'c2', type: 'column', has_children: true, column: {} }]],
    ['c1', [{ id: 'p1', type: 'paragraph', paragraph: { rich_text: [text('L')] } }]],
    ['c2', [{ id: 'p2', type: 'paragraph', paragraph: { rich_text: [text('R')] } }]],
  ]);
  const found: string[] = [];
  const r = new Renderer({ children: (id) => from(children.get(id) ?? []), file: async () => 'f.png', found: (k, id, t) => found.push(`${k}:${id}:${t}`), blockUrl: (id) => `https://www.notion.so/x#${id}` });
  const blocks: NBlock[] = [
    { id: 'b1', type: 'bulleted_list_item', bulleted_list_item: { rich_text: [text('one')] } },
    { id: 'b2', type: 'bulleted_list_item', bulleted_list_item: { rich_text: [text('two')] } },
    { id: 'n1', type: 'numbered_list_item', numbered_list_item: { rich_text: [text('first')] } },
    { id: 'cols', type: 'column_list', has_children: true, column_list: {} },
    { id: 'k', type: 'child_page', child_page: { title: 'Kid' } },
    { id: 'z', type: 'meeting_notes', meeting_notes: {} },
  ];
  const top = await r.blocks(from(blocks), true);
  assert.ok(top.startsWith('<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol><ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>L</p></ac:layout-cell>'), top);
  assert.match(top, /Notion block of type meeting_notes not imported<\/em>: <a href="https:\/\/www.notion.so\/x#z">/);
  assert.deepEqual(found, ['page:k:Kid']);
  const nested = await r.blocks(from([blocks[3]!]), false);
  assert.equal(nested, '<p>L</p><p>R</p>');
});

test('adaptive concurrency: halved when more than 10% of recent attempts are throttled, raised back after a clean stretch', () => {
  const queues = new Map<OpKind, PQueue>([['blocks', new PQueue({ concurrency: 8 })], ['pages', new PQueue({ concurrency: 4 })]]);
  const a = new AdaptiveConcurrency(queues, { blocks: 8, pages: 4, databases: 1, files: 1, search: 1, users: 1, comments: 1 }, 20);
  for (let i = 0; i < 10; i++) a.record(i % 5 === 0);
  assert.equal(queues.get('blocks')!.concurrency, 4);
  assert.equal(queues.get('pages')!.concurrency, 2);
  for (let i = 0; i < 40; i++) a.record(false);
  assert.equal(queues.get('blocks')!.concurrency, 5);
});

test('ids: bare, dashed or in a URL; anything else is a usage error', () => {
  assert.equal(parseNotionId('5e1f000000004000800000000000000a'), ID);
  assert.equal(parseNotionId(`https://www.notion.so/team/Page-title-${ID.replace(/-/g, '')}?pvs=4`), ID);
  assert.throws(() => parseNotionId('not-an-id'), /is not a Notion page id/);
});

test('the limiter refills on whole heartbeats, so 3 req/s is 3 req/s (less the 5% margin of a fixed pace)', () => {
  const s = limiterSettings({ requestsPerSecond: 3, burst: 1 }, initialRateState());
  assert.equal(s.reservoirIncreaseInterval % MIN_INCREASE_INTERVAL_MS, 0);
  assert.ok(Math.abs((s.reservoirIncreaseAmount * 1000) / s.reservoirIncreaseInterval - 3 * PACE_SHARE) < 1e-9);
});
