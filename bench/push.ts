/**
 * Push benchmark: 1,000 locally edited pages pushed by the real CLI (test/helpers/cli.ts: tsx source, or dist/ with
 * CSYNC_TEST_CLI=dist) in a child process against the emulator on 127.0.0.1. Goal: ≤ 1,050 requests when no one else
 * edits (one PUT per page, no GET first).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { cliArgs } from '../test/helpers/cli.js';

function run(ws: string, emu: Emulator, args: string[]): Promise<{ code: number | null; wallMs: number; stderr: string }> {
  const env = { ...process.env, CONFLUENCE_URL: emu.url, CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_RATE_BURST: '1000', CSYNC_CONCURRENCY_PAGES: '8' };
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliArgs(), ...args, '-w', ws, '--no-progress'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, stderr }));
  });
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

export const scenarios = {
  'push-1000-edits': async () => {
    const pages = 1000;
    const emu = await startEmulator({ seed: pages, port: 0 });
    const ws = mkdtempSync(join(tmpdir(), 'csync-bench-'));
    try {
      mkdirSync(join(ws, 'config'));
      writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['BENCH'] }));
      const pull = await run(ws, emu, ['pull']);
      if (pull.code !== 0) throw new Error(`pull exited ${pull.code}: ${pull.stderr.slice(-500)}`);
      const all = files(join(ws, 'content')).filter((f) => f.endsWith('.md')).slice(0, pages);
      for (const f of all) appendFileSync(f, '\nEdited by the push benchmark.\n');
      emu.resetLog();
      const r = await run(ws, emu, ['push']);
      if (r.code !== 0) throw new Error(`push exited ${r.code}: ${r.stderr.slice(-500)}`);
      const requests = emu.requestLog().length;
      return { pages: all.length, requests, goal: 1050, withinGoal: requests <= 1050, wallMs: Math.round(r.wallMs), endpoints: JSON.stringify(emu.requestCounts()) };
    } finally {
      await emu.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await scenarios['push-1000-edits']());
}
