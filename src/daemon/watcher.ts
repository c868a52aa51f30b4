/**
 * The file watcher: chokidar on content/ and attachments/. It only marks workspace-relative paths dirty; it never
 * reads content (the engine's scanner is the source of truth and rescans what it is told about).
 *
 * Options and why:
 * - ignoreInitial: existing files are the scanner's business, not "changes" (and 10,000 add events at start would be noise);
 * - atomic: editors that save by writing a temporary and renaming it over the file report one `change`, not unlink + add;
 * - awaitWriteFinish off: it polls every file being written; our debouncer already waits for quiet, for free;
 * - ignored = isIgnoredPath: editor temporaries, backups, dotfiles (also stops descent into .git and the like);
 * - followSymlinks off: a link out of the workspace must not make us watch the whole disk.
 */
import { relative, sep } from 'node:path';
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
  return new CsyncError('CSYNC_IO', `file watcher: ${e?.message ?? String(err)}`, { hint: 'the daemon keeps running; the next poll rescans', cause: err });
}

export function startWatcher(options: WatcherOptions): WorkspaceWatcher {
  const { workspace, sink } = options;
  const folders = (options.folders ?? WATCHED_FOLDERS).map((f) => `${workspace}${sep}${f}`);
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
      return rel.startsWith('..') ? false : isIgnoredPath(rel);
    },
  });
  for (const kind of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) {
    fsw.on(kind, (abs: string) => {
      const rel = toRelative(workspace, abs);
      // The watched roots themselves (content/ created or removed) are not pages.
      if (rel === '' || folders.includes(abs)) return;
      sink.markDirty(rel, kind);
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
