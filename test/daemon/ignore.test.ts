import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIgnoredName, isIgnoredPath } from '../../src/local/ignore.js';
import { conflictCopyName, conflictCopyPath, isConflictCopy } from '../../src/merge/conflict-name.js';

// [path, ignored, why]
const TABLE: Array<[string, boolean, string]> = [
  ['content/DOC/Guide.md', false, 'a page'],
  ['content/DOC/Guide/Child page.md', false, 'a child page'],
  ['content/DOC/Release 1.2.md', false, 'dots in a title'],
  ['content/DOC/Notes ~ draft.md', false, 'tilde inside a name'],
  ['content/DOC/#hashtags.md', false, 'leading # without a trailing one'],
  ['content/DOC/C#.md', false, 'trailing # alone'],
  ['content/DOC/Budget 2024.md', false, 'digits'],
  ['content/DOC/v1.2.3.md', false, 'version-like name'],
  ['attachments/DOC/Guide/diagram.png', false, 'an attachment'],
  ['attachments/DOC/Guide/movie.swf', false, '.swf is a real format, not a vim swap'],
  ['attachments/DOC/Guide/archive.tar.gz', false, 'double extension'],
  ['attachments/DOC/Guide/build.2024', false, 'short numeric extension'],
  ['attachments/DOC/Guide/notes.txt', false, 'text attachment'],
  ['content/DOC/4913.md', false, "vim's test name only without extension"],
  // vim
  ['content/DOC/.Guide.md.swp', true, 'vim swap'],
  ['content/DOC/.Guide.md.swo', true, 'vim second swap'],
  ['content/DOC/.Guide.md.swx', true, 'vim swap probe'],
  ['content/DOC/Guide.md.swp', true, 'vim swap in another directory setting'],
  ['content/DOC/Guide.md~', true, 'vim/emacs backup'],
  ['content/DOC/4913', true, 'vim write test'],
  // emacs
  ['content/DOC/#Guide.md#', true, 'emacs auto-save'],
  ['content/DOC/.#Guide.md', true, 'emacs lock symlink'],
  // JetBrains
  ['content/DOC/Guide.md___jb_tmp___', true, 'JetBrains safe-write temp'],
  ['content/DOC/Guide.md___jb_old___', true, 'JetBrains safe-write old copy'],
  // VS Code and friends
  ['content/DOC/Guide.md.tmp', true, '.tmp'],
  ['content/DOC/Guide.TMP', true, '.TMP'],
  ['content/DOC/Guide.md.crswap', true, 'File System Access swap'],
  ['attachments/DOC/Guide/big.zip.crdownload', true, 'Chrome download in progress'],
  ['attachments/DOC/Guide/big.zip.part', true, 'Firefox download in progress'],
  ['content/DOC/Guide.md.kate-swp', true, 'Kate'],
  ['attachments/DOC/Guide/~$report.docx', true, 'MS Office owner file'],
  ['attachments/DOC/Guide/.~lock.report.odt#', true, 'LibreOffice lock'],
  ['content/DOC/.goutputstream-ABC123', true, 'gedit temp'],
  ['content/DOC/Guide.md.3208747718', true, 'write-file-atomic temp'],
  // OS litter and dotfiles
  ['content/.DS_Store', true, 'macOS'],
  ['content/DOC/Thumbs.db', true, 'Windows'],
  ['content/DOC/desktop.ini', true, 'Windows'],
  ['content/.git/HEAD', true, 'anything inside a dot folder'],
  ['content/DOC/.hidden/page.md', true, 'dot folder hides its pages'],
  ['content/DOC/.env', true, 'dotfile'],
  // conflict copies
  ['content/DOC/Guide.conflict-20261122-224500-remote.md', true, 'csync conflict copy'],
  ['content/DOC/Guide.sync-conflict-20261122-224500-ABCDEF7.md', true, 'Syncthing conflict copy'],
];

test('isIgnoredPath: editors, OS litter, dotfiles and conflict copies are ignored; real names are not', () => {
  for (const [path, ignored, why] of TABLE) assert.equal(isIgnoredPath(path), ignored, `${path} (${why})`);
});

test('isIgnoredPath: separators and roots', () => {
  assert.equal(isIgnoredPath(''), false);
  assert.equal(isIgnoredPath('content'), false);
  assert.equal(isIgnoredPath('content/'), false);
  assert.equal(isIgnoredPath('./content/DOC/A.md'), false);
  assert.equal(isIgnoredPath('content\\DOC\\.A.md.swp'), true, 'Windows separators');
  assert.equal(isIgnoredName(''), false);
});

test('csync conflict copies (one naming module) are ignored and recognised by isConflictCopy', () => {
  const when = new Date(Date.UTC(2026, 10, 22, 22, 45, 0));
  for (const page of ['content/DOC/Guide.md', 'content/DOC/Guide', 'attachments/DOC/Guide/img.png', 'content/DOC/Release 1.2.md']) {
    const copy = conflictCopyPath(page, when, 'remote');
    assert.equal(isConflictCopy(copy), true, copy);
    assert.equal(isIgnoredPath(copy), true, copy);
    assert.equal(isIgnoredPath(page), false, page);
    const named = conflictCopyName(page, when, 'alice@example.com');
    assert.equal(isConflictCopy(named), true, named);
    assert.equal(isIgnoredPath(named), true, named);
  }
});
