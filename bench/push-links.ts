/**
 * `push-conversions`: the CPU one `csync push` of 300 edited pages spends (user + system seconds of the CLI process,
 * /usr/bin/time), median of 3 runs, each against a fresh emulator (bench seed) pulled first. The push converts each
 * edited file and its base to storage to plan (refine.ts) and again to send (edit.ts); the base's and the file's
 * conversion are now made once and reused.
 * `markdown-parsers`: Markdown parse throughput (MB per CPU-second, median of 5) on the Markdown of the Cloud-style
 * corpus (test/format/cloud-corpus.ts, 150 pages of ~4 KB storage, converted to Markdown): remark-parse + remark-gfm
 * as the converter runs it, against markdown-it (not a dependency: set CSYNC_BENCH_MARKDOWN_IT to an installed
 * markdown-it package directory, e.g. after `npm install markdown-it` in a scratch folder; skipped without it).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { loadFormat } from '../src/format/index.js';
import { parseMarkdown, parseMarkdownRemark } from '../src/format/markdown/processors.js';
import { cloudCorpus } from '../test/format/cloud-corpus.js';
import { cliArgs } from '../test/helpers/cli.js';

function timed(ws: string, emu: Emulator, args: string[]): Promise<{ code: number | null; cpuSeconds: number; stderr: string }> {
  const env = { ...process.env, CONFLUENCE_URL: emu.url, CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_RATE_BURST: '1000' };
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, ...cliArgs(), ...args, '-w', ws, '--no-progress'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      resolve({ code, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : NaN, stderr });
    });
  });
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function cpuSecondsOf(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1e6;
}

export const scenarios = {
  'push-conversions': async () => {
    const pages = 300;
    const cpu: number[] = [];
    for (let round = 0; round < 3; round++) {
      const emu = await startEmulator({ seed: pages, port: 0 });
      const ws = mkdtempSync(join(tmpdir(), 'csync-bench-'));
      try {
        mkdirSync(join(ws, 'config'));
        writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['BENCH'] }));
        const pull = await timed(ws, emu, ['pull']);
        if (pull.code !== 0) throw new Error(`pull exited ${pull.code}: ${pull.stderr.slice(-500)}`);
        for (const f of files(join(ws, 'content')).filter((x) => x.endsWith('.md'))) appendFileSync(f, '\nEdited by the push-conversions benchmark.\n');
        const push = await timed(ws, emu, ['push']);
        if (push.code !== 0) throw new Error(`push exited ${push.code}: ${push.stderr.slice(-500)}`);
        cpu.push(push.cpuSeconds);
      } finally {
        await emu.close();
        rmSync(ws, { recursive: true, force: true });
      }
    }
    return { pages, pushCpuSeconds: Number(median(cpu).toFixed(2)), runs: cpu.map((c) => c.toFixed(2)).join(' ') };
  },
  'markdown-parsers': async () => {
    const md = await loadFormat('markdown');
    const docs = cloudCorpus(150).map((s) => md.toLocal(s, { spaceKey: 'BENCH', title: 'Page' }).text);
    const mb = docs.reduce((n, d) => n + Buffer.byteLength(d), 0) / 1e6;
    const rate = (parse: (s: string) => unknown) => {
      for (const d of docs) parse(d); // warm up
      return median(Array.from({ length: 5 }, () => mb / cpuSecondsOf(() => docs.forEach((d) => parse(d)))));
    };
    const out: Record<string, number | string> = { corpusMB: Number(mb.toFixed(3)), remarkGfmMBps: Number(rate(parseMarkdownRemark).toFixed(2)), converterMBps: Number(rate(parseMarkdown).toFixed(2)) };
    const dir = process.env.CSYNC_BENCH_MARKDOWN_IT;
    if (dir) {
      type MarkdownIt = { parse(src: string, env: object): unknown; enable(rules: string[]): MarkdownIt };
      const MarkdownItCtor = createRequire(join(dir, 'package.json'))(dir) as new (preset: string) => MarkdownIt;
      // CommonMark plus the GFM tables and strikethrough the converter reads.
      const it = new MarkdownItCtor('commonmark').enable(['table', 'strikethrough']);
      out.markdownItMBps = Number(rate((s) => it.parse(s, {})).toFixed(2));
      out.ratio = Number(((out.markdownItMBps as number) / (out.remarkGfmMBps as number)).toFixed(1));
    } else out.markdownIt = 'skipped (CSYNC_BENCH_MARKDOWN_IT unset)';
    return out;
  },
};
