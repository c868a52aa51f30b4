/** `csync sync`: one two-way pass, pull then push. */
import type { CommandModule } from 'yargs';
import { createContext, type GlobalArgs } from '../context.js';
import { acquireWorkspaceLock } from '../../local/lock.js';
import { EXIT } from '../exit-codes.js';
import { cancelOnSignal } from '../interrupt.js';
import { pullWith } from './pull.js';
import { formatPushSummary, pushWith } from './push.js';

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
    // One lock for the whole pass, so no other csync process can slip in between the pull and the push.
    const release = argv.dryRun ? () => {} : acquireWorkspaceLock(ctx.config.workspace, 'sync');
    let pull, push;
    try {
      // One cancellation for the pass: a signal during the pull also keeps the push from starting.
      [pull, push] = await cancelOnSignal(ctx.logger, async (signal) => {
        const pulled = await pullWith(ctx, { ...argv }, { lockHeld: true, signal });
        return [pulled, await pushWith(ctx, { ...argv }, { lockHeld: true, signal })] as const;
      });
    } finally {
      release();
    }
    ctx.out.result(() => `${formatPullSummary(pull)}\n${formatPushSummary(push)}`, { ok: true, pull, push });
    process.exitCode = pull.conflicts.length || push.conflicts.length ? EXIT.CONFLICTS : pull.skipped.length || push.skipped.length ? EXIT.INCOMPLETE : EXIT.OK;
  },
};
