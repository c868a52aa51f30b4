/**
 * `csync doctor`: checks configuration, workspace, credentials and (when the client is available) the connection,
 * permissions and rate-limit headers. Changes nothing. Every failed check says what to fix.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
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

/** cache/state.db: PRAGMA integrity_check, what it tracks, open conflicts, the last run. Read-only. */
async function stateChecks(cacheDir: string): Promise<Check[]> {
  const dbPath = join(cacheDir, 'state.db');
  if (!existsSync(dbPath)) return [{ name: 'state', ok: true, detail: 'no cache/state.db yet (nothing pulled)' }];
  const { openStateStore } = await import('../../state/index.js');
  let state;
  try {
    state = openStateStore(dbPath, { readonly: true });
  } catch (err) {
    return [{ name: 'state', ok: false, code: 'CSYNC_WORKSPACE', detail: `cannot open ${dbPath}: ${(err as Error).message}`, hint: 'move cache/state.db aside and run csync pull to rebuild it (local edits not yet pushed will show as conflicts)' }];
  }
  try {
    const integrity = state.integrityCheck();
    if (integrity !== 'ok') {
      return [{ name: 'state', ok: false, code: 'CSYNC_WORKSPACE', detail: `cache/state.db failed integrity_check: ${integrity.split('\n')[0]}`, hint: 'move cache/state.db aside and run csync pull to rebuild it' }];
    }
    const conflicts = state.conflicts().length + state.attachmentConflicts().length;
    const last = state.lastRuns(1)[0];
    const out: Check[] = [
      { name: 'state', ok: true, detail: `cache/state.db integrity ok; ${state.allPages().length} pages tracked${last ? `; last run: ${last.command} ${last.status} at ${last.endedAt ?? last.startedAt}` : ''}` },
    ];
    if (state.schema.file < state.schema.current) {
      out.push({ name: 'state schema', ok: true, detail: `cache/state.db has schema ${state.schema.file} of ${state.schema.current} (written by an older csync): read-only commands read an upgraded copy in memory; the next pull, push or sync upgrades the file` });
    }
    if (conflicts) out.push({ name: 'conflicts', ok: false, warning: true, detail: `${conflicts} unresolved conflict(s)`, hint: 'csync status lists them; csync resolve <path> --keep local|remote|merged' });
    return out;
  } finally {
    state.close();
  }
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
      checks.push(...(await stateChecks(paths.cache)));
      try {
        assertSite(ctx.config);
        const site = ctx.config.site;
        checks.push({ name: 'credentials', ok: true, detail: site.pat ? 'Data Center personal access token' : `API token for ${site.email}` });
        checks.push({ name: 'spaces', ok: ctx.config.spaces.length > 0, warning: ctx.config.spaces.length === 0, detail: ctx.config.spaces.length ? ctx.config.spaces.join(', ') : 'no space configured', hint: 'add "spaces": ["KEY"] to config/csync.json or set CONFLUENCE_SPACE_KEY' });
        const { remoteChecks } = await import('../remote-checks.js');
        checks.push(...(await remoteChecks(ctx)));
        const { jiraChecks } = await import('../jira-checks.js');
        checks.push(...(await jiraChecks(ctx)));
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
