/** `csync pull`: Confluence → files. */
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import type { Argv, CommandModule } from 'yargs';
import { workspacePaths } from '../../config/workspace.js';
import type { PassRequest } from '../../engine/run.js';
import { createContext, spacesOf, type Context, type GlobalArgs } from '../context.js';
import { EXIT_OF, runPassFor } from '../pass.js';
import { doctorCommand } from './doctor.js';

export interface PullArgs extends GlobalArgs {
  root?: string;
  label?: string[];
  cql?: string;
  dryRun?: boolean;
  force?: boolean;
  validateOnly?: boolean;
}

export function scopeOptions(y: Argv): Argv {
  return y
    .option('space', { type: 'string', array: true, describe: 'space key (repeatable; default: the spaces in config/csync.json)' })
    .option('root', { type: 'string', describe: 'only this page id and its descendants' })
    .option('label', { type: 'string', array: true, describe: 'only pages with this label (repeatable)' })
    .option('cql', { type: 'string', describe: 'only pages matching this CQL' })
    .option('dry-run', { type: 'boolean', describe: 'print the plan and change nothing at all (not even cache/state.db)' })
    .option('force', { type: 'boolean', describe: 'run even when a safety gate (mass delete, empty listing) would stop it' })
    .option('validate-only', { type: 'boolean', describe: 'check the connection and permissions (like doctor) and stop' });
}

/** Scope flags given on the command line are remembered in config/csync.json (unless --dry-run). */
export function rememberScope(ctx: Context, argv: PullArgs): void {
  if (argv.dryRun) return;
  const file = workspacePaths(ctx.config.workspace).configFile;
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return; // no config file (settings from the environment): nothing to remember into
  }
  let changed = false;
  const spaces = new Set((json.spaces as string[] | undefined) ?? []);
  for (const s of argv.space ?? []) {
    if (spaces.has(s)) continue;
    spaces.add(s);
    changed = true;
  }
  if (changed) json.spaces = [...spaces];
  const scope = { ...((json.scope as Record<string, unknown> | undefined) ?? {}) };
  const set = (key: string, value: unknown) => {
    if (JSON.stringify(scope[key]) === JSON.stringify(value)) return;
    scope[key] = value;
    changed = true;
  };
  if (argv.root) set('rootPageId', argv.root);
  if (argv.label?.length) set('labels', argv.label);
  if (argv.cql) set('cql', argv.cql);
  if (Object.keys(scope).length) json.scope = scope;
  if (changed) writeFileAtomic.sync(file, JSON.stringify(json, null, 2) + '\n');
}

/** The pass `csync pull` asks the engine for (sync asks the same, both sides). */
export function pullRequest(ctx: Context, argv: PullArgs): Omit<PassRequest, 'sides'> {
  return {
    spaces: spacesOf(ctx.config, argv, 'pull', 'pass --space KEY, or set "spaces": ["KEY"] in config/csync.json (or CONFLUENCE_SPACE_KEY)'),
    rootPageId: argv.root,
    labels: argv.label,
    cql: argv.cql,
    force: Boolean(argv.force),
    dryRun: Boolean(argv.dryRun),
  };
}

export const pullCommand: CommandModule<GlobalArgs, PullArgs> = {
  command: 'pull',
  describe: 'Confluence → files: new, changed, moved, renamed, deleted pages and attachments',
  builder: (y) =>
    scopeOptions(y)
      .example('csync pull', 'pull every configured space')
      .example('csync pull --space DOC --dry-run', 'show what a pull of space DOC would do')
      .example('csync pull --space DOC --root 123456', 'pull one subtree') as never,
  handler: async (argv) => {
    if (argv.validateOnly) return (doctorCommand.handler as (a: GlobalArgs) => Promise<void>)(argv);
    const ctx = await createContext(argv, { requireSite: true });
    const { formatPullSummary } = await import('../../engine/summary.js');
    const { pull: summary, outcome } = await runPassFor(ctx, { ...pullRequest(ctx, argv), sides: 'pull' }, { afterPull: () => rememberScope(ctx, argv) });
    ctx.out.result(() => formatPullSummary(summary), { ok: true, ...summary });
    ctx.logger.info({ module: 'pull', pages: summary.pages, attachments: summary.attachments, requests: summary.requests, ms: summary.durationMs }, 'pull finished');
    process.exitCode = EXIT_OF[outcome];
  },
};
