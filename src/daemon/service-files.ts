/**
 * Where the systemd user unit lives and what installing, removing and inspecting it does on disk. The CLI command
 * (src/cli/commands/service.ts) only formats; the decisions (refuse, overwrite, unchanged) are here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import writeFileAtomic from 'write-file-atomic';
import { CsyncError } from '../core/errors.js';
import { unitWorkspace, UNIT_NAME, type UnitOptions } from './unit.js';

export const SERVICE = 'confluence-sync';
export const ENABLE_COMMAND = `systemctl --user daemon-reload && systemctl --user enable --now ${SERVICE}`;
export const STOP_COMMAND = `systemctl --user stop ${SERVICE} && systemctl --user daemon-reload`;

/** ~/.config/systemd/user, honouring XDG_CONFIG_HOME; CSYNC_TEST_SYSTEMD_DIR overrides it (tests). */
export function userUnitDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CSYNC_TEST_SYSTEMD_DIR) return resolve(env.CSYNC_TEST_SYSTEMD_DIR);
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config');
  return join(base, 'systemd', 'user');
}

/**
 * How systemd should start this csync: node + the built CLI. From a development checkout running the TypeScript
 * source, the built dist/ entry is used when present, else tsx is loaded by absolute URL (the unit's working
 * directory is the workspace, where a bare "tsx" would not resolve).
 */
export function cliCommand(entry = process.argv[1] ?? ''): Pick<UnitOptions, 'execPath' | 'cliPath' | 'nodeArgs'> {
  let cliPath = entry ? realpathSync(entry) : fileURLToPath(new URL('../cli/main.js', import.meta.url));
  if (cliPath.endsWith('.ts')) {
    const built = join(dirname(dirname(dirname(cliPath))), 'dist', 'cli', 'main.js');
    if (existsSync(built)) cliPath = built;
    else return { execPath: process.execPath, cliPath, nodeArgs: ['--import', import.meta.resolve('tsx')] };
  }
  return { execPath: process.execPath, cliPath };
}

export interface InstallResult {
  unitFile: string;
  workspace: string;
  /** false when the same unit was already there. */
  changed: boolean;
  /** The workspace of the unit that was replaced (with --force), if any. */
  replaced: string | null;
}

export function readUnit(unitFile: string): string | undefined {
  try {
    return readFileSync(unitFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CsyncError('CSYNC_IO', `cannot read ${unitFile}: ${(err as Error).message}`, { cause: err });
  }
}

function describeExisting(text: string): string {
  const ws = unitWorkspace(text);
  return ws ? `for workspace ${ws}` : 'not written by csync';
}

export async function installUnit(options: { dir: string; text: string; workspace: string; force: boolean }): Promise<InstallResult> {
  const unitFile = join(options.dir, UNIT_NAME);
  const existing = readUnit(unitFile);
  if (existing === options.text) return { unitFile, workspace: options.workspace, changed: false, replaced: null };
  if (existing !== undefined && !options.force) {
    throw new CsyncError('CSYNC_WORKSPACE', `a different ${UNIT_NAME} is already installed (${describeExisting(existing)}): ${unitFile}`, {
      hint: 'one csync service per user: use --force to replace it, or `csync service uninstall` in its workspace first',
    });
  }
  mkdirSync(options.dir, { recursive: true });
  await writeFileAtomic(unitFile, options.text, { mode: 0o644 });
  return { unitFile, workspace: options.workspace, changed: true, replaced: existing === undefined ? null : (unitWorkspace(existing) ?? 'unknown') };
}

/** The link `systemctl --user enable` makes; removing it is what `disable` does. */
function wantsLink(dir: string): string {
  return join(dir, 'default.target.wants', UNIT_NAME);
}

export interface UninstallResult {
  unitFile: string;
  removed: boolean;
  /** The workspace the removed unit was for. */
  workspace: string | null;
  enableLinkRemoved: boolean;
}

export function uninstallUnit(options: { dir: string; workspace: string; force: boolean }): UninstallResult {
  const unitFile = join(options.dir, UNIT_NAME);
  const existing = readUnit(unitFile);
  if (existing === undefined) return { unitFile, removed: false, workspace: null, enableLinkRemoved: false };
  const ws = unitWorkspace(existing);
  if (!options.force && ws !== options.workspace) {
    throw new CsyncError('CSYNC_WORKSPACE', `the installed ${UNIT_NAME} is ${describeExisting(existing)}, not ${options.workspace}`, {
      hint: 'run uninstall from that workspace, or pass --force to remove it anyway',
    });
  }
  unlinkSync(unitFile);
  let enableLinkRemoved = false;
  const link = wantsLink(options.dir);
  try {
    if (lstatSync(link).isSymbolicLink()) {
      unlinkSync(link);
      enableLinkRemoved = true;
    }
  } catch {
    // not enabled: nothing to remove
  }
  return { unitFile, removed: true, workspace: ws ?? null, enableLinkRemoved };
}

export interface ServiceStatus {
  unitFile: string;
  installed: boolean;
  /** Written by csync (has our marker). */
  ours: boolean;
  workspace: string | null;
  /** The unit is for the workspace asked about. */
  thisWorkspace: boolean;
  enabled: boolean;
  /** `systemctl --user is-active`: active, inactive, failed…; null when systemctl is absent or has no user manager. */
  active: string | null;
}

/** Asks the user manager, tolerating its absence (containers, CI, SSH sessions without a user bus). */
export function isActive(run: typeof spawnSync = spawnSync): string | null {
  const r = run('systemctl', ['--user', 'is-active', SERVICE], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return null;
  const word = String(r.stdout ?? '').trim().split('\n')[0] ?? '';
  return /^[a-z-]+$/.test(word) ? word : null;
}

export function serviceStatus(options: { dir: string; workspace: string; active?: () => string | null }): ServiceStatus {
  const unitFile = join(options.dir, UNIT_NAME);
  const existing = readUnit(unitFile);
  const ws = existing === undefined ? null : (unitWorkspace(existing) ?? null);
  let enabled = false;
  try {
    enabled = lstatSync(wantsLink(options.dir)).isSymbolicLink();
  } catch {
    enabled = false;
  }
  return {
    unitFile,
    installed: existing !== undefined,
    ours: ws !== null,
    workspace: ws,
    thisWorkspace: ws === options.workspace,
    enabled,
    active: existing === undefined ? null : (options.active ?? isActive)(),
  };
}

