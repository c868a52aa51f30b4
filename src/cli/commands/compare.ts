/**
 * `csync compare A B`: two sets of pages — a site's space (`NAME:SPACE`, a site of `sites` in the config, or
 * `default` for the workspace's own), a workspace folder, or an export bundle (folder or zip) — compared by their
 * normalised Markdown: only in A, only in B, changed (with unified diffs), moved or renamed. Two export bundles (or a
 * bundle and `jira:JQL`, the workspace's Jira) compare their Jira issues too, by key. Exit 0 when they are the same,
 * 14 when they differ.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { createContext, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

export interface CompareArgs extends GlobalArgs {
  a?: string;
  b?: string;
  html?: string;
}

export const compareCommand: CommandModule<GlobalArgs, CompareArgs> = {
  command: 'compare <a> <b>',
  describe: 'compare two spaces, workspaces or export bundles page by page (two bundles: their Jira issues by key too): only in A, only in B, changed (unified Markdown diffs), moved',
  builder: (y) =>
    y
      .positional('a', { type: 'string', describe: 'NAME:SPACE (a site of "sites", or default), a workspace folder, an export folder/.zip (PATH#SPACE to pick a space), or jira:JQL (issues of the workspace\'s Jira)' })
      .positional('b', { type: 'string', describe: 'the same kinds as A' })
      .option('html', { type: 'string', describe: 'also write the report as one HTML file' })
      .example('csync compare prod:DOC staging:DOC', 'two sites before a migration')
      .example('csync compare default:DOC nightly.zip --html report.html', 'the site against last night\'s export')
      .example('csync compare . default:DOC --json', 'this workspace against its site') as never,
  handler: async (argv) => {
    const ctx = await createContext(argv);
    const { loadSides } = await import('../../compare/sources.js');
    const { comparePages } = await import('../../compare/compare.js');
    const { htmlReport, textReport } = await import('../../compare/report.js');
    if (!argv.a || !argv.b) throw new UsageError('compare needs two things to compare', { hint: 'csync compare prod:DOC staging:DOC' });
    const { createProgress } = await import('../progress.js');
    const bar = createProgress({ enabled: ctx.progress });
    let sides;
    try {
      sides = await loadSides([argv.a, argv.b], ctx.config, process.cwd(), ctx.logger, (e) => bar.update(e));
    } finally {
      bar.stop();
    }
    const [a, b] = sides;
    const report = comparePages(a, b);
    if (argv.html) writeReport(resolve(process.cwd(), argv.html), htmlReport(report, new Date()));
    ctx.out.result(() => textReport(report).trimEnd(), { ok: true, ...report });
    process.exitCode = report.equal ? EXIT.OK : EXIT.DIFFERENT;
  },
};

/** Writes the HTML report, never through a symbolic link at that path. */
function writeReport(path: string, html: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write the HTML report ${path}: ${code === 'ELOOP' ? 'it is a symbolic link' : code ?? String(err)}`, { hint: 'name a new file in a folder that exists' });
  }
  try {
    writeSync(fd, html);
  } finally {
    closeSync(fd);
  }
}
