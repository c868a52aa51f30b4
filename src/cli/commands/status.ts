/** `csync status`: what differs on each side, like git status. */
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { getFormat } from '../../format/index.js';
import { createContext, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

export interface StatusArgs extends GlobalArgs {
  paths?: string[];
  space?: string[];
  local?: boolean;
}

export const statusCommand: CommandModule<GlobalArgs, StatusArgs> = {
  command: 'status [paths..]',
  describe: 'local changes, remote changes and conflicts, like git status',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'files or folders (default: all)' })
      .option('space', { type: 'string', array: true, describe: 'space key (repeatable)' })
      .option('local', { type: 'boolean', describe: 'local changes only (no network)' })
      .example('csync status', 'what differs on each side')
      .example('csync status --json', 'the same as JSON') as never,
  handler: async (argv) => {
    const ctx = await createContext(argv, { requireSite: !argv.local });
    const spaces = argv.space?.length ? argv.space : [...ctx.config.spaces];
    if (spaces.length === 0) throw new ConfigError('no space configured', { hint: 'pass --space KEY, or set "spaces" in config/csync.json' });
    const { runStatus, formatStatus } = await import('../../engine/status.js');
    // --local needs no network: the remote client (got and its dependencies) is not even loaded.
    const client = argv.local ? undefined : (await import('../site.js')).clientFor(ctx.config, ctx.logger);
    try {
      const report = await runStatus({ workspace: ctx.config.workspace, api: client, spaces, paths: argv.paths, formatFor: () => getFormat(ctx.config.format), scope: ctx.config.scope, logger: ctx.logger, pageSize: ctx.config.batch.pageSize, maxPageBytes: ctx.config.sync.maxPageBytes });
      ctx.out.result(() => formatStatus(report), { ok: true, ...report });
      // A page file over the size limit: what push exits with when it leaves one (warnings name each).
      process.exitCode = report.conflicts.length ? EXIT.CONFLICTS : report.skipped.length ? EXIT.INCOMPLETE : EXIT.OK;
    } finally {
      await client?.close();
    }
  },
};
