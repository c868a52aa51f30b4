/**
 * Push benchmarks. push-1000-edits: 1,000 locally edited pages pushed by the real CLI (test/helpers/cli.ts: tsx source, or dist/ with
 * CSYNC_TEST_CLI=dist) in a child process against the emulator on 127.0.0.1. Goal: ≤ 1,050 requests when no one else
 * edits (one PUT per page, no GET first).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { attachmentDir } from '../src/engine/resolver.js';
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
  /**
   * Attachment push: 1,000 new 16 KiB files on 200 pages, then 200 of them changed, then a no-op push. Requests per
   * file (one listing per page touched, one upload per file) and the no-op's requests (goal 0) and time.
   */
  'push-attachments-1000': async () => {
    const emu = await startEmulator({ seed: 200, port: 0 });
    const ws = mkdtempSync(join(tmpdir(), 'csync-bench-'));
    try {
      mkdirSync(join(ws, 'config'));
      writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['BENCH'] }));
      const pull = await run(ws, emu, ['pull']);
      if (pull.code !== 0) throw new Error(`pull exited ${pull.code}: ${pull.stderr.slice(-500)}`);
      const pages = files(join(ws, 'content')).filter((f) => f.endsWith('.md')).slice(0, 200);
      const added: string[] = [];
      for (const page of pages) {
        const dir = join(ws, attachmentDir(relative(ws, page)));
        mkdirSync(dir, { recursive: true });
        for (let i = 0; i < 5; i++) {
          const f = join(dir, `file-${i}.bin`);
          writeFileSync(f, randomBytes(16 * 1024));
          added.push(f);
        }
      }
      emu.resetLog();
      const up = await run(ws, emu, ['push']);
      if (up.code !== 0) throw new Error(`push exited ${up.code}: ${up.stderr.slice(-500)}`);
      const uploadRequests = emu.requestLog().length;
      for (const f of added.filter((_, i) => i % 5 === 0)) writeFileSync(f, randomBytes(16 * 1024));
      emu.resetLog();
      const changed = await run(ws, emu, ['push']);
      if (changed.code !== 0) throw new Error(`push exited ${changed.code}: ${changed.stderr.slice(-500)}`);
      const versionRequests = emu.requestLog().length;
      emu.resetLog();
      const noop = await run(ws, emu, ['push']);
      if (noop.code !== 0) throw new Error(`push exited ${noop.code}: ${noop.stderr.slice(-500)}`);
      return {
        files: added.length,
        pages: pages.length,
        uploadRequests,
        uploadWallMs: Math.round(up.wallMs),
        changedFiles: added.length / 5,
        newVersionRequests: versionRequests,
        newVersionWallMs: Math.round(changed.wallMs),
        noopRequests: emu.requestLog().length,
        noopWallMs: Math.round(noop.wallMs),
      };
    } finally {
      await emu.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await scenarios['push-1000-edits']());
}
