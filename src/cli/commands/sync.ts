/** `csync sync`: one two-way pass, pull then push (src/engine/run.ts: one lock, one cancellation). */
import type { CommandModule } from 'yargs';
import { createContext, type GlobalArgs } from '../context.js';
import { EXIT_OF, runPassFor } from '../pass.js';
import { pullRequest, rememberScope } from './pull.js';
import { formatPushSummary, pushRequest } from './push.js';

export interface SyncArgs extends GlobalArgs {
  space?: string[];
  dryRun?: boolean;
  force?: boolean;
  delete?: boolean;
}

export const syncCommand: CommandModule<GlobalArgs, SyncArgs> = {
  command: 'sync',
  describe: 'one two-way pass (pull + push)',
  builder: (y) =>
    y
      .option('space', { type: 'string', array: true, describe: 'space key (repeatable)' })
      .option('dry-run', { type: 'boolean', describe: 'print both plans and change nothing at all' })
      .option('force', { type: 'boolean', describe: 'run even when a safety gate would stop it' })
      .option('delete', { type: 'boolean', default: true, describe: 'trash pages whose files were deleted (--no-delete to skip)' })
      .example('csync sync', 'pull remote changes and push local ones') as never,
  handler: async (argv) => {
    const ctx = await createContext(argv, { requireSite: true });
    const { formatPullSummary } = await import('../../engine/summary.js');
    const req = { ...pullRequest(ctx, argv), ...pushRequest(ctx, argv), sides: 'sync' as const };
    const { pull, push, outcome } = await runPassFor(ctx, req, { afterPull: () => rememberScope(ctx, argv) });
    ctx.out.result(() => `${formatPullSummary(pull)}\n${formatPushSummary(push)}`, { ok: true, pull, push });
    process.exitCode = EXIT_OF[outcome];
  },
};
