/**
 * `csync export`: pages by space/label/CQL/subtree/date into a bundle (Markdown, JSON Lines, HTML, PDF) in a folder
 * or a zip, run as a resumable job; `export list|status|resume|cancel|verify|extract` (export-jobs.ts).
 */
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { EXPORT_ACTIONS } from '../../config/export-definitions.js';
import { workspacePaths } from '../../config/workspace.js';
import { checkPdfFont } from '../../export/pdf-font.js';
import { EXPORT_FORMATS, type ExportFormat, type ExportSpec, type Selection } from '../../export/types.js';
import { createContext, type Context, type GlobalArgs } from '../context.js';
import type { JiraClient } from '../../remote/jira/index.js';
import { clientFor, jiraClientFor } from '../site.js';
import { jobAction, type ExportJobArgs } from './export-jobs.js';
import type { NamedArgs } from './export-named.js';

export interface ExportArgs extends GlobalArgs, ExportJobArgs {
  label?: string[];
  cql?: string;
  root?: string;
  since?: string;
  formats?: string[];
  singleFile?: boolean;
  attachments?: boolean;
  cache?: boolean;
  out?: string;
  zip?: string;
  title?: string;
  pdfFont?: string;
  dryRun?: boolean;
  validateOnly?: boolean;
  jql?: string;
  jiraLabel?: string[];
  includeConfluence?: boolean;
  includeJira?: boolean;
  includeLinkedIssues?: boolean;
}

const ACTIONS = EXPORT_ACTIONS;

function options(y: Argv): Argv {
  return y
    .positional('action', { type: 'string', describe: `${ACTIONS.join('|')}, or the name of an export definition (config "exports"); none: an export from the flags` })
    .positional('target', { type: 'string', describe: 'job id (status, resume, cancel) or bundle (verify, extract)' })
    .option('space', { type: 'string', array: true, describe: 'space key (repeatable; default: the spaces in config/csync.json)' })
    .option('label', { type: 'string', array: true, describe: 'only pages with this label (repeatable: any of them)' })
    .option('cql', { type: 'string', describe: 'only pages matching this CQL' })
    .option('root', { type: 'string', describe: 'only this page id and its descendants' })
    .option('since', { type: 'string', describe: 'only pages whose current version is this new (a date: 2026-11-01)' })
    .option('jql', { type: 'string', describe: 'Jira issues matching this JQL' })
    .option('jira-label', { type: 'string', array: true, describe: 'Jira issues with this label (repeatable: any of them)' })
    .option('include-jira', { type: 'boolean', describe: 'also Jira issues: those with the --label labels (or --jira-label, --jql)' })
    .option('include-confluence', { type: 'boolean', describe: 'pages too (the default unless only --jql / --jira-label select); --no-include-confluence: issues only' })
    .option('include-linked-issues', { type: 'boolean', describe: 'also the Jira issues that Jira macros on the exported pages point at' })
    .option('format', { type: 'string', array: true, choices: EXPORT_FORMATS as unknown as string[], describe: 'md, json, html, pdf (repeatable; default md)' })
    .option('single-file', { type: 'boolean', describe: 'md: one Markdown file with a table of contents (markdown/export.md)' })
    .option('attachments', { type: 'boolean', default: true, describe: 'include attachments (--no-attachments to leave them out)' })
    .option('cache', { type: 'boolean', default: true, describe: 'reuse bodies cached by page id + version (--no-cache to refetch)' })
    .option('out', { type: 'string', describe: 'bundle folder (or NAME.zip for a zip)' })
    .option('zip', { type: 'string', describe: 'bundle zip file' })
    .option('title', { type: 'string', describe: 'title of the bundle (index pages, PDF title page)' })
    .option('pdf-font', { type: 'string', describe: 'pdf: a TrueType/OpenType font file for CJK text (default: config export.pdf.font, else Noto Sans SC when installed)' })
    .option('to', { type: 'string', describe: 'extract: the new folder to unpack into' })
    .option('follow', { type: 'boolean', describe: 'status: print progress until the job ends' })
    .option('dry-run', { type: 'boolean', describe: 'list what would be exported (counts) and write nothing' })
    .option('validate-only', { type: 'boolean', describe: 'check credentials and that the selection resolves, then stop' })
    .option('batch', { type: 'string', describe: 'run the definitions in this JSON file concurrently ({"exports": [NAME | {name, select, format, out}]}) and print one summary' })
    .option('via', { type: 'string', describe: 'ask the daemon at this URL (its watch.listen) to run NAME, then download, verify and extract it (--to DIR, --out FILE.zip)' })
    .option('via-remote', { type: 'boolean', describe: 'allow a non-loopback --via URL (the job API has no authentication)' })
    .option('stall-polls', { type: 'number', describe: '--via: report a stall after this many polls without progress (default 20)' })
    .example('csync export --label runbook --format pdf --zip runbooks.zip', 'every runbook page as one PDF, zipped with a manifest')
    .example('csync export --space DOC --format md --single-file --out ctx', 'one Markdown file with a table of contents')
    .example('csync export --label runbook --include-jira --format md --format pdf --out ctx', 'runbook pages and runbook issues in one bundle, linked to each other')
    .example('csync export verify runbooks.zip', 'check every checksum of a bundle')
    .example('csync export resume 20261203T120000-a1b2c3', 'continue an interrupted export')
    .example('csync export runbooks', 'run the definition named runbooks (config "exports")')
    .example('csync export --batch nightly.json', 'several definitions at once, one summary table')
    .example('csync export --via http://127.0.0.1:9464 runbooks --to runbooks', 'let the daemon export it; download, verify, extract');
}

