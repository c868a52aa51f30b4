/**
 * Which paths the watcher and the local scans ignore: editors' temporaries, backups and lock files, OS litter, dotfiles, and conflict
 * copies. Pure, on workspace-relative paths with `/` separators (`content/DOC/Guide.md`).
 *
 * Why it is safe to be generous here: an ignored temporary never hides a save, because the save ends with a rename
 * or write of the real file name, which is not ignored. What must never happen is ignoring a real page or
 * attachment name, so each pattern is anchored to a form editors actually produce.
 */
import { CONFLICT_COPY_RE } from '../merge/conflict-name.js';

/** Whole-name patterns, one per producer. */
const IGNORED_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\./, 'dotfile: .DS_Store, .git, vim .name.swp, emacs .#lock, gedit .goutputstream-*, LibreOffice .~lock.*#'],
  [/~$/, 'vim/emacs/gedit backup: name~'],
  [/^4913$/, "vim's write test file"],
  [/^#.*#$/, 'emacs auto-save: #name#'],
  [/\.(swp|swo|swx|swpx)$/, 'vim swap without a leading dot (directory option); not .swf, a real format'],
  [/___jb_(tmp|old|bak)___$/, 'JetBrains safe write: name___jb_tmp___ / ___jb_old___'],
  [/\.tmp$/i, 'VS Code and many tools: name.tmp'],
  [/\.kate-swp$/, 'Kate swap'],
  [/^~\$/, 'Microsoft Office owner file: ~$name.docx'],
  [/\.(crdownload|part|partial|download|crswap)$/i, 'browser downloads and File System Access swaps in progress'],
  [/^(Thumbs\.db|desktop\.ini|Icon\r)$/i, 'Windows/macOS folder litter'],
  // write-file-atomic (which csync itself and many Node tools use) writes `name.ext.<uint32>` then renames.
  [/\.[A-Za-z0-9]{1,10}\.\d{6,10}$/, 'write-file-atomic temporary: Guide.md.1234567890'],
  [/\.(md|xml)\.\d{1,10}$/, 'write-file-atomic temporary of a page file, any uint32: Guide.md.42'],
  [/\.sync-conflict-\d{8}-\d{6}/, 'Syncthing conflict copy'],
  // csync's own conflict copies (the one naming module, src/merge/conflict-name.ts): local-only files the user
  // settles with `csync resolve`, never new pages.
  [CONFLICT_COPY_RE, 'csync conflict copy'],
];

/** True when the last segment (a file or folder name) is one the watcher never reports. */
export function isIgnoredName(name: string): boolean {
  if (name === '') return false;
  return IGNORED_NAMES.some(([re]) => re.test(name));
}

/** True when any segment of a workspace-relative path is ignored (an ignored folder hides all it holds). */
export function isIgnoredPath(relPath: string): boolean {
  const parts = relPath.replace(/\\/g, '/').split('/');
  return parts.some((p) => p !== '' && p !== '.' && isIgnoredName(p));
}
