/**
 * The file watcher: chokidar on content/ and attachments/. It only marks workspace-relative paths dirty; it never
 * reads content (the engine's scanner is the source of truth and rescans what it is told about).
 *
 * Options and why:
 * - ignoreInitial: existing files are the scanner's business, not "changes" (and 10,000 add events at start would be noise);
 * - atomic: editors that save by writing a temporary and renaming it over the file report one `change`, not unlink + add;
 * - awaitWriteFinish off: it polls every file being written; our debouncer already waits for quiet, for free;
 * - ignore rules (isIgnoredPath: editor temporaries, backups, dotfiles, conflict copies) apply to untracked paths
 *   only: a tracked page titled `~$Budget` or `Notes~` is a real page and its saves are reported. chokidar itself only
 *   skips version-control and IDE folders (.git, .hg, .svn, .idea, .vscode); the rest is filtered per event;
 * - events can be missed anyway (inotify limits, overflow): the daemon rescans on a timer and after any error;
 * - followSymlinks off: a link out of the workspace must not make us watch the whole disk.
 */
import { mkdirSync } from 'node:fs';
import { posix, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { CsyncError } from '../core/errors.js';
import { isIgnoredPath } from '../local/ignore.js';

export type ChangeKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

/** Where changes go: DaemonLoop.markDirty fits. */
export interface DirtySink {
  markDirty(relPath: string, kind: ChangeKind): void;
}

export interface WatcherOptions {
  workspace: string;
  /** Folders to watch, relative to the workspace; default content and attachments. */
  folders?: readonly string[] | undefined;
  sink: DirtySink;
  /** Called for watcher errors (e.g. the inotify watch limit); the watcher keeps running. */
  onError?: ((err: CsyncError) => void) | undefined;
  /** A path the sync state tracks (a page or attachment file): reported even when its name looks ignorable. */
  isTracked?: ((relPath: string) => boolean) | undefined;
  /**
   * Test-only: report nothing, as if every event were missed (CSYNC_TEST_WATCHER_DROP_EVENTS=1 for `csync watch`),
   * so tests can prove the rescan pushes what the watcher never reported.
   */
  dropEvents?: boolean | undefined;
}

/** Folders never watched at all: version control and IDE metadata (never pages: titles lose leading dots). */
const SKIPPED_FOLDER = /(^|\/)\.(git|hg|svn|idea|vscode)(\/|$)/;

/** Whether a change of `rel` is worth a push: ignorable names count only when the path is not tracked. */
export function isReported(rel: string, isTracked: (relPath: string) => boolean = () => false): boolean {
  return !isIgnoredPath(rel) || isTracked(rel);
}

export interface WorkspaceWatcher {
  /** Resolves once the initial scan is done (changes before it may be missed; the engine's first run covers them). */
  readonly ready: Promise<void>;
  isReady(): boolean;
  /** The last error, for /healthz. */
  lastError(): CsyncError | undefined;
  /** Paths being watched (folders and files), for diagnostics. */
  watchedCount(): number;
  close(): Promise<void>;
}

export const WATCHED_FOLDERS = ['content', 'attachments'] as const;

function toRelative(workspace: string, abs: string): string {
  const rel = relative(workspace, abs);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

function wrapError(err: unknown): CsyncError {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC' || e?.code === 'EMFILE') {
    return new CsyncError('CSYNC_IO', `file watcher: out of watches (${e.code})`, {
      hint: 'raise the limit: sudo sysctl fs.inotify.max_user_watches=524288 (and fs.inotify.max_user_instances)',
      cause: err,
    });
  }
  return new CsyncError('CSYNC_IO', `file watcher: ${e?.message ?? String(err)}`, {
    hint: 'the daemon keeps running; it rescans the local tree now and every watch.rescanSeconds, so no save is missed',
    cause: err,
  });
}

export function startWatcher(options: WatcherOptions): WorkspaceWatcher {
  const { workspace, sink } = options;
  const folders = (options.folders ?? WATCHED_FOLDERS).map((f) => `${workspace}${sep}${f}`);
  // chokidar reports `ready` early when one of its paths is missing, before the others are scanned: a save in that
  // window was never reported. Both folders belong to the workspace anyway.
  for (const f of folders) mkdirSync(f, { recursive: true });
  let ready = false;
  let last: CsyncError | undefined;
  const fsw: FSWatcher = watch(folders, {
    ignoreInitial: true,
    atomic: true,
    awaitWriteFinish: false,
    followSymlinks: false,
    persistent: true,
    ignored: (abs: string) => {
      const rel = toRelative(workspace, abs);
      return rel.startsWith('..') ? false : SKIPPED_FOLDER.test(rel);
    },
  });
  const errorOn = process.env.CSYNC_TEST_WATCHER_ERROR_ON;
  for (const kind of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) {
    fsw.on(kind, (abs: string) => {
      const rel = toRelative(workspace, abs);
      if (errorOn && kind === 'add' && posix.basename(rel) === errorOn) testError(fsw);
      // The watched roots themselves (content/ created or removed) are not pages.
      if (rel === '' || folders.includes(abs) || options.dropEvents) return;
      if (isReported(rel, options.isTracked)) sink.markDirty(rel, kind);
    });
  }
  fsw.on('error', (err: unknown) => {
    last = wrapError(err);
    options.onError?.(last);
  });
  const readyPromise = new Promise<void>((resolve) => fsw.once('ready', () => ((ready = true), resolve())));
  return {
    ready: readyPromise,
    isReady: () => ready,
    lastError: () => last,
    watchedCount: () => Object.values(fsw.getWatched()).reduce((n, names) => n + names.length, 0),
    close: () => fsw.close(),
  };
}

/**
 * Tests only: CSYNC_TEST_WATCHER_ERROR_ON=<name> makes the watcher emit an 'error' (ENOSPC, as chokidar does when the
 * inotify watches run out) when a file of that name is added under a watched folder, so a test can provoke the
 * watcher-error path (log, rescan now) at a moment it chooses. A dot name is ignored by scans. Unset in normal use.
 */
function testError(fsw: FSWatcher): void {
  fsw.emit('error', Object.assign(new Error('ENOSPC: System limit for number of file watchers reached (test-only)'), { code: 'ENOSPC' }));
}
