/**
 * Every command of the product, in the order --help lists them. Most are lazy: their module (and what it imports:
 * the client, the Markdown pipeline, the daemon, the emulator…) loads only when that command runs or shows its own
 * help (src/cli/app.ts); `command` and `describe` are repeated here for the command list, and a test keeps them equal
 * to the module's. A plain CommandModule in the list works too (loaded with the CLI).
 */
import type { CommandModule } from 'yargs';

// Modules are typed per command; yargs only needs them as untyped modules here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

export interface LazyCommand {
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<AnyCommand>;
}

function lazy(command: string, describe: string, load: () => Promise<AnyCommand>): LazyCommand {
  return { command, describe, load };
}

export function isLazy(c: AnyCommand | LazyCommand): c is LazyCommand {
  return typeof (c as LazyCommand).load === 'function';
}

export const COMMANDS: Array<AnyCommand | LazyCommand> = [
  lazy('init', 'create a workspace (config, .env template, folders); asks on a TTY, flags otherwise', async () => (await import('./init.js')).initCommand),
  lazy('doctor', 'check config, credentials, permissions, connectivity and rate-limit headers; changes nothing', async () => (await import('./doctor.js')).doctorCommand),
  lazy('pull', 'Confluence → files: new, changed, moved, renamed, deleted pages and attachments', async () => (await import('./pull.js')).pullCommand),
  lazy('push [paths..]', 'files → Confluence: edits, new files, moves, renames, deletes, labels, attachments', async () => (await import('./push.js')).pushCommand),
  lazy('sync', 'one two-way pass (pull + push)', async () => (await import('./sync.js')).syncCommand),
  lazy('status [paths..]', 'local changes, remote changes and conflicts, like git status', async () => (await import('./status.js')).statusCommand),
  lazy('diff [paths..]', 'unified diff of local files against their pages (default: every locally modified file)', async () => (await import('./diff.js')).diffCommand),
  lazy('resolve <path>', 'settle a conflict: keep your file (pushed next) or the remote version', async () => (await import('./resolve.js')).resolveCommand),
  lazy('watch', 'the daemon: pushes saves, polls for remote changes, serves /healthz and /metrics on loopback', async () => (await import('./watch.js')).watchCommand),
  lazy('service <action>', 'systemd user unit for `csync watch`: install, uninstall, status', async () => (await import('./service.js')).serviceCommand),
  lazy('export [action] [target]', 'pages by space/label/CQL/subtree into a Markdown, JSON, HTML or PDF bundle (folder or zip) with a checksum manifest, as a resumable job', async () => (await import('./export.js')).exportCommand),
  lazy('compare <a> <b>', 'compare two spaces, workspaces or export bundles page by page (two bundles: their Jira issues by key too): only in A, only in B, changed (unified Markdown diffs), moved', async () => (await import('./compare.js')).compareCommand),

  lazy('import <source>', 'a Notion workspace or subtree into the workspace as Markdown (then `csync push` creates the pages); streamed, rate-aware, resumable', async () => (await import('./import.js')).importCommand),
  lazy('emulator', 'run a local Confluence-compatible server (for trying the tool, tests and benchmarks)', async () => (await import('./emulator.js')).emulatorCommand),
  lazy('demo', 'run the whole cycle against the built-in emulator in a temporary workspace', async () => (await import('./demo.js')).demoCommand),
];
