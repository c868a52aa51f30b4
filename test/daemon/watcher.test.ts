import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startWatcher, type ChangeKind } from '../../src/daemon/watcher.js';
import { tempDir } from '../helpers/cli.js';

/** Collects marks; `until` polls for a condition (not a time limit: the test fails only if it never happens). */
function collector() {
  const marks: Array<[string, ChangeKind]> = [];
  return {
    marks,
    sink: { markDirty: (p: string, k: ChangeKind) => void marks.push([p, k]) },
    paths: () => [...new Set(marks.map(([p]) => p))].sort(),
    async until(cond: () => boolean, what: string): Promise<void> {
      for (let i = 0; i < 200; i++) {
        if (cond()) return;
        await sleep(25);
      }
      assert.fail(`never saw: ${what}; marks: ${JSON.stringify(marks)}`);
    },
  };
}

async function withWatcher(fn: (ws: string, c: ReturnType<typeof collector>) => Promise<void>): Promise<void> {
  const t = tempDir('csync-watch-');
  mkdirSync(join(t.dir, 'content', 'DOC'), { recursive: true });
  mkdirSync(join(t.dir, 'attachments', 'DOC', 'Guide'), { recursive: true });
  mkdirSync(join(t.dir, 'cache'), { recursive: true });
  writeFileSync(join(t.dir, 'content', 'DOC', 'Guide.md'), 'v1\n');
  writeFileSync(join(t.dir, 'content', 'DOC', 'Old.md'), 'old\n');
  const c = collector();
  const w = startWatcher({ workspace: t.dir, sink: c.sink });
  try {
    await w.ready;
    assert.equal(w.isReady(), true);
    await fn(t.dir, c);
  } finally {
    await w.close();
    t.cleanup();
  }
}

/** Lets late events (chokidar's atomic window is 100 ms) arrive before a test checks that nothing else came. */
const quiet = () => sleep(400);

test('existing files are not reported; a new file, an edit and a delete are', async () => {
  await withWatcher(async (ws, c) => {
    await quiet();
    assert.deepEqual(c.marks, [], 'ignoreInitial');
    writeFileSync(join(ws, 'content', 'DOC', 'New.md'), 'new\n');
    await c.until(() => c.paths().includes('content/DOC/New.md'), 'add');
    writeFileSync(join(ws, 'content', 'DOC', 'Guide.md'), 'v2\n');
    await c.until(() => c.paths().includes('content/DOC/Guide.md'), 'change');
    unlinkSync(join(ws, 'content', 'DOC', 'Old.md'));
    await c.until(() => c.marks.some(([p, k]) => p === 'content/DOC/Old.md' && k === 'unlink'), 'unlink');
    writeFileSync(join(ws, 'attachments', 'DOC', 'Guide', 'img.png'), 'png');
    await c.until(() => c.paths().includes('attachments/DOC/Guide/img.png'), 'attachment');
    writeFileSync(join(ws, 'cache', 'state.db'), 'x');
    await quiet();
    assert.deepEqual(c.paths(), ['attachments/DOC/Guide/img.png', 'content/DOC/Guide.md', 'content/DOC/New.md', 'content/DOC/Old.md']);
  });
});

test('vim-style save (swap, backup rename, write, delete backup) marks only the page', async () => {
  await withWatcher(async (ws, c) => {
    const dir = join(ws, 'content', 'DOC');
    writeFileSync(join(dir, '.Guide.md.swp'), 'swap');
    writeFileSync(join(dir, '4913'), '');
    unlinkSync(join(dir, '4913'));
    renameSync(join(dir, 'Guide.md'), join(dir, 'Guide.md~'));
    writeFileSync(join(dir, 'Guide.md'), 'v2\n');
    unlinkSync(join(dir, 'Guide.md~'));
    unlinkSync(join(dir, '.Guide.md.swp'));
    await c.until(() => c.paths().includes('content/DOC/Guide.md'), 'the page');
    await quiet();
    assert.deepEqual(c.paths(), ['content/DOC/Guide.md']);
  });
});

