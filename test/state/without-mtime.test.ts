/** The end-of-pull mtime pass reads its records from an SQL filter, a chunk at a time (issue 18: flat memory). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStateStore } from '../../src/state/index.js';
import type { BasePage } from '../../src/state/index.js';

test('pageMetasWithoutMtime / attachmentsWithoutMtime: synced records of the space without an mtime, in id order after a cursor, at most a limit', () => {
  const state = openStateStore(':memory:');
  try {
    state.upsertSpace('DOC', '1', null);
    state.upsertSpace('OTHER', '2', null);
    const page = (id: string, over: Partial<BasePage> = {}): BasePage => ({ id, spaceKey: 'DOC', parentId: null, title: `T${id}`, position: null, version: 1, path: `content/DOC/T${id}.md`, hash: 'h', size: 1, mtimeMs: 0, base: 'text', labels: [], status: 'synced', ...over });
    for (const id of ['15', '11', '13', '12', '14']) state.savePage(page(id));
    state.savePage(page('16', { mtimeMs: 1_000 })); // has an mtime (older than the racy window: kept)
    state.savePage(page('17', { status: 'conflict' }));
    state.savePage(page('18', { spaceKey: 'OTHER', path: 'content/OTHER/T18.md' }));
    const walk = (next: (after: string) => Array<{ id: string }>) => {
      const chunks: string[][] = [];
      for (let after = '', part = next(after); part.length; part = next(after)) {
        chunks.push(part.map((p) => p.id));
        after = part[part.length - 1]!.id;
      }
      return chunks;
    };
    assert.deepEqual(walk((after) => state.pageMetasWithoutMtime('DOC', after, 2)), [['11', '12'], ['13', '14'], ['15']]);
    const first = state.pageMetasWithoutMtime('DOC', '', 1)[0]!;
    assert.equal(first.title, 'T11');
    assert.equal('base' in first, false, 'the base text stays in the store');
    const att = (id: string, pageId: string, mtimeMs: number, status: 'synced' | 'conflict' = 'synced') => state.saveAttachment({ id, pageId, fileName: `${id}.png`, version: 1, size: 1, mediaType: 'image/png', path: `attachments/${id}.png`, hash: 'h', mtimeMs, status, copyPath: null });
    att('a3', '11', 0);
    att('a1', '12', 0);
    att('a2', '13', 5_000);
    att('a4', '14', 0, 'conflict');
    att('a5', '18', 0);
    assert.deepEqual(walk((after) => state.attachmentsWithoutMtime('DOC', after, 1)), [['a1'], ['a3']]);
  } finally {
    state.close();
  }
});
