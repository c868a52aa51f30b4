/**
 * `csync resolve <path> --keep local|remote|merged`: settle a conflict recorded by pull, push or sync (the work is
 * src/engine/resolve.ts). While the daemon runs, it is sent to the daemon, which resolves between two runs.
 */
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { CsyncError, isCsyncError } from '../../core/errors.js';
import { askDaemon } from '../../daemon/control.js';
import { resolveConflict, type ResolveResult } from '../../engine/resolve.js';
import { statOrUndefined } from '../../local/files.js';
import { acquireWorkspaceLock, readLock } from '../../local/lock.js';
import { createContext, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

export interface ResolveArgs extends GlobalArgs {
  path: string;
  keep?: 'local' | 'remote' | 'merged';
  dryRun?: boolean;
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
      .option('keep', { choices: ['local', 'remote', 'merged'] as const, demandOption: true, describe: 'local: your file wins; remote: the Confluence version wins (your file is kept in cache/trash); merged: your file now holds your hand merge of both (checked for leftover conflict markers)' })
      .option('dry-run', { type: 'boolean', describe: 'say what would happen and change nothing' })
      .example('csync resolve content/DOC/Guide.md --keep local', 'keep your version (csync push uploads it)')
      .example('csync resolve content/DOC/Guide.md --keep remote', 'take the Confluence version (yours is kept in cache/trash)')
      .example('csync resolve content/DOC/Guide.md --keep merged', 'you merged the copy beside it into your file by hand; push that')
      .example('csync resolve attachments/DOC/Guide/logo.png --keep remote', 'an attachment: take the Confluence file') as never,
  handler: async (argv) => {
    const ctx = await createContext(argv, { requireSite: false });
    const ws = ctx.config.workspace;
    const path = rel(ws, argv.path);
    const keep = argv.keep!;
    const dryRun = Boolean(argv.dryRun);
    if (!(await statOrUndefined(join(ws, 'cache', 'state.db')))) throw new CsyncError('CSYNC_USAGE', 'no conflicts: nothing has been synced in this workspace');
    let release = () => {};
    if (!dryRun) {
      try {
        release = acquireWorkspaceLock(ws, 'resolve');
      } catch (err) {
        // The daemon holds the workspace: it resolves between two of its runs (and pushes a kept file at once).
        const holder = isCsyncError(err) && err.code === 'CSYNC_LOCKED' ? readLock(ws) : undefined;
        const viaDaemon = holder?.command === 'watch' ? await askDaemon<ResolveResult>(ws, holder.pid, 'resolve', { path, keep }) : undefined;
        if (!viaDaemon) throw err;
        ctx.out.result(`${viaDaemon.message} (done by the running daemon)`, { ...viaDaemon.data, viaDaemon: true });
        process.exitCode = EXIT.OK;
        return;
      }
    }
    try {
      const r = await resolveConflict(ws, path, keep, dryRun);
      ctx.out.result(r.message, r.data);
      process.exitCode = EXIT.OK;
    } finally {
      release();
    }
  },
};
