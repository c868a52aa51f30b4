/**
 * push-huge-page: one new page file of 5 MB and one of 50 MB, each pushed by the real CLI (a child process) against
 * the emulator on 127.0.0.1; peak RSS of the push (GNU time) and its wall time. The 50 MB file is over the default
 * sync.maxPageBytes (5 MiB): it is refused before it is read (exit 10), which is what bounds its cost. The Markdown is
 * paragraphs of 20 lines.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { cliArgs } from '../test/helpers/cli.js';

function run(ws: string, emu: Emulator, args: string[]): Promise<{ code: number | null; wallMs: number; peakRssMB: number; stderr: string }> {
  const env = { ...process.env, CONFLUENCE_URL: emu.url, CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_RATE_BURST: '1000' };
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, ...cliArgs(), ...args, '-w', ws, '--no-progress'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const kb = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ code, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, peakRssMB: Math.round(kb / 1024), stderr });
    });
  });
}

function markdown(bytes: number): string {
  const line = 'A line of a very large page, with some words to make it look like prose in a paragraph.\n';
  const para = line.repeat(20) + '\n';
  return '---\ntitle: Huge\n---\n' + para.repeat(Math.ceil(bytes / para.length));
}

async function pushHuge(mb: number): Promise<Record<string, number | string>> {
  const emu = await startEmulator({ seed: 'demo', port: 0 });
  const ws = mkdtempSync(join(tmpdir(), 'csync-bench-'));
  try {
    mkdirSync(join(ws, 'config'));
    writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['DEMO'] }));
    const pull = await run(ws, emu, ['pull']);
    if (pull.code !== 0) throw new Error(`pull exited ${pull.code}: ${pull.stderr.slice(-500)}`);
    const text = markdown(mb * 1e6);
    writeFileSync(join(ws, 'content', 'DEMO', 'Demo space home', 'Huge.md'), text);
    const r = await run(ws, emu, ['push']);
    const created = emu.api.pageByTitle('DEMO', 'Huge');
    return { fileMB: Math.round(text.length / 1e5) / 10, exit: r.code ?? -1, created: created ? 1 : 0, pushWallMs: Math.round(r.wallMs), pushPeakRssMB: r.peakRssMB, rssPerFileByte: Math.round((r.peakRssMB * 1e6) / text.length * 10) / 10 };
  } finally {
    await emu.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

export const scenarios = {
  'push-huge-page': async () => {
    const five = await pushHuge(5);
    const fifty = await pushHuge(50);
    const out: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(five)) out[`5MB.${k}`] = v;
    for (const [k, v] of Object.entries(fifty)) out[`50MB.${k}`] = v;
    return out;
  },
};