/** The export's spec from the flags (validated; paths absolute). */
export function specFrom(ctx: Context, argv: ExportArgs): ExportSpec {
  const formats = [...new Set((argv.format as unknown as string[] | undefined) ?? ['md'])] as ExportFormat[];
  let out = argv.out;
  let zip = argv.zip;
  if (out && zip) throw new UsageError('give --out or --zip, not both');
  if (out?.toLowerCase().endsWith('.zip')) [zip, out] = [out, undefined];
  if (!out && !zip) throw new UsageError('no bundle target', { hint: 'pass --out FOLDER or --zip FILE.zip' });
  if (argv.singleFile && !formats.includes('md')) throw new UsageError('--single-file goes with --format md');
  let since: string | undefined;
  if (argv.since !== undefined) {
    const t = Date.parse(argv.since);
    if (!Number.isFinite(t)) throw new UsageError(`--since ${argv.since} is not a date`, { hint: 'use an ISO date such as 2026-11-01 or 2026-11-01T12:00:00Z' });
    since = new Date(t).toISOString();
  }
  const labels = argv.label ?? [];
  const selection = selectionFrom(ctx, argv, labels, since);
  const spaces = selection.flatMap((s) => (s.source === 'confluence' ? s.spaces : []));
  const jiraOnly = !selection.some((s) => s.source === 'confluence');
  return {
    selection,
    formats,
    singleFile: Boolean(argv.singleFile),
    attachments: argv.attachments !== false,
    useCache: argv.cache !== false,
    ...(out ? { out: resolve(out) } : {}),
    ...(zip ? { zip: resolve(zip) } : {}),
    title: argv.title ?? defaultTitle(argv, labels, spaces, jiraOnly),
    ...pdfFontOf(ctx, argv.pdfFont, formats),
  };
}

/** The PDF's CJK font: --pdf-font (relative to the current folder), else config export.pdf.font (to the workspace); checked. */
export function pdfFontOf(ctx: Context, flag: string | undefined, formats: readonly string[]): { pdfFont?: string } {
  if (flag !== undefined && !formats.includes('pdf')) throw new UsageError('--pdf-font goes with --format pdf');
  const configured = ctx.config.export?.pdf?.font;
  if (flag !== undefined) return { pdfFont: checkPdfFont(flag, process.cwd(), '--pdf-font') };
  if (configured !== undefined && formats.includes('pdf')) return { pdfFont: checkPdfFont(configured, ctx.config.workspace, 'export.pdf.font') };
  return {};
}

