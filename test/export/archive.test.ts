/**
 * Hostile archives: `csync export extract` and `export verify` refuse each with exit 13 and a one-line error naming
 * the entry, and extract writes nothing at all (not the target, not a file outside it). Plus the pure rules as a table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CsyncError } from '../../src/core/errors.js';
import { entryProblem, nameProblem } from '../../src/export/archive-rules.js';
import { extractBundle } from '../../src/export/extract.js';
import { verifyBundle } from '../../src/export/verify.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { craftZip, type CraftEntry } from './zip-craft.js';

const HOSTILE: Array<[string, CraftEntry[], RegExp]> = [
  ['zip slip', [{ name: 'ok.txt' }, { name: '../evil.txt' }], /"\.\.\/evil\.txt" has a "\.\." segment/],
  ['deep zip slip', [{ name: 'a/b/../../../evil.txt' }], /zip slip/],
  ['absolute path', [{ name: '/tmp/evil.txt' }], /an absolute path/],
  ['backslash path', [{ name: '..\\evil.txt' }], /a backslash/],
  ['drive letter', [{ name: 'C:evil.txt' }], /a drive letter/],
  ['NUL in a name', [{ name: 'a\u0000b.txt' }], /a control character/],
  ['symbolic link', [{ name: 'link', data: '/etc/passwd', mode: 0o120777 }], /a symbolic link/],
  ['device file', [{ name: 'dev', mode: 0o020644 }], /a special file/],
  ['duplicate entry', [{ name: 'a.txt', data: '1' }, { name: 'a.txt', data: '2' }], /a duplicate entry/],
  ['case duplicate', [{ name: 'Readme.md' }, { name: 'README.md' }], /a duplicate entry/],
  ['normalisation duplicate', [{ name: 'caf\u00e9.md' }, { name: 'cafe\u0301.md' }], /a duplicate entry/],
  ['entry below a file', [{ name: 'a' }, { name: 'a/b.txt' }], /an entry below a file/],
  ['reserved name', [{ name: 'docs/CON.md' }], /a reserved device name/],
  ['name not UTF-8', [{ name: '', rawName: Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x6d, 0x64]) }], /not UTF-8/],
  ['zip bomb (ratio)', [{ name: 'bomb.bin', data: Buffer.alloc(20 * 1024 ** 2), deflate: true }], /compression ratio over 200 \(zip bomb\?\)/],
];

test('every hostile archive is refused by extract and verify (CSYNC_UNSAFE_ARCHIVE) and extract writes nothing', async () => {
  const t = tempDir('csync-hostile-');
  try {
    for (const [label, entries, why] of HOSTILE) {
      const zip = join(t.dir, `${label.replace(/\W+/g, '-')}.zip`);
      writeFileSync(zip, craftZip(entries));
      const to = join(t.dir, 'out', label.replace(/\W+/g, '-'));
      await assert.rejects(extractBundle(zip, to), (err: CsyncError) => err.code === 'CSYNC_UNSAFE_ARCHIVE' && why.test(err.message), label);
      assert.equal(existsSync(to), false, `${label}: no target folder`);
      await assert.rejects(verifyBundle(zip), (err: CsyncError) => err.code === 'CSYNC_UNSAFE_ARCHIVE', label);
    }
    // Nothing escaped: the temp folder holds only the crafted zips (and no out/ at all).
    assert.deepEqual(readdirSync(t.dir).filter((n) => !n.endsWith('.zip')), []);
    assert.equal(existsSync(join(t.dir, '..', 'evil.txt')), false);
  } finally {
    t.cleanup();
  }
});

test('through the CLI: export extract and verify exit 13 on a zip slip, a symlink and a duplicate entry', async () => {
  const t = tempDir('csync-hostile-cli-');
  try {
    for (const [label, entries, why] of HOSTILE.filter(([l]) => ['zip slip', 'symbolic link', 'duplicate entry'].includes(l))) {
      const zip = join(t.dir, `${label.replace(/\W+/g, '-')}.zip`);
      writeFileSync(zip, craftZip(entries));
      const to = join(t.dir, 'out');
      const x = await runCli(['export', 'extract', zip, '--to', to]);
      assert.equal(x.code, 13, `${label}: extract exit code\n${x.stderr}`);
      assert.match(x.stderr, why, label);
      assert.match(x.stderr, /^csync: refused .*\n {2}hint: .*nothing was extracted/, label);
      assert.equal(existsSync(to), false, `${label}: no target folder`);
      const v = await runCli(['export', 'verify', zip]);
      assert.equal(v.code, 13, `${label}: verify exit code\n${v.stderr}`);
    }
  } finally {
    t.cleanup();
  }
});

test('a zip that is not a zip fails verify with exit 12, and extract into a non-empty folder is a usage error', async () => {
  const t = tempDir('csync-notzip-');
  try {
    writeFileSync(join(t.dir, 'junk.zip'), 'this is not a zip');
    const v = await runCli(['export', 'verify', join(t.dir, 'junk.zip')]);
    assert.equal(v.code, 12, v.stderr);
    assert.match(v.stderr, /is not a readable zip/);
    writeFileSync(join(t.dir, 'ok.zip'), craftZip([{ name: 'SHA256SUMS', data: '' }]));
    mkdirSync(join(t.dir, 'full'));
    writeFileSync(join(t.dir, 'full', 'keep.txt'), 'mine');
    const x = await runCli(['export', 'extract', join(t.dir, 'ok.zip'), '--to', join(t.dir, 'full')]);
    assert.equal(x.code, 2, x.stderr);
    assert.match(x.stderr, /exists and is not an empty folder/);
  } finally {
    t.cleanup();
  }
});

test('archive name rules (table)', () => {
  const cases: Array<[string, boolean]> = [
    ['markdown/DEMO/Getting started.md', true],
    ['attachments/100012/logo.png', true],
    ['dir/', true],
    ['Ünïcödé/页面.md', true],
    ['', false],
    ['a//b', false],
    ['./a', false],
    ['a/./b', false],
    ['a/..', false],
    ['trailing. ', false],
    ['x'.repeat(256), false],
    ['q?.md', false],
    ['lpt1', false],
  ];
  for (const [name, ok] of cases) assert.equal(nameProblem(name) === undefined, ok, JSON.stringify(name));
  const seen = new Map<string, 'file' | 'dir'>();
  const totals = { entries: 0, bytes: 0 };
  const e = (name: string, mode = 0o100644) => entryProblem({ name, mode, compressedSize: 1, uncompressedSize: 1, encrypted: false }, seen, totals);
  assert.equal(e('a/b.txt'), undefined);
  assert.match(e('a') ?? '', /duplicate/); // "a" is already a folder
  assert.equal(e('c/', 0o040755), undefined);
  assert.match(entryProblem({ name: 'z', mode: 0o100644, compressedSize: 1, uncompressedSize: 1, encrypted: true }, seen, totals) ?? '', /encrypted/);
});

test('verify refuses a bundle folder holding a symbolic link, and names a missing SHA256SUMS', async () => {
  const t = tempDir('csync-linkdir-');
  try {
    mkdirSync(join(t.dir, 'b'));
    writeFileSync(join(t.dir, 'b', 'SHA256SUMS'), '');
    symlinkSync('/etc/passwd', join(t.dir, 'b', 'passwd'));
    await assert.rejects(verifyBundle(join(t.dir, 'b')), (err: CsyncError) => err.code === 'CSYNC_UNSAFE_ARCHIVE' && /passwd is not a regular file/.test(err.message));
    mkdirSync(join(t.dir, 'c'));
    writeFileSync(join(t.dir, 'c', 'a.txt'), 'a');
    const r = await verifyBundle(join(t.dir, 'c'));
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems, ['missing: SHA256SUMS (not an export bundle?)']);
  } finally {
    t.cleanup();
  }
});
