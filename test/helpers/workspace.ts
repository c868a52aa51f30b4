/** A workspace wired to an in-process emulator, driven through the real CLI. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { parseFile } from '../../src/format/front-matter.js';
import { runCli, tempDir, type CliResult } from './cli.js';
import { listFiles } from './files.js';

export interface TestWorkspace {
  dir: string;
  emu: Emulator;
  csync(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  files(sub?: string): string[];
  close(): Promise<void>;
}

export async function workspaceWithEmulator(options: EmulatorOptions & { spaces?: string[]; config?: Record<string, unknown> } = {}): Promise<TestWorkspace> {
  const emu = await startEmulator(options);
  const t = tempDir('csync-ws-');
  mkdirSync(join(t.dir, 'config'), { recursive: true });
  writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: emu.url }, spaces: options.spaces ?? ['DEMO'], ...options.config }));
  const env = { CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
  const files = (sub = 'content'): string[] => listFiles(join(t.dir, sub)).map((p) => relative(t.dir, p).split('\\').join('/'));

  return {
    dir: t.dir,
    emu,
    csync: (args, extraEnv) => runCli(['-w', t.dir, '--no-progress', ...args], { env: { ...env, ...extraEnv } }),
    files,
    close: async () => {
      await emu.close();
      t.cleanup();
    },
  };
}

/**
 * Runs `body` on a fresh workspace wired to a fresh emulator (the demo seed unless told), and closes both however it
 * ends.
 */
export async function withWorkspace(body: (ws: TestWorkspace) => Promise<void>, options: Parameters<typeof workspaceWithEmulator>[0] = { seed: 'demo' }): Promise<void> {
  const ws = await workspaceWithEmulator(options);
  try {
    await body(ws);
  } finally {
    await ws.close();
  }
}

/** withWorkspace after a first `csync pull`, which must succeed. */
export async function withPulledWorkspace(body: (ws: TestWorkspace) => Promise<void>, options: Parameters<typeof workspaceWithEmulator>[0] = { seed: 'demo' }): Promise<void> {
  await withWorkspace(async (ws) => {
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    await body(ws);
  }, options);
}

/** The conflict copies among `files` (workspace paths). */
export function conflictCopies(files: readonly string[]): string[] {
  return files.filter((f) => f.includes('.conflict-'));
}

/** The workspace-relative file of the page with this title (by its front matter). */
export function fileOf(ws: TestWorkspace, title: string): string {
  const f = ws.files('content').find((p) => parseFile(readFileSync(join(ws.dir, p), 'utf8')).meta.title === title);
  assert.ok(f, `a file for ${title}`);
  return f;
}

/** The write requests the emulator served since its log was last reset: "METHOD route". */
export function writes(ws: TestWorkspace): string[] {
  return ws.emu.requestLog().map((r) => `${r.method} ${r.route}`).filter((r) => /^(PUT|POST|DELETE) /.test(r));
}

/**
 * What a pull stopped right after moving a page's file aside leaves behind: the file at cache/moving/<id>.md and
 * nothing at its path. Returns the page's path, its text, id and the absolute path of the copy set aside.
 */
export function leaveAside(ws: TestWorkspace, title: string): { rel: string; original: string; id: string; aside: string } {
  const rel = fileOf(ws, title);
  const original = readFileSync(join(ws.dir, rel), 'utf8');
  const id = String(parseFile(original).meta.id);
  const aside = join(ws.dir, 'cache', 'moving', `${id}.md`);
  mkdirSync(join(ws.dir, 'cache', 'moving'), { recursive: true });
  renameSync(join(ws.dir, rel), aside);
  return { rel, original, id, aside };
}

/**
 * A user's first steps in folder `ws`: `csync init` against the emulator (token on stdin, space DEMO), then a first
 * `csync pull`, both required to succeed. Unlike workspaceWithEmulator, nothing overrides the profile or the pace:
 * for tests of the pacing a user gets by default.
 */
export async function initAndPull(ws: string, emu: Emulator): Promise<void> {
  const init = await runCli(['init', '-w', ws, '--url', emu.url, '--email', emu.credentials.email, '--space', 'DEMO', '--token-stdin'], { input: `${emu.credentials.token}\n`, timeoutMs: 120_000 });
  assert.equal(init.code, 0, init.stderr);
  const pull = await runCli(['pull', '-w', ws, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(pull.code, 0, pull.stderr);
}
