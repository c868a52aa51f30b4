/**
 * The command line: yargs with every command of the product registered. Exit codes are decided here only
 * (src/cli/exit-codes.ts). Unknown commands or flags are usage errors (exit 2).
 */
import yargs, { type Argv } from 'yargs';
import { CsyncError, UsageError } from '../core/errors.js';
import { scrub } from '../obs/redact.js';
import { VERSION } from '../version.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { COMMANDS, isLazy, type LazyCommand } from './commands/index.js';
import { requestedCommand } from './argv.js';

export { requestedCommand };

function commandName(c: { command?: string | readonly string[] | undefined }): string {
  const first = Array.isArray(c.command) ? String(c.command[0]) : String(c.command ?? '');
  return first.split(' ')[0]!;
}

/**
 * Only the named command's module is loaded (it brings the client, the format pipeline, the daemon…); the others are
 * listed by name and description, which is all `csync --help` and a usage error need.
 */
async function commandsFor(argv: readonly string[]) {
  const wanted = requestedCommand(argv);
  return Promise.all(
    COMMANDS.map(async (c) => {
      if (!isLazy(c)) return c;
      if (commandName(c) === wanted) return c.load();
      return stub(c);
    }),
  );
}

function stub(c: LazyCommand) {
  return { command: c.command, describe: c.describe, builder: (y: Argv) => y, handler: () => undefined };
}

export async function buildParser(argv: string[]): Promise<Argv> {
  let parser = yargs(argv)
    .scriptName('csync')
    .usage('csync <command> [options]\n\nTwo-way sync between a local folder and Confluence.')
    .option('workspace', { alias: 'w', type: 'string', describe: 'workspace folder (default: current folder, or CSYNC_WORKSPACE)', global: true })
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default: <workspace>/config/csync.json)', global: true })
    .option('profile', { type: 'string', choices: ['fast', 'balanced', 'conservative'], describe: 'rate/retry preset', global: true })
    .option('log-level', { type: 'string', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], describe: 'log level', global: true })
    .option('json', { type: 'boolean', describe: 'print results as JSON on stdout', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'print only results and errors', global: true })
    .option('progress', { type: 'boolean', default: true, describe: 'show progress (--no-progress to hide)', global: true })
    .strict()
    .strictCommands()
    .strictOptions()
    .demandCommand(1, 'name a command (see csync --help)')
    .recommendCommands()
    .completion('completion', 'print a bash/zsh completion script (csync completion >> ~/.bashrc)')
    .help()
    .alias('help', 'h')
    .version(VERSION)
    .alias('version', 'V')
    .wrap(Math.min(120, process.stdout.columns || 100))
    .epilogue(
      'Exit codes: 0 ok, 1 error, 2 usage, 3 config, 4 auth, 5 network/server, 6 conflicts remain, 7 safety gate, 8 workspace locked, 9 not built yet, 10 left something unsynced on purpose, 11 export finished with failed items, 12 bundle failed verification, 13 unsafe archive refused, 14 compare found differences, 130 interrupted.\nDocs: README.md',
    )
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg ?? 'invalid usage');
    });
  for (const cmd of await commandsFor(argv)) parser = parser.command(cmd);
  skipHelpCache(parser);
  return parser;
}

/**
 * yargs lays out the whole help text before running a command's handler, to have it should the handler ask for help
 * later (`showHelp` from inside an async handler). No handler here does, and usage errors never print the help
 * (`.fail` above throws), so that layout (string widths, wrapping: ~20 ms of every run) is skipped; `--help` and
 * `csync <command> --help` lay the text out as before.
 */
function skipHelpCache(parser: Argv): void {
  const internal = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

export interface RunResult {
  code: number;
}

/** Runs the CLI; resolves with the exit code (never calls process.exit itself). */
export async function run(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  let exitCode: number = EXIT.OK;
  try {
    // Secrets from the environment are known before anything can log (context.js loads the config and the logger:
    // not needed for --help, a usage error or --version).
    if (requestedCommand(argv) !== undefined) (await import('./context.js')).registerEnvSecrets();
    const parser = await buildParser(argv);
    const parsed = (await parser.parseAsync()) as { exitCode?: number };
    if (typeof parsed.exitCode === 'number') exitCode = parsed.exitCode;
    else if (typeof process.exitCode === 'number') exitCode = process.exitCode;
  } catch (err) {
    exitCode = reportError(err, json);
  }
  return exitCode;
}

export function reportError(err: unknown, json: boolean): number {
  if (err instanceof CsyncError) {
    const code = exitCodeFor(err.code);
    const lines = [`csync: ${err.message}`];
    if (err.hint) lines.push(`  hint: ${err.hint}`);
    if (err.code === 'CSYNC_USAGE') lines.push('  run `csync --help` for usage');
    process.stderr.write(scrub(lines.join('\n')) + '\n');
    if (json) {
      process.stdout.write(
        scrub(JSON.stringify({ ok: false, error: { code: err.code, message: err.message, hint: err.hint ?? null, exitCode: code } })) + '\n',
      );
    }
    return code;
  }
  const e = err as Error;
  process.stderr.write(scrub(`csync: unexpected error: ${e?.stack ?? String(err)}`) + '\n');
  if (json) {
    process.stdout.write(scrub(JSON.stringify({ ok: false, error: { code: 'CSYNC_INTERNAL', message: String(e?.message ?? err), exitCode: EXIT.ERROR } })) + '\n');
  }
  return EXIT.ERROR;
}
