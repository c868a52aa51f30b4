/**
 * push-huge-page: one new page file of 5 MB and one of 50 MB, each pushed by the real CLI (a child process) against
 * the emulator on 127.0.0.1; peak RSS of the push (GNU time) and its wall time. The 50 MB file is over the default
 * sync.maxPageBytes (5 MiB): it is refused before it is read (exit 10), which is what bounds its cost. The Markdown is
 * paragraphs of 20 lines (`5MB`), or one long tight list of short items (`list4MB`: its storage stays under the
 * emulator's 5 MiB body limit; the shape that cost ~1000× its
 * size when tokenized whole). Then an edit of the 5 MB page pushed (local and base both converted: `edit5MB`), and a
 * pull of a 5 MB page edited on the server (storage → Markdown: `pull5MB`). `baselineRssMB` is a push with nothing to
 * do: the cost of the CLI itself, which the per-page figures are over.
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

function listMarkdown(bytes: number): string {
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const item = `- item ${i} of a long list\n`;
    items.push(item);
    size += item.length;
  }
  return '---\ntitle: Huge list\n---\n' + items.join('');
}

const mb = (r: { peakRssMB: number }, base: number, bytes: number) => Math.round(((r.peakRssMB - base) * 1e6) / bytes * 10) / 10;

/** 5 MB prose and list pages: create, edit, pull; peak RSS over the CLI's own baseline. */
async function fiveMB(): Promise<Record<string, number | string>> {
  const emu = await startEmulator({ seed: 'demo', port: 0 });
  const ws = mkdtempSync(join(tmpdir(), 'csync-bench-'));
  const out: Record<string, number | string> = {};
  try {
    mkdirSync(join(ws, 'config'));
    writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['DEMO'] }));
    const pull = await run(ws, emu, ['pull']);
    if (pull.code !== 0) throw new Error(`pull exited ${pull.code}: ${pull.stderr.slice(-500)}`);
    const idle = await run(ws, emu, ['push']);
    const base = idle.peakRssMB;
    out.baselineRssMB = base;
    const home = join(ws, 'content', 'DEMO', 'Demo space home');
    for (const [name, text] of [['5MB', markdown(5e6).replace('title: Huge', 'title: 5MB')], ['list4MB', listMarkdown(4e6).replace('title: Huge list', 'title: list4MB')]] as const) {
      writeFileSync(join(home, `${name}.md`), text);
      const r = await run(ws, emu, ['push']);
      out[`${name}.exit`] = r.code ?? -1;
      out[`${name}.pushWallMs`] = Math.round(r.wallMs);
      out[`${name}.pushPeakRssMB`] = r.peakRssMB;
      out[`${name}.overBaselinePerFileByte`] = mb(r, base, text.length);
      // Not pushed (refused): out of the way of the edit measured next.
      if (r.code !== 0) rmSync(join(home, `${name}.md`));
    }
    // An edit: the pulled file (with its id) gets a line more; push converts it and its base.
    const file = join(home, '5MB.md');
    const pulled = await run(ws, emu, ['pull']);
    if (pulled.code !== 0) throw new Error(`pull exited ${pulled.code}`);
    const { readFileSync } = await import('node:fs');
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, before + '\nOne more paragraph.\n');
    const edit = await run(ws, emu, ['push']);
    out['edit5MB.exit'] = edit.code ?? -1;
    out['edit5MB.pushWallMs'] = Math.round(edit.wallMs);
    out['edit5MB.pushPeakRssMB'] = edit.peakRssMB;
    out['edit5MB.overBaselinePerFileByte'] = mb(edit, base, before.length);
    // A web edit of the 5 MB page, pulled: storage → Markdown.
    const page = emu.api.pageByTitle('DEMO', '5MB');
    if (!page) throw new Error('5MB page not created');
    const storage = emu.api.body(page.id);
    emu.api.editPage(page.id, { body: storage + '<p>Edited on the web.</p>' });
    const p = await run(ws, emu, ['pull']);
    out['pull5MB.exit'] = p.code ?? -1;
    out['pull5MB.storageMB'] = Math.round(storage.length / 1e5) / 10;
    out['pull5MB.pullWallMs'] = Math.round(p.wallMs);
    out['pull5MB.pullPeakRssMB'] = p.peakRssMB;
    out['pull5MB.overBaselinePerStorageByte'] = mb(p, base, storage.length);
    out['pull5MB.fileHasEdit'] = readFileSync(file, 'utf8').includes('Edited on the web.') ? 1 : 0;
    return out;
  } finally {
    await emu.close();
    rmSync(ws, { recursive: true, force: true });
  }
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
    const out: Record<string, number | string> = await fiveMB();
    const fifty = await pushHuge(50);
    for (const [k, v] of Object.entries(fifty)) out[`50MB.${k}`] = v;
    return out;
  },
};
