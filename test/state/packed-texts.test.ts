/** Merge bases and storage bodies are stored deflated (issue 18: state.db of a 100k-page space was 1.45 GB). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStateStore, type BasePage } from '../../src/state/index.js';

test('bases and bodies round-trip through the store deflated (text with every kind of character, empty text); rows an older csync wrote as text still read; the file is a fraction of the text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csync-packed-'));
  const dbPath = join(dir, 'state.db');
  try {
    const state = openStateStore(dbPath);
    state.upsertSpace('DOC', '1', null);
    const body = (i: number) => `<p>Paragraph ${i} with caf\u00e9, \u4e2d\u6587, emoji \u{1F600}, NUL-free &amp; markup.</p>`.repeat(60);
    const page = (id: string, base: string): BasePage => ({ id, spaceKey: 'DOC', parentId: null, title: `T${id}`, position: null, version: 1, path: `content/DOC/T${id}.md`, hash: 'h', size: 1, mtimeMs: 0, base, labels: [], status: 'synced' });
    let textBytes = 0;
    for (let i = 0; i < 300; i++) {
      const id = String(100 + i);
      state.stageBodies([{ id, version: 1, body: body(i) }]);
      assert.equal(state.stagedBody(id, 1), body(i));
      state.transaction(() => {
        state.savePage(page(id, `---\nid: ${id}\n---\n${body(i)}`));
        state.clearStaged(id);
      });
      textBytes += 2 * Buffer.byteLength(body(i));
    }
    assert.equal(state.baseBody('150', 1), body(50), 'the staged body became the base body');
    assert.equal(state.pageBase('150'), `---\nid: 150\n---\n${body(50)}`);
    assert.equal(state.page('150')!.base, `---\nid: 150\n---\n${body(50)}`);
    assert.equal(state.pagesOfSpace('DOC').find((p) => p.id === '399')!.base, `---\nid: 399\n---\n${body(299)}`);
    state.savePage(page('9', ''));
    assert.equal(state.pageBase('9'), '');
    state.saveBaseBody('9', 2, 'é');
    assert.equal(state.baseBody('9', 2), 'é');
    state.close();
    // Rows an older csync wrote (text): read as they are.
    const db = new Database(dbPath);
    db.prepare("UPDATE pages SET base = 'old text' WHERE id = '9'").run();
    db.prepare("INSERT INTO base_bodies(page_id, version, body) VALUES ('100', 7, '<p>old</p>') ON CONFLICT(page_id) DO UPDATE SET version = 7, body = '<p>old</p>'").run();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const again = openStateStore(dbPath);
    assert.equal(again.pageBase('9'), 'old text');
    assert.equal(again.baseBody('100', 7), '<p>old</p>');
    again.close();
    const size = statSync(dbPath).size;
    assert.ok(size < textBytes / 3, `state.db is ${size} bytes for ${textBytes} bytes of base texts and bodies`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
