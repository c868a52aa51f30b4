/**
 * The two file helpers the last review named: an attachment upload sends a private snapshot copied (and hashed)
 * through an O_NOFOLLOW handle, never the workspace path (which a link could redirect after the hash); and pruning
 * empty folders never acts inside a folder that became a link. Real files in a temp dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneEmptyDirs } from '../../src/local/files.js';
import { SkippedFile, snapshotFileSafe } from '../../src/local/safe-fs.js';

function temp(): string {
  return mkdtempSync(join(tmpdir(), 'csync-safe-'));
}

test('snapshotFileSafe: the snapshot holds exactly the bytes hashed, and stays so when the file changes after', async () => {
  const ws = temp();
  try {
    mkdirSync(join(ws, 'attachments', 'DOC'), { recursive: true });
    const bytes = Buffer.alloc(3 * (1 << 20) + 17, 7); // over several 1 MiB pieces
    bytes.write('head', 0);
    writeFileSync(join(ws, 'attachments', 'DOC', 'a.bin'), bytes);
    const dest = join(ws, 'snap');
    const facts = await snapshotFileSafe(ws, 'attachments/DOC/a.bin', dest);
    writeFileSync(join(ws, 'attachments', 'DOC', 'a.bin'), 'changed after the hash');
    const sent = readFileSync(dest);
    assert.equal(facts.size, bytes.length);
    assert.equal(facts.sha256, createHash('sha256').update(sent).digest('hex'));
    assert.ok(sent.equals(bytes));
    // The destination is created exclusively: an existing file (or a link planted there) is never written through.
    await assert.rejects(snapshotFileSafe(ws, 'attachments/DOC/a.bin', dest), /EEXIST/);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('snapshotFileSafe refuses a link, and a file inside a linked folder, copying nothing', async () => {
  const ws = temp();
  const outside = temp();
  try {
    writeFileSync(join(outside, 'secret.txt'), 'outside secret');
    mkdirSync(join(ws, 'attachments', 'DOC'), { recursive: true });
    symlinkSync(join(outside, 'secret.txt'), join(ws, 'attachments', 'DOC', 'a.txt'));
    symlinkSync(outside, join(ws, 'attachments', 'DOC', 'Linked'));
    for (const rel of ['attachments/DOC/a.txt', 'attachments/DOC/Linked/secret.txt']) {
      const dest = join(ws, `snap-${rel.length}`);
      await assert.rejects(snapshotFileSafe(ws, rel, dest), (err: unknown) => err instanceof SkippedFile && err.reason === 'link');
      assert.equal(existsSync(dest), false, `${rel}: nothing copied`);
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('pruneEmptyDirs never removes a folder through a folder that became a link; it still prunes real empty ones', async () => {
  const ws = temp();
  const outside = temp();
  try {
    mkdirSync(join(outside, 'Keep', 'Empty'), { recursive: true });
    mkdirSync(join(ws, 'content', 'DOC'), { recursive: true });
    symlinkSync(outside, join(ws, 'content', 'DOC', 'Guide'));
    await pruneEmptyDirs(join(ws, 'content', 'DOC', 'Guide', 'Keep', 'Empty'), join(ws, 'content'));
    assert.ok(existsSync(join(outside, 'Keep', 'Empty')), 'the folder outside the workspace is still there');
    // A folder swapped for a link to an (empty) outside folder is not removed either.
    mkdirSync(join(outside, 'Blank'));
    symlinkSync(join(outside, 'Blank'), join(ws, 'content', 'DOC', 'Blank'));
    await pruneEmptyDirs(join(ws, 'content', 'DOC', 'Blank'), join(ws, 'content'));
    assert.ok(existsSync(join(outside, 'Blank')));
    mkdirSync(join(ws, 'content', 'DOC', 'Real', 'Deeper'), { recursive: true });
    await pruneEmptyDirs(join(ws, 'content', 'DOC', 'Real', 'Deeper'), join(ws, 'content'));
    assert.equal(existsSync(join(ws, 'content', 'DOC', 'Real')), false, 'empty real folders are pruned');
    assert.ok(existsSync(join(ws, 'content', 'DOC')), 'up to the first non-empty one');
  } finally {
    rmSync(ws, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
