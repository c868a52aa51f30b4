/** `csync push`: files → Confluence. */
import type { CommandModule } from 'yargs';
import type { PushSummary } from '../../engine/push.js';
import type { PassRequest } from '../../engine/run.js';
import { formatBytes, shellQuote } from '../../engine/summary.js';
import { createContext, spacesOf, type Context, type GlobalArgs } from '../context.js';
import { EXIT_OF, runPassFor } from '../pass.js';

export interface PushArgs extends GlobalArgs {
  paths?: string[];
  space?: string[];
  dryRun?: boolean;
  force?: boolean;
  delete?: boolean;
}

export function formatPushSummary(s: PushSummary): string {
  const lines: string[] = [];
  if (s.dryRun) {
    lines.push(`Dry run for ${s.spaces.join(', ')}: nothing was changed. The plan:`);
    for (const p of s.plan) lines.push(`  ${p.action.padEnd(12)} ${p.from ? `${p.from} → ` : ''}${p.path}`);
    if (s.plan.length === 0) lines.push('  (nothing to do)');
  }
  const p = s.pages;
  const a = s.attachments;
  const attChanged = a.uploaded + a.updated + a.deleted + a.relocated + a.conflicted;
  const changed = p.updated + p.created + p.deleted + p.moved + p.merged + p.conflicted + p.skippedConflicts + attChanged;
  if (!s.dryRun && changed === 0) lines.push(`Nothing to push: ${s.spaces.join(', ')} (${p.unchanged} pages, ${a.unchanged} attachments checked).`);
  else {
    lines.push(
      `${s.dryRun ? 'Would push' : 'Pushed'} ${s.spaces.join(', ')}: ${p.updated} updated, ${p.created} created, ${p.deleted} deleted, ${p.moved} moved, ${p.renamed} renamed, ${p.merged} merged, ${p.conflicted} conflicted, ${p.unchanged} unchanged pages`,
    );
    if (attChanged)
      lines.push(
        `Attachments: ${a.uploaded} uploaded, ${a.updated} new versions, ${a.deleted} deleted, ${a.conflicted} conflicted, ${a.unchanged} unchanged${a.relocated ? `, ${a.relocated} moved with their page` : ''}${a.bytes ? ` (${formatBytes(a.bytes)} sent)` : ''}`,
      );
  }
  if (p.relocated) lines.push(`${p.relocated} file(s) moved to the path of their page (as a pull would name them).`);
  if (p.falseConflicts) lines.push(`${p.falseConflicts} page(s) were changed identically on both sides and are now in sync.`);
  for (const c of s.conflicts) {
    const keeps = c.path.startsWith('attachments/') ? 'local|remote' : 'local|remote|merged';
    if (c.kind === 'unresolved') lines.push(`CONFLICT ${c.path}: unresolved conflict, not pushed (csync resolve ${shellQuote(c.path)} --keep ${keeps})`);
    else lines.push(c.copyPath ? `CONFLICT ${c.path}: kept your file, not pushed; the remote version is in ${c.copyPath}` : `CONFLICT ${c.path}: deleted in Confluence but edited here; kept your file`);
  }
  for (const w of s.warnings.slice(0, 20)) lines.push(`warning: ${w}`);
  if (s.warnings.length > 20) lines.push(`… and ${s.warnings.length - 20} more warnings (see the newest logs/csync.N.log)`);
  if (!s.dryRun) lines.push(`${s.requests ?? '?'} requests, ${(s.durationMs / 1000).toFixed(1)} s.`);
  return lines.join('\n');
}

/** The pass `csync push` asks the engine for (sync asks the same, both sides). */
export function pushRequest(ctx: Context, argv: PushArgs): Omit<PassRequest, 'sides'> {
  return { spaces: spacesOf(ctx.config, argv, 'push'), paths: argv.paths, force: Boolean(argv.force), dryRun: Boolean(argv.dryRun), noDelete: argv.delete === false };
}

export const pushCommand: CommandModule<GlobalArgs, PushArgs> = {
  command: 'push [paths..]',
  describe: 'files → Confluence: edits, new files, moves, renames, deletes, labels, attachments',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'files or folders (default: all)' })
      .option('space', { type: 'string', array: true, describe: 'space key (repeatable; default: the spaces in config/csync.json)' })
      .option('dry-run', { type: 'boolean', describe: 'print the plan and change nothing at all' })
      .option('force', { type: 'boolean', describe: 'run even when the mass-delete safety gate would stop it' })
      .option('delete', { type: 'boolean', default: true, describe: 'trash pages whose files were deleted (--no-delete to skip)' })
      .example('csync push', 'push every local change')
      .example('csync push content/DOC/Guide.md', 'push one file') as never,
  handler: async (argv) => {
    const ctx = await createContext(argv, { requireSite: true });
    const { push: summary, outcome } = await runPassFor(ctx, { ...pushRequest(ctx, argv), sides: 'push' });
    ctx.out.result(() => formatPushSummary(summary), { ok: true, ...summary });
    ctx.logger.info({ module: 'push', pages: summary.pages, requests: summary.requests, ms: summary.durationMs }, 'push finished');
    process.exitCode = EXIT_OF[outcome];
  },
};
