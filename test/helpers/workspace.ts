/** A workspace wired to an in-process emulator, driven through the real CLI. */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { runCli, tempDir, type CliResult } from './cli.js';

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
  const files = (sub = 'content'): string[] => {
    const root = join(t.dir, sub);
    const out: string[] = [];
    const walk = (d: string) => {
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const n of names) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else out.push(relative(t.dir, p).split('\\').join('/'));
      }
    };
    walk(root);
    return out.sort();
  };
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
