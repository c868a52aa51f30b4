/**
 * `csync init`: creates a workspace — config/csync.json, a .env for credentials (mode 600), the folders and a
 * .gitignore. Asks on a TTY; takes flags otherwise. Refuses to overwrite without --force, and writes nothing at
 * all when any input is invalid (everything is validated before the first write).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { CommandModule } from 'yargs';
import { CsyncError } from '../../core/errors.js';
import { loadConfig } from '../../config/index.js';
import { WORKSPACE_DIRS, workspacePaths } from '../../config/workspace.js';
import { registerSecret } from '../../obs/redact.js';
import { outputFor, type GlobalArgs } from '../context.js';
import { resolveSiteUrls } from '../../remote/site-url.js';

interface InitArgs extends GlobalArgs {
  url?: string;
  email?: string;
  space?: string[];
  format?: string;
  tokenStdin?: boolean;
  force?: boolean;
  interactive?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function dotenvLine(name: string, value: string | undefined): string {
  if (value === undefined || value === '') return `${name}=`;
  return `${name}=${/[\s#"'$\\]/.test(value) ? JSON.stringify(value) : value}`;
}

async function ask(args: InitArgs): Promise<InitArgs & { token?: string }> {
  const { input, password, select } = await import('@inquirer/prompts');
  const url = await input({ message: 'Confluence URL (https://SITE.atlassian.net or your Data Center URL)', default: args.url, validate: (v) => (/^https?:\/\/\S+$/.test(v) ? true : 'enter a URL starting with https://') });
  const flavour = await select({ message: 'Authentication', choices: [{ name: 'Cloud: e-mail + API token', value: 'cloud' }, { name: 'Data Center: personal access token', value: 'dc' }] });
  const email = flavour === 'cloud' ? await input({ message: 'Atlassian account e-mail', default: args.email }) : undefined;
  const token = await password({ message: flavour === 'cloud' ? 'API token (input hidden; leave empty to fill .env later)' : 'Personal access token (hidden)', mask: true });
  const spaces = await input({ message: 'Space keys to sync (comma-separated)', default: (args.space ?? []).join(',') });
  const format = await select({ message: 'Local format', choices: [{ name: 'Markdown (lossless round trip)', value: 'markdown' }, { name: 'Storage XHTML (raw)', value: 'storage' }], default: (args.format ?? 'markdown') as 'markdown' | 'storage' });
  return { ...args, url, email, token: token || undefined, space: spaces.split(',').map((s) => s.trim()).filter(Boolean), format, ...(flavour === 'dc' ? { pat: true } : {}) } as InitArgs & { token?: string };
}

export const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init',
  describe: 'create a workspace (config, .env template, folders); asks on a TTY, flags otherwise',
  builder: (y) =>
    y
      .option('url', { type: 'string', describe: 'Confluence base URL' })
      .option('email', { type: 'string', describe: 'Cloud account e-mail' })
      .option('space', { type: 'string', array: true, describe: 'space key to sync (repeatable)' })
      .option('format', { type: 'string', choices: ['markdown', 'storage'], describe: 'local file format (default markdown)' })
      .option('token-stdin', { type: 'boolean', describe: 'read the API token (or PAT with --pat) from stdin' })
      .option('pat', { type: 'boolean', describe: 'the token is a Data Center personal access token' })
      .option('force', { type: 'boolean', describe: 'overwrite an existing config/csync.json and .env' })
      .option('interactive', { type: 'boolean', describe: 'ask questions (default: when stdin is a TTY)' })
      .example('csync init', 'ask for everything on a terminal')
      .example('csync init -w ~/wiki --url https://acme.atlassian.net --email me@acme.com --space DOC', 'non-interactive')
      .example('echo "$TOKEN" | csync init --url https://acme.atlassian.net --email me@acme.com --space DOC --token-stdin', 'token from stdin (never as a flag: it would land in shell history)') as never,
  handler: async (argv) => {
    const out = outputFor(argv);
    const workspace = resolve(argv.workspace ?? process.env.CSYNC_WORKSPACE ?? process.cwd());
    const paths = workspacePaths(workspace);
    const interactive = argv.interactive ?? (Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY));
    let answers: InitArgs & { token?: string; pat?: boolean } = { ...argv };
    if (interactive) answers = await ask(argv);
    else if (argv.tokenStdin) answers.token = await readStdin();
    const isPat = Boolean((answers as { pat?: boolean }).pat);
    if (answers.token) registerSecret(answers.token, answers.email);

    const existing = [paths.configFile, paths.dotenv].filter((p) => existsSync(p));
    if (existing.length > 0 && !argv.force) {
      throw new CsyncError('CSYNC_WORKSPACE', `workspace already initialised: ${existing.join(' and ')} exist(s)`, {
        hint: 'use --force to overwrite, or edit the files directly',
      });
    }

    const fileConfig: Record<string, unknown> = {
      site: answers.url ? { url: answers.url.replace(/\/+$/, '') } : undefined,
      spaces: (answers.space ?? []).map((s) => s.trim()).filter(Boolean),
      format: answers.format ?? 'markdown',
      profile: argv.profile ?? 'balanced',
    };
    if (!fileConfig.site) delete fileConfig.site;
    const configText = JSON.stringify(fileConfig, null, 2) + '\n';
    const envText =
      [
        '# Credentials for confluence-sync. Keep this file private (mode 600); never commit it.',
        '# Cloud: your Atlassian e-mail and an API token (https://id.atlassian.com/manage-profile/security/api-tokens).',
        '# Data Center: a personal access token in CONFLUENCE_PAT instead.',
        dotenvLine('CONFLUENCE_EMAIL', isPat ? undefined : answers.email),
        dotenvLine('CONFLUENCE_API_TOKEN', isPat ? undefined : answers.token),
        `${isPat ? '' : '# '}${dotenvLine('CONFLUENCE_PAT', isPat ? answers.token : undefined)}`,
      ].join('\n') + '\n';

    // Validate what we are about to write, before writing anything: a bad URL or space key writes nothing.
    loadConfig({ workspace, env: {}, fileContent: fileConfig });

    for (const d of WORKSPACE_DIRS) mkdirSync(resolve(workspace, d), { recursive: true });
    await writeFileAtomic(paths.configFile, configText, { mode: 0o644 });
    await writeFileAtomic(paths.dotenv, envText, { mode: 0o600 });
    const gitignore = resolve(workspace, '.gitignore');
    const ignoreLines = ['.env', 'cache/', 'logs/'];
    const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
    const missing = ignoreLines.filter((l) => !current.split('\n').includes(l));
    if (missing.length) await writeFileAtomic(gitignore, current + (current && !current.endsWith('\n') ? '\n' : '') + missing.join('\n') + '\n');

    // A URL without /wiki on a host that is not *.atlassian.net is read as Data Center: say so now, not as a 404 later.
    let site: ReturnType<typeof resolveSiteUrls> | undefined;
    try {
      site = answers.url ? resolveSiteUrls(answers.url, true) : undefined;
    } catch {
      site = undefined; // doctor reports a URL it cannot use
    }
    const note =
      site?.flavour === 'data-center'
        ? [`  note:        ${site.origin}${site.contextPath} is taken for Confluence Data Center (the URL does not end in /wiki); if it is Confluence Cloud on its own domain, set site.url to ${site.origin}${site.contextPath}/wiki`]
        : [];
    out.result(
      () =>
        [
          `Initialised workspace ${workspace}`,
          ...note,
          `  config:      ${paths.configFile}`,
          `  credentials: ${paths.dotenv} (mode 600)${answers.token ? '' : ' — fill in your token'}`,
          `  folders:     ${WORKSPACE_DIRS.join(', ')}`,
          '',
          'Next: csync doctor   (checks the connection), then csync pull',
        ].join('\n'),
      { ok: true, workspace, configFile: paths.configFile, envFile: paths.dotenv, folders: [...WORKSPACE_DIRS], siteFlavour: site?.flavour ?? null },
    );
  },
};