test('atomic saves through a temporary (JetBrains, write-file-atomic, .tmp) mark only the page', async () => {
  await withWatcher(async (ws, c) => {
    const dir = join(ws, 'content', 'DOC');
    // JetBrains "safe write"
    writeFileSync(join(dir, 'Guide.md___jb_tmp___'), 'v2\n');
    renameSync(join(dir, 'Guide.md'), join(dir, 'Guide.md___jb_old___'));
    renameSync(join(dir, 'Guide.md___jb_tmp___'), join(dir, 'Guide.md'));
    unlinkSync(join(dir, 'Guide.md___jb_old___'));
    // write-file-atomic (csync's own pulls, many Node tools)
    writeFileSync(join(dir, 'Old.md.2837465521'), 'v2\n');
    renameSync(join(dir, 'Old.md.2837465521'), join(dir, 'Old.md'));
    // temp + rename onto a new name
    writeFileSync(join(dir, 'Fresh.md.tmp'), 'x\n');
    renameSync(join(dir, 'Fresh.md.tmp'), join(dir, 'Fresh.md'));
    // emacs auto-save and lock, a conflict copy, .DS_Store
    writeFileSync(join(dir, '#Guide.md#'), 'auto');
    writeFileSync(join(dir, 'Guide.conflict-20261122-224500-remote.md'), 'theirs');
    writeFileSync(join(ws, 'content', '.DS_Store'), '');
    await c.until(() => ['content/DOC/Guide.md', 'content/DOC/Old.md', 'content/DOC/Fresh.md'].every((p) => c.paths().includes(p)), 'the three pages');
    await quiet();
    assert.deepEqual(c.paths(), ['content/DOC/Fresh.md', 'content/DOC/Guide.md', 'content/DOC/Old.md']);
    // An atomic replace is a change of the page, never a delete of it.
    assert.equal(c.marks.some(([p, k]) => p === 'content/DOC/Guide.md' && k === 'unlink'), false);
  });
});

test('new folders and their files are reported; a dot folder is not even watched', async () => {
  await withWatcher(async (ws, c) => {
    mkdirSync(join(ws, 'content', 'DOC', 'Guide'));
    writeFileSync(join(ws, 'content', 'DOC', 'Guide', 'Child.md'), 'child\n');
    mkdirSync(join(ws, 'content', '.git'));
    writeFileSync(join(ws, 'content', '.git', 'HEAD'), 'ref\n');
    await c.until(() => c.paths().includes('content/DOC/Guide/Child.md'), 'child page');
    await quiet();
    assert.deepEqual(c.paths(), ['content/DOC/Guide', 'content/DOC/Guide/Child.md']);
    rmSync(join(ws, 'content', 'DOC', 'Guide'), { recursive: true });
    await c.until(() => c.marks.some(([p, k]) => p === 'content/DOC/Guide' && k === 'unlinkDir'), 'folder removed');
  });
});

test('ignore rules apply to untracked paths only: a tracked page named like an editor temporary is reported', async () => {
  const t = tempDir('csync-watch-tracked-');
  const dir = join(t.dir, 'content', 'DOC');
  mkdirSync(join(dir, '4913'), { recursive: true });
  writeFileSync(join(dir, '~$Budget.md'), 'v1\n');
  writeFileSync(join(dir, 'Notes~.md'), 'v1\n');
  writeFileSync(join(dir, '4913', 'Child.md'), 'v1\n');
  const tracked = new Set(['content/DOC/~$Budget.md', 'content/DOC/4913/Child.md']);
  const c = collector();
  const w = startWatcher({ workspace: t.dir, sink: c.sink, isTracked: (p) => tracked.has(p) });
  try {
    await w.ready;
    writeFileSync(join(dir, '~$Other.md'), 'an Office owner file, untracked\n');
    writeFileSync(join(dir, '~$Budget.md'), 'v2\n');
    writeFileSync(join(dir, '4913', 'Child.md'), 'v2\n');
    await c.until(() => c.paths().includes('content/DOC/~$Budget.md') && c.paths().includes('content/DOC/4913/Child.md'), 'the tracked pages');
    await quiet();
    assert.deepEqual(c.paths(), ['content/DOC/4913/Child.md', 'content/DOC/~$Budget.md']);
  } finally {
    await w.close();
    t.cleanup();
  }
});

test('dropEvents (the test-only switch CSYNC_TEST_WATCHER_DROP_EVENTS) reports nothing at all', async () => {
  const t = tempDir('csync-watch-drop-');
  mkdirSync(join(t.dir, 'content', 'DOC'), { recursive: true });
  const c = collector();
  const w = startWatcher({ workspace: t.dir, sink: c.sink, dropEvents: true });
  try {
    await w.ready;
    writeFileSync(join(t.dir, 'content', 'DOC', 'New.md'), 'new\n');
    await sleep(600);
    assert.deepEqual(c.marks, []);
  } finally {
    await w.close();
    t.cleanup();
  }
});
