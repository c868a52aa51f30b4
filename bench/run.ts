/**
 * Benchmark harness: `npm run bench [scenario...]`.
 * Every bench/*.ts module (other than this file) exports `scenarios`: named async functions that each return a
 * flat record of metrics. The harness runs the chosen ones (all when none is named) one after the other, adds wall
 * time and the process's peak RSS, prints them, and appends a section to BENCHMARKS.md with the command, commit,
 * date and machine. Scenarios talk only to servers they start on 127.0.0.1.
 *   npm run bench -- --list            list scenarios
 *   npm run bench -- --no-write NAME   run without touching BENCHMARKS.md
 */
import { execSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Metrics = Record<string, number | string | boolean>;
export type Scenario = () => Promise<Metrics>;

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, '..');
const OUT = join(ROOT, 'BENCHMARKS.md');

async function discover(): Promise<Map<string, { file: string; run: Scenario }>> {
  const found = new Map<string, { file: string; run: Scenario }>();
  for (const name of readdirSync(BENCH_DIR).sort()) {
    if (!name.endsWith('.ts') || name === 'run.ts' || name.endsWith('.d.ts') || name.startsWith('_')) continue;
    const mod = (await import(pathToFileURL(join(BENCH_DIR, name)).href)) as { scenarios?: Record<string, Scenario> };
    for (const [id, run] of Object.entries(mod.scenarios ?? {})) found.set(id, { file: `bench/${name}`, run });
  }
  return found;
}

function sh(cmd: string): string {
  try {
    return execSync(cmd, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown cpu'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

function formatValue(v: number | string | boolean): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1);
  return String(v);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const write = !args.includes('--no-write');
  const names = args.filter((a) => !a.startsWith('--'));
  const all = await discover();
  if (args.includes('--list')) {
    for (const [id, s] of all) console.log(`${id.padEnd(28)} ${s.file}`);
    return;
  }
  const unknown = names.filter((n) => !all.has(n));
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; available: ${[...all.keys()].join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const chosen = names.length ? names : [...all.keys()];
  const commit = sh('git rev-parse --short HEAD') + (sh('git status --porcelain') ? ' (+ uncommitted changes)' : '');
  const date = new Date().toISOString();
  const command = `npm run bench${names.length ? ` -- ${names.join(' ')}` : ''}`;
  const sections: string[] = [];
  let failed = 0;
  for (const id of chosen) {
    const s = all.get(id)!;
    console.log(`\n▶ ${id} (${s.file})`);
    const start = process.hrtime.bigint();
    let metrics: Metrics;
    try {
      metrics = await s.run();
    } catch (err) {
      failed++;
      metrics = { error: String((err as Error)?.message ?? err).split('\n')[0]! };
    }
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const rows: Metrics = { ...metrics, harnessWallMs: Math.round(wallMs), harnessPeakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
    for (const [k, v] of Object.entries(rows)) console.log(`  ${k.padEnd(30)} ${formatValue(v)}`);
    sections.push(
      [`### ${id}`, '', `| metric | value |`, `|---|---|`, ...Object.entries(rows).map(([k, v]) => `| ${k} | ${formatValue(v)} |`), ''].join('\n'),
    );
  }
  if (write) {
    if (!existsSync(OUT)) writeFileSync(OUT, '# Benchmarks\n\nAppended by `npm run bench`; newest last. Figures are medians where a scenario repeats, from one run on a shared machine.\n');
    appendFileSync(
      OUT,
      `\n## ${date.slice(0, 16).replace('T', ' ')} UTC — ${chosen.join(', ')}\n\n- command: \`${command}\`\n- commit: ${commit}\n- machine: ${machine()}\n\n${sections.join('\n')}`,
    );
    console.log(`\nresults appended to BENCHMARKS.md`);
  }
  if (failed) process.exitCode = 1;
}

await main();
