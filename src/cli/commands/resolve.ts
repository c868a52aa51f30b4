/** `csync resolve <path> --keep local|remote|merged`: settle a conflict recorded by pull, push or sync. */
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { CsyncError } from '../../core/errors.js';
import { inside, moveFile, sha256, statOrUndefined, trashPath, writeAtomic } from '../../local/files.js';
import { acquireWorkspaceLock } from '../../local/lock.js';
import { openStateStore, type BaseAttachment, type StateStore } from '../../state/index.js';
import { createContext, type Context, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { shellQuote } from '../../engine/summary.js';

export interface ResolveArgs extends GlobalArgs {
  path: string;
  keep?: 'local' | 'remote' | 'merged';
  dryRun?: boolean;
}

/** An attachment changed on both sides: the local file, or the remote one saved beside it as a conflict copy. */
async function resolveAttachment(ctx: Context, ws: string, state: StateStore, att: BaseAttachment, keep: 'local' | 'remote' | 'merged', dryRun: boolean): Promise<void> {
  if (keep === 'merged') {
    throw new CsyncError('CSYNC_USAGE', `${att.path} is an attachment: its versions cannot be merged`, { hint: `choose one: csync resolve ${shellQuote(att.path)} --keep local (or --keep remote)` });
  }
  const what =
    keep === 'local'
      ? `keep ${att.path}; the next csync push uploads it as a new version over the remote version ${att.version}`
      : `replace ${att.path} with the remote version ${att.version}${att.copyPath ? ` from ${att.copyPath}` : ''}`;
  if (dryRun) {
    ctx.out.result(`Dry run: would ${what}.`, { ok: true, dryRun: true, path: att.path, keep });
    return;
  }
  const abs = inside(ws, att.path);
  const copyAbs = att.copyPath ? inside(ws, att.copyPath) : undefined;
  if (keep === 'remote') {
    if (!copyAbs || !(await statOrUndefined(copyAbs))) {
      throw new CsyncError('CSYNC_USAGE', `the remote copy ${att.copyPath ?? ''} of ${att.path} is gone`, { hint: 'use --keep local, or delete the file and run csync pull' });
    }
    // The local file goes to cache/trash (recoverable), the copy takes its place.
    if (await statOrUndefined(abs)) await moveFile(abs, trashPath(ws, att.path));
    await moveFile(copyAbs, abs);
    const st = await statOrUndefined(abs);
    state.saveAttachment({ ...att, size: st?.size ?? att.size, mtimeMs: st?.mtimeMs ?? 0, status: 'synced', copyPath: null });
  } else {
    // The record holds the remote file's hash and version: the local file differs, so push sends it as version + 1.
    state.saveAttachment({ ...att, status: 'synced', copyPath: null });
    if (copyAbs) await unlink(copyAbs).catch(() => undefined);
  }
  ctx.out.result(`Resolved: ${what}.`, { ok: true, path: att.path, keep });
  process.exitCode = EXIT.OK;
}

function rel(workspace: string, p: string): string {
  const abs = p.startsWith('/') ? p : join(process.cwd(), p);
  const w = workspace.endsWith('/') ? workspace : `${workspace}/`;
  return abs.startsWith(w) ? abs.slice(w.length) : p.split('\\').join('/');
}

export const resolveCommand: CommandModule<GlobalArgs, ResolveArgs> = {
  command: 'resolve <path>',
  describe: 'settle a conflict: keep your file (pushed next) or the remote version',
  builder: (y) =>
    y
      .positional('path', { type: 'string', demandOption: true, describe: 'the conflicted file (a page or an attachment), or its conflict copy' })
      .option('keep', { choices: ['local', 'remote', 'merged'] as const, demandOption: true, describe: 'local: your file wins; remote: the Confluence version wins; merged: your file now holds your hand merge of both (checked for leftover conflict markers)' })
      .option('dry-run', { type: 'boolean', describe: 'say what would happen and change nothing' })
      .example('csync resolve content/DOC/Guide.md --keep local', 'keep your version (csync push uploads it)')
      .example('csync resolve content/DOC/Guide.md --keep remote', 'take the Confluence version')
      .example('csync resolve content/DOC/Guide.md --keep merged', 'you merged the copy beside it into your file by hand; push that')
      .example('csync resolve attachments/DOC/Guide/logo.png --keep remote', 'an attachment: take the Confluence file') as never,
  handler: async (argv) => {
    const ctx = await createContext(argv, { requireSite: false });
    const ws = ctx.config.workspace;
    const path = rel(ws, argv.path);
    const dbPath = join(ws, 'cache', 'state.db');
    if (!(await statOrUndefined(dbPath))) throw new CsyncError('CSYNC_USAGE', 'no conflicts: nothing has been synced in this workspace');
    const release = argv.dryRun ? () => {} : acquireWorkspaceLock(ws, 'resolve');
    const state = openStateStore(dbPath, argv.dryRun ? { readonly: true } : undefined);
    try {
      const conflict = state.conflicts().find((c) => c.path === path || c.copyPath === path);
      const att = conflict ? undefined : state.attachmentConflicts().find((a) => a.path === path || a.copyPath === path);
      if (att) {
        await resolveAttachment(ctx, ws, state, att, argv.keep!, Boolean(argv.dryRun));
        return;
      }
      if (!conflict) throw new CsyncError('CSYNC_USAGE', `no conflict recorded for ${path}`, { hint: 'csync status lists the conflicts' });
      const page = state.page(conflict.pageId);
      const keep = argv.keep!;
      const abs = inside(ws, conflict.path);
      if (keep === 'merged') {
        const text = await readFile(abs, 'utf8').catch(() => {
          throw new CsyncError('CSYNC_USAGE', `${conflict.path} is missing: there is no hand merge to keep`, { hint: 'use --keep remote to take the Confluence version' });
        });
        const marker = text.split('\n').findIndex((l) => /^(<{7}|>{7}|={7}|\|{7})( |$)/.test(l));
        if (marker >= 0) {
          // Not a usage error: the conflict remains (exit 6), nothing was changed.
          throw new CsyncError('CSYNC_CONFLICTS', `${conflict.path} still has a conflict marker at line ${marker + 1}; the conflict stays`, { hint: 'finish the merge in the file, then run resolve --keep merged again' });
        }
      }
      const what =
        keep === 'local' || keep === 'merged'
          ? `keep ${conflict.path}; the next csync push uploads it over the remote version ${conflict.remoteVersion}`
          : `replace ${conflict.path} with the remote version${conflict.copyPath ? ` from ${conflict.copyPath}` : ' (page deleted remotely: the file goes to cache/trash)'}`;
      if (argv.dryRun) {
        ctx.out.result(`Dry run: would ${what}.`, { ok: true, dryRun: true, path: conflict.path, keep });
        return;
      }
      if (conflict.kind === 'deleted-remote-modified-local' || !conflict.copyPath) {
        if (keep === 'remote' && (await statOrUndefined(abs))) await moveFile(abs, trashPath(ws, conflict.path));
        // keep local: forget the deleted page; the file (with its old id) is pushed as a new page.
        state.transaction(() => {
          state.deletePage(conflict.pageId);
          state.removeConflict(conflict.pageId);
        });
      } else {
        const copyAbs = inside(ws, conflict.copyPath);
        const remoteText = await readFile(copyAbs, 'utf8');
        if (!page) throw new CsyncError('CSYNC_INTERNAL', `conflict for ${conflict.path} has no page record`);
        if (keep !== 'remote') {
          // The remote text becomes the base: the file differs from it, so the next push sends it with version = remote + 1.
          state.transaction(() => {
            state.savePage({ ...page, version: conflict.remoteVersion, base: remoteText, hash: sha256(remoteText), size: -1, status: 'synced' });
            state.removeConflict(conflict.pageId);
          });
        } else {
          const { size, mtimeMs } = await writeAtomic(abs, remoteText);
          state.transaction(() => {
            state.savePage({ ...page, version: conflict.remoteVersion, base: remoteText, hash: sha256(remoteText), size, mtimeMs, status: 'synced' });
            state.removeConflict(conflict.pageId);
          });
        }
        await unlink(copyAbs).catch(() => undefined);
      }
      ctx.out.result(`Resolved: ${what}.`, { ok: true, path: conflict.path, keep });
      process.exitCode = EXIT.OK;
    } finally {
      state.close();
      release();
    }
  },
};
