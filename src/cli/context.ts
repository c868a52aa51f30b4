/**
 * Per-invocation context: the loaded config, the logger and the output. Built lazily by commands that need it,
 * so `--help`, `init` and `emulator` work without a valid workspace.
 */
import { join } from 'node:path';
import { loadConfig, secretsOf, type Config } from '../config/index.js';
import { ConfigError } from '../core/errors.js';
import { createLogger, type Logger } from '../obs/logger.js';
import { registerSecret } from '../obs/redact.js';
import { Output } from './output.js';

export interface GlobalArgs {
  workspace?: string | undefined;
  config?: string | undefined;
  profile?: string | undefined;
  logLevel?: string | undefined;
  json?: boolean | undefined;
  quiet?: boolean | undefined;
  progress?: boolean | undefined;
  space?: string[] | undefined;
  format?: string | undefined;
}

export interface Context {
  config: Config;
  logger: Logger;
  out: Output;
  /** Show progress bars / progress lines. */
  progress: boolean;
}

export function outputFor(args: GlobalArgs): Output {
  return new Output({ json: Boolean(args.json), quiet: Boolean(args.quiet) });
}

/** Registers every credential found in the environment as a secret before anything is printed or logged. */
export function registerEnvSecrets(env: NodeJS.ProcessEnv = process.env): void {
  const email = env.CONFLUENCE_EMAIL ?? env.CONFLUENCE_USERNAME ?? env.ATLASSIAN_USERNAME ?? env.CSYNC_SITE_EMAIL;
  for (const name of ['CONFLUENCE_API_TOKEN', 'ATLASSIAN_API_TOKEN', 'CONFLUENCE_PAT', 'CSYNC_SITE_API_TOKEN', 'CSYNC_SITE_PAT']) {
    registerSecret(env[name], email);
  }
}

export async function createContext(
  args: GlobalArgs,
  options: { requireSite?: boolean; daemon?: boolean; extraFlags?: Record<string, unknown> } = {},
): Promise<Context> {
  const out = outputFor(args);
  const config = loadConfig({
    workspace: args.workspace,
    configFile: args.config,
    flags: {
      profile: args.profile,
      'log.level': args.logLevel,
      spaces: args.space && args.space.length > 0 ? args.space : undefined,
      format: args.format,
      ...options.extraFlags,
    },
    requireSite: options.requireSite,
  });
  for (const s of secretsOf(config)) registerSecret(s, config.site.email);
  const logger = await createLogger({
    level: config.log.level,
    logDir: join(config.workspace, 'logs'),
    maxFileBytes: config.log.maxFileBytes,
    maxFiles: config.log.maxFiles,
    console: 'auto',
    consoleStream: options.daemon ? 'stdout' : 'stderr',
    explicitLevel: args.logLevel !== undefined,
    quiet: Boolean(args.quiet),
  });
  logger.debug({ module: 'cli', argv: process.argv.slice(2), workspace: config.workspace, profile: config.profile }, 'command started');
  // Structural redaction hides site.apiToken / site.pat here; `scrub` would catch them anyway.
  logger.trace({ module: 'config', site: config.site, sources: config.sources }, 'configuration loaded');
  for (const w of config.warnings) {
    out.warn(w);
    logger.warn({ module: 'config' }, w);
  }
  const progress = args.progress !== false && !args.json && !args.quiet;
  return { config, logger, out, progress };
}

/** The spaces a command (or the daemon, at start and on SIGHUP) runs on: --space, else config/csync.json. */
export function spacesOf(config: Config, argv: { space?: string[] | undefined }, what: string, hint = 'pass --space KEY, or set "spaces": ["KEY"] in config/csync.json'): string[] {
  const spaces = argv.space?.length ? argv.space : [...config.spaces];
  if (spaces.length === 0) throw new ConfigError(`no space to ${what}`, { hint });
  return spaces;
}