/**
 * The selection from the flags. Pages as before (--space, --label, --cql, --root, --since); Jira issues with
 * --jql / --jira-label, or with --include-jira the --label labels (the seed's semantics: one label selects both).
 * Only --jql / --jira-label (no page flag) exports issues alone; --include-confluence / --no-include-confluence say so
 * explicitly. --include-linked-issues adds the issues Jira macros on the exported pages point at.
 */
function selectionFrom(ctx: Context, argv: ExportArgs, labels: string[], since: string | undefined): Selection[] {
  const jiraLabels = argv.jiraLabel?.length ? argv.jiraLabel : argv.includeJira ? labels : [];
  const jql = argv.jql?.trim() || undefined;
  if (argv.jql !== undefined && !jql) throw new UsageError('--jql is empty', { hint: "pass a JQL query, e.g. --jql 'project = DEMO AND status != Done'" });
  if (argv.includeJira && !jql && jiraLabels.length === 0) {
    throw new UsageError('--include-jira needs labels or a query to select issues', { hint: 'add --label X (pages and issues with that label), --jira-label X or --jql QUERY' });
  }
  const pageFlags = Boolean(argv.space?.length || argv.cql || argv.root);
  const includeConfluence = argv.includeConfluence ?? (pageFlags || argv.includeJira === true || !(jql || argv.jiraLabel?.length));
  if (argv.includeLinkedIssues && !includeConfluence) throw new UsageError('--include-linked-issues needs pages to export', { hint: 'drop --no-include-confluence' });
  if (!includeConfluence && !jql && jiraLabels.length === 0) throw new UsageError('nothing to export', { hint: 'select pages (--space, --label) or issues (--jql, --jira-label)' });
  const out: Selection[] = [];
  if (includeConfluence) {
    const spaces = argv.space?.length ? argv.space : [...ctx.config.spaces];
    if (spaces.length === 0) throw new UsageError('no space to export', { hint: 'pass --space KEY, or set "spaces": ["KEY"] in config/csync.json' });
    out.push({ source: 'confluence', spaces, labels, cql: argv.cql, rootPageId: argv.root, since });
  }
  if (jql || jiraLabels.length || argv.includeLinkedIssues) out.push({ source: 'jira', jql, labels: jql || jiraLabels.length ? jiraLabels : [], linked: Boolean(argv.includeLinkedIssues) });
  return out;
}

function defaultTitle(argv: ExportArgs, labels: string[], spaces: string[], jiraOnly: boolean): string {
  if (jiraOnly) return argv.jiraLabel?.length ? `Jira issues labelled ${argv.jiraLabel.join(', ')}` : 'Jira issues';
  const base = labels.length ? `Pages labelled ${labels.join(', ')}` : `Space ${spaces.join(', ')}`;
  return argv.includeJira && labels.length && !argv.jiraLabel?.length && !argv.jql ? `${base} and their Jira issues` : base;
}

/** Whether the spec needs a Jira client. */
export function needsJira(spec: ExportSpec): boolean {
  return spec.selection.some((s) => s.source === 'jira');
}

export async function exportContext(argv: ExportArgs, requireSite: boolean): Promise<Context> {
  // --format here names export formats, not the workspace's file format: keep it out of the config.
  return createContext({ ...argv, format: undefined }, { requireSite });
}

export function exportPaths(ctx: Context) {
  const cacheRoot = join(workspacePaths(ctx.config.workspace).cache, 'export');
  return { cacheRoot, jobsDb: join(cacheRoot, 'jobs.db') };
}

