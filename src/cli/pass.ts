/**
 * How a one-shot command (pull, push, sync) calls the engine's orchestrator (src/engine/run.ts): one Confluence
 * client and one progress display for the pass, one cancellation (Ctrl-C, SIGTERM), both closed after it.
 */
import type { Outcome, PassHooks, PassRequest, PassResult, Sides } from '../engine/run.js';
import type { Context } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { cancelOnSignal } from './interrupt.js';
import { createProgress } from './progress.js';
import { clientFor } from './site.js';

export async function runPassFor<S extends Sides>(ctx: Context, req: PassRequest & { sides: S }, hooks: PassHooks = {}): Promise<PassResult<S>> {
  const client = clientFor(ctx.config, ctx.logger);
  const progress = createProgress({ enabled: ctx.progress });
  const { runPass } = await import('../engine/run.js');
  try {
    return await cancelOnSignal(ctx.logger, (signal) =>
      runPass({ config: ctx.config, api: client, logger: ctx.logger, progress: (e) => progress.update(e), signal }, req, hooks),
    );
  } finally {
    progress.stop();
    await client.close();
  }
}

export const EXIT_OF: Readonly<Record<Outcome, ExitCode>> = { conflicts: EXIT.CONFLICTS, incomplete: EXIT.INCOMPLETE, ok: EXIT.OK };
