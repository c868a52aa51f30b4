/**
 * `csync doctor`: checks configuration, workspace, credentials and (when the client is available) the connection,
 * permissions and rate-limit headers. Changes nothing. Every failed check says what to fix.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { CsyncError, type ErrorCode } from '../../core/errors.js';
import { assertSite } from '../../config/index.js';
import { WORKSPACE_DIRS, workspacePaths } from '../../config/workspace.js';
import { createContext, outputFor, type GlobalArgs } from '../context.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string | undefined;
  ms?: number | undefined;
  /** Error code of a failed check (decides the exit code). */
  code?: ErrorCode | undefined;
  /** A failed check that does not fail the run (e.g. a permission warning). */
  warning?: boolean;
}

export function formatChecks(checks: readonly Check[]): string {
  const lines = checks.map((c) => {
    const mark = c.ok ? 'ok  ' : c.warning ? 'warn' : 'FAIL';
    const ms = c.ms !== undefined ? ` (${Math.round(c.ms)} ms)` : '';
    return `${mark}  ${c.name.padEnd(18)} ${c.detail}${ms}${!c.ok && c.hint ? `\n      → ${c.hint}` : ''}`;
  });
  const failed = checks.filter((c) => !c.ok && !c.warning).length;
  lines.push('', failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
  return lines.join('\n');
}

export const doctorCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'doctor',
  describe: 'check config, credentials, permissions, connectivity and rate-limit headers; changes nothing',
  builder: (y) =>
    y
      .example('csync doctor', 'check this workspace and its connection')
      .example('csync doctor --json', 'the checks as JSON') as never,
  handler: async (argv) => {
    const checks: Check[] = [];
    const out = outputFor(argv);
    let ctx: Awaited<ReturnType<typeof createContext>> | undefined;
    try {
      ctx = await createContext(argv);
      checks.push({ name: 'config', ok: true, detail: ctx.config.configFile ? `loaded ${ctx.config.configFile} (profile ${ctx.config.profile})` : `no config file; defaults (profile ${ctx.config.profile})` });
      for (const w of ctx.config.warnings) checks.push({ name: 'config', ok: false, warning: true, detail: w });
    } catch (err) {
      if (!(err instanceof CsyncError)) throw err;
      checks.push({ name: 'config', ok: false, detail: err.message, hint: err.hint, code: err.code });
    }
    if (ctx) {
      const paths = workspacePaths(ctx.config.workspace);
      const missing = WORKSPACE_DIRS.filter((d) => !existsSync(paths[d]));
      let writable = true;
      try {
        accessSync(ctx.config.workspace, constants.W_OK);
      } catch {
        writable = false;
      }
      checks.push(
        missing.length === 0 && writable
          ? { name: 'workspace', ok: true, detail: ctx.config.workspace }
          : {
              name: 'workspace',
              ok: false,
              code: 'CSYNC_WORKSPACE',
              detail: !writable ? `${ctx.config.workspace} is not writable` : `missing folder(s): ${missing.join(', ')}`,
              hint: 'run `csync init` in this folder (or pass --workspace)',
            },
      );
      try {
        assertSite(ctx.config);
        const site = ctx.config.site;
        checks.push({ name: 'credentials', ok: true, detail: site.pat ? 'Data Center personal access token' : `API token for ${site.email}` });
        checks.push({ name: 'spaces', ok: ctx.config.spaces.length > 0, warning: ctx.config.spaces.length === 0, detail: ctx.config.spaces.length ? ctx.config.spaces.join(', ') : 'no space configured', hint: 'add "spaces": ["KEY"] to config/csync.json or set CONFLUENCE_SPACE_KEY' });
        const { remoteChecks } = await import('../remote-checks.js');
        checks.push(...(await remoteChecks(ctx)));
      } catch (err) {
        if (!(err instanceof CsyncError)) throw err;
        checks.push({ name: 'credentials', ok: false, detail: err.message, hint: err.hint, code: err.code });
      }
    }
    const failed = checks.filter((c) => !c.ok && !c.warning);
    out.result(() => formatChecks(checks), { ok: failed.length === 0, checks });
    process.exitCode = failed.length === 0 ? EXIT.OK : exitCodeFor(failed[0]!.code ?? 'CSYNC_CONFIG');
  },
};