async function startExport(argv: ExportArgs): Promise<void> {
  const ctx = await exportContext(argv, true);
  const spec = specFrom(ctx, argv);
  const api = clientFor(ctx.config, ctx.logger);
  const jira = needsJira(spec) ? jiraClientFor(ctx.config, ctx.logger) : undefined;
  try {
    if (argv.dryRun || argv.validateOnly) {
      // Writes nothing (no job row, no cache, no bundle) and sends no more than the export would: the listing
      // without bodies, no attachment listing, labels only to filter on, and the space ids the workspace already
      // knows (its earlier exports, its sync state: both read only) instead of a lookup by key.
      const { selectConfluence } = await import('../../export/select.js');
      const { rememberedSpaceIds } = await import('../../export/job-store.js');
      const { publicSite } = await import('../../export/runner.js');
      const { syncedSpaceIds } = await import('./export-jobs.js');
      const remembered = rememberedSpaceIds(exportPaths(ctx).jobsDb, publicSite(ctx.config.site.url ?? ''));
      const synced = syncedSpaceIds(ctx);
      const selectOptions = { spaceIds: { known: (key: string) => remembered(key) ?? synced(key), remember: () => {} }, labels: false };
      let items: Awaited<ReturnType<typeof selectConfluence>> = [];
      for (const sel of spec.selection) {
        if (sel.source === 'confluence') items = items.concat(await selectConfluence(api, sel, ctx.config.site.url ?? '', items.length, undefined, selectOptions));
        else items = items.concat(await listIssues(jira!, sel));
      }
      const requests = api.stats().requests + (jira?.stats().requests ?? 0);
      ctx.out.result(
        () => [`${argv.dryRun ? 'would export' : 'selection resolves to'} ${countOf(items)} in ${spec.formats.join(', ')} → ${spec.out ?? spec.zip}`, ...(argv.dryRun ? items.map((i) => (i.kind === 'page' ? `  ${i.path}  (v${i.version})` : `  ${i.path}  (updated ${i.updatedAt ?? '?'})`)) : [])].join('\n'),
        { ok: true, dryRun: Boolean(argv.dryRun), items: items.length, formats: spec.formats, target: spec.out ?? spec.zip, requests, pages: argv.dryRun ? items.map((i) => ({ id: i.id, kind: i.kind, title: i.title, path: i.path, version: i.version })) : undefined },
      );
      return;
    }
    const { runExport } = await import('./export-jobs.js');
    await runExport(ctx, api, argv, (deps) => import('../../export/runner.js').then((r) => r.startJob({ ...deps, jira }, spec)));
  } finally {
    await api.close();
    await jira?.close();
  }
}

/** "2 page(s)" or "2 page(s) and 4 Jira issue(s)" (linked issues are found only by the export itself). */
function countOf(items: ReadonlyArray<{ kind: string }>): string {
  const issues = items.filter((i) => i.kind === 'jira-issue').length;
  return `${items.length - issues} page(s)${issues ? ` and ${issues} Jira issue(s)` : ''}`;
}

/** Dry run / validate-only: the issues a Jira selection finds (keys and fields only; linked issues need the pages' bodies). */
async function listIssues(jira: JiraClient, sel: Extract<Selection, { source: 'jira' }>) {
  const { issueItem, selectionJql } = await import('../../export/jira.js');
  const jql = selectionJql(sel);
  const items = [];
  if (jql) for await (const i of jira.search(jql, { fields: ['summary', 'status', 'updated', 'created', 'labels', 'project', 'parent'] })) items.push(issueItem({ ...i }, items.length, jira.browseUrl(i.key)));
  return items;
}

export const exportCommand: CommandModule<GlobalArgs, ExportArgs> = {
  command: 'export [action] [target]',
  describe: 'pages by space/label/CQL/subtree into a Markdown, JSON, HTML or PDF bundle (folder or zip) with a checksum manifest, as a resumable job',
  builder: (y) => options(y) as never,
  handler: async (argv) => {
    const named = argv as NamedArgs;
    if (named.via !== undefined) return (await import('./export-named.js')).viaExport(named);
    if (named.batch !== undefined) return (await import('./export-named.js')).batchExport(named);
    if (argv.action && (ACTIONS as readonly string[]).includes(argv.action)) return jobAction(argv);
    if (argv.action) return (await import('./export-named.js')).namedExport(named, argv.action);
    await startExport(argv);
  },
};

