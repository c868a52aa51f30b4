/**
 * `peers`: csync side by side with the Markdown → Confluence publishing tools people use, each publishing the same
 * generated corpus to the emulator on 127.0.0.1 with realistic latency (150 ms) and a rate limit (10 req/s).
 * The peers are installed at pinned versions into bench/.peers (ignored; never the project's dependencies) on first
 * use; where the registry cannot be reached the scenario says so and measures csync alone. Each tool talks to the
 * emulator unchanged (no proxy or shim): it is given the emulator's URL and the demo credentials like a real site.
 * Per tool: first a publish with latency but no rate limit (does it publish the corpus, do v1, v2 and ADF read it
 * back alike), then with the limit: publish (wall time, requests by method, page versions written, 429s, failures),
 * correctness (every page present, links between pages resolved, no blank or duplicate pages), a no-op rerun and a
 * 10-page edit.
 *   CSYNC_BENCH_PEERS_PAGES=20 (default) sets the corpus size.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { cleanEnv, cliArgs } from '../test/helpers/cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PEER_DIR = join(ROOT, 'bench', '.peers');
export const PEERS: Record<string, string> = { '@markdown-confluence/cli': '5.5.2', 'confluence-site': '4.0.1', md2confluence: '1.0.5' };
const PAGES = Math.max(10, Number(process.env.CSYNC_BENCH_PEERS_PAGES ?? 20));
const EDITS = 10;
const PARENT = 'Corpus home';

type Tool = 'csync' | 'markdown-confluence' | 'confluence-site' | 'md2confluence';
const title = (i: number) => `Guide ${String(i).padStart(2, '0')}`;
const slug = (i: number) => `guide-${String(i).padStart(2, '0')}.md`;

/** Page i's Markdown: headings, lists, a table, code, links to its neighbours (`link` names the target file). */
function pageMarkdown(i: number, link: (j: number) => string, edit = ''): string {
  const next = (i % PAGES) + 1;
  const prev = ((i + PAGES - 2) % PAGES) + 1;
  return [
    `## Overview of ${title(i)}`,
    '',
    `This page has **bold**, _italic_ and \`inline code\`. ${edit}`.trim(),
    '',
    '- first item',
    '- second item',
    '',
    '1. step one',
    '2. step two',
    '',
    '| Key | Value |',
    '| --- | --- |',
    `| page | ${i} |`,
    '',
    '```js',
    `const page = ${i};`,
    '```',
    '',
    `See [${title(next)}](${link(next)}) and [${title(prev)}](${link(prev)}).`,
    '',
  ].join('\n');
}

function ensurePeers(): string | undefined {
  const have = Object.entries(PEERS).every(([name, v]) => {
    const f = join(PEER_DIR, 'node_modules', name, 'package.json');
    return existsSync(f) && (JSON.parse(readFileSync(f, 'utf8')) as { version: string }).version === v;
  });
  if (have) return undefined;
  mkdirSync(PEER_DIR, { recursive: true });
  writeFileSync(join(PEER_DIR, 'package.json'), '{ "name": "csync-bench-peers", "private": true }\n');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...Object.entries(PEERS).map(([n, v]) => `${n}@${v}`)], { cwd: PEER_DIR, encoding: 'utf8', timeout: 600_000 });
  return r.status === 0 ? undefined : `peers not installed (npm exit ${r.status}): ${(r.stderr || '').trim().split('\n').pop() ?? ''}`;
}

function run(cmd: string[], cwd: string, env: Record<string, string>, input = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cmd, { cwd, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    child.stdin.end(input);
  });
}

interface Runner {
  /** Prepares the tool's folder (corpus, config); returns the publish step. */
  setup(emu: Emulator, dir: string): Promise<() => Promise<{ code: number | null; out: string }>>;
  /** Appends `line` to the first EDITS pages' sources. */
  edit(dir: string, line: string): void;
}

const peerBin = (rel: string) => join(PEER_DIR, 'node_modules', rel);

const RUNNERS: Record<Tool, Runner> = {
  csync: {
    async setup(emu, dir) {
      const env = {};
      const init = await run([...cliArgs(), 'init', '-w', dir, '--url', emu.url, '--email', emu.credentials.email, '--space', 'DEMO', '--token-stdin'], ROOT, env, `${emu.credentials.token}\n`);
      if (init.code !== 0) throw new Error(`csync init failed: ${init.out}`);
      const pull = await run([...cliArgs(), 'pull', '-w', dir], ROOT, env);
      if (pull.code !== 0) throw new Error(`csync pull failed: ${pull.out}`);
      const folder = join(dir, 'content', 'DEMO', 'Demo space home', PARENT);
      mkdirSync(folder, { recursive: true });
      for (let i = 1; i <= PAGES; i++) writeFileSync(join(folder, `${title(i)}.md`), pageMarkdown(i, (j) => `${encodeURIComponent(title(j))}.md`));
      return () => run([...cliArgs(), 'push', '-w', dir, '--no-progress'], ROOT, env);
    },
    edit(dir, line) {
      const folder = join(dir, 'content', 'DEMO', 'Demo space home', PARENT);
      for (let i = 1; i <= EDITS; i++) writeFileSync(join(folder, `${title(i)}.md`), `${readFileSync(join(folder, `${title(i)}.md`), 'utf8')}\n${line}\n`);
    },
  },
  'markdown-confluence': {
    async setup(emu, dir) {
      const parent = emu.api.pageByTitle('DEMO', PARENT)!;
      mkdirSync(join(dir, 'docs'));
      writeFileSync(join(dir, '.markdown-confluence.json'), JSON.stringify({ confluenceBaseUrl: emu.origin, confluenceParentId: parent.id, atlassianUserName: emu.credentials.email, folderToPublish: 'docs' }));
      for (let i = 1; i <= PAGES; i++) writeFileSync(join(dir, 'docs', slug(i)), `---\nconnie-publish: true\nconnie-title: ${title(i)}\n---\n${pageMarkdown(i, (j) => `./${slug(j)}`)}`);
      return () => run([peerBin('@markdown-confluence/cli/dist/index.js')], dir, { ATLASSIAN_API_TOKEN: emu.credentials.token, HOME: dir });
    },
    edit(dir, line) {
      for (let i = 1; i <= EDITS; i++) writeFileSync(join(dir, 'docs', slug(i)), `${readFileSync(join(dir, 'docs', slug(i)), 'utf8')}\n${line}\n`);
    },
  },
  'confluence-site': {
    async setup(emu, dir) {
      mkdirSync(join(dir, 'site'));
      mkdirSync(join(dir, 'home'));
      const u = new URL(emu.url);
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ emu: { path: '/wiki/rest/api', protocol: 'http:', host: u.hostname, port: Number(u.port), spaceId: 'DEMO', parentPageTitle: PARENT, sitePath: 'site/site.yml', serverId: 'emu' } }));
      const children = Array.from({ length: PAGES - 1 }, (_, k) => `    - name: ${title(k + 2)}\n      uri: ${slug(k + 2)}`).join('\n');
      writeFileSync(join(dir, 'site', 'site.yml'), `home:\n  name: ${title(1)}\n  uri: ${slug(1)}\n  children:\n${children}\n`);
      for (let i = 1; i <= PAGES; i++) writeFileSync(join(dir, 'site', slug(i)), pageMarkdown(i, (j) => slug(j)));
      // The tool keeps credentials in its own store (package `preferences`, under $HOME): filled the way `init` does.
      const creds = `const P = require(${JSON.stringify(peerBin('preferences'))}); const c = new P('emu', { username: '', password: '' }); c.username = ${JSON.stringify(emu.credentials.email)}; c.password = ${JSON.stringify(emu.credentials.token)};`;
      const r = await run(['-e', creds], dir, { HOME: join(dir, 'home') });
      if (r.code !== 0) throw new Error(`confluence-site credentials: ${r.out}`);
      return () => run([peerBin('confluence-site/main.js'), 'deploy'], dir, { HOME: join(dir, 'home') });
    },
    edit(dir, line) {
      for (let i = 1; i <= EDITS; i++) writeFileSync(join(dir, 'site', slug(i)), `${readFileSync(join(dir, 'site', slug(i)), 'utf8')}\n${line}\n`);
    },
  },
  md2confluence: {
    async setup(emu, dir) {
      // md2confluence only updates pages that exist (by id): the pages are made first, outside the measurement.
      const parent = emu.api.pageByTitle('DEMO', PARENT)!;
      const pages = [];
      for (let i = 1; i <= PAGES; i++) {
        const p = emu.api.createPage('DEMO', title(i), '', parent.id);
        pages.push({ pageid: p.id, title: title(i), mdfile: slug(i) });
        writeFileSync(join(dir, slug(i)), pageMarkdown(i, (j) => slug(j)));
      }
      writeFileSync(join(dir, '.md2confluence-rc'), JSON.stringify({ baseUrl: `${emu.url}/rest/api`, user: emu.credentials.email, pass: emu.credentials.token, pages }));
      return () => run([peerBin('md2confluence/bin/md2confluence')], dir, { HOME: dir });
    },
    edit(dir, line) {
      for (let i = 1; i <= EDITS; i++) writeFileSync(join(dir, slug(i)), `${readFileSync(join(dir, slug(i)), 'utf8')}\n${line}\n`);
    },
  },
};

/** What a reader of the space sees: pages present, links resolved, blanks, duplicates. */
function check(emu: Emulator, edited?: string) {
  const all = emu.api.pages('DEMO');
  const byTitle = new Map<string, string[]>();
  for (const p of all) byTitle.set(p.title, [...(byTitle.get(p.title) ?? []), p.id]);
  const ids = new Set(all.map((p) => p.id));
  let present = 0;
  let blank = 0;
  let linksOk = 0;
  let editsSeen = 0;
  for (let i = 1; i <= PAGES; i++) {
    const id = byTitle.get(title(i))?.[0];
    if (!id) continue;
    present++;
    const body = emu.api.body(id);
    if (!body.replace(/<[^>]*>/g, '').trim()) blank++;
    const targets = [(i % PAGES) + 1, ((i + PAGES - 2) % PAGES) + 1];
    for (const j of targets) {
      const t = title(j);
      const byRef = body.includes(`ri:content-title="${t}"`) && byTitle.has(t);
      const byHref = [...body.matchAll(/href="[^"]*\/pages\/(\d+)/g)].some((m) => ids.has(m[1]!) && emu.api.page(m[1]!).title === t);
      if (byRef || byHref) linksOk++;
    }
    if (edited && i <= EDITS && body.includes(edited)) editsSeen++;
  }
  const duplicates = [...byTitle.values()].filter((v) => v.length > 1).length;
  return { present, blank, linksOk, duplicates, editsSeen };
}

/** The line of a failed run that says why (tools frame their errors in boxes and colours). */
function errorLine(out: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = out.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').replace(/[│┌┐└┘─|]/g, '').trim()).filter((l) => /[A-Za-z]{3}/.test(l));
  return (lines.reverse().find((l) => /error|fail|status|429/i.test(l)) ?? lines[0] ?? 'no output').slice(0, 120);
}

function slice(emu: Emulator, from: number) {
  const log = emu.requestLog().slice(from);
  const by = (m: string) => log.filter((r) => r.method === m).length;
  return { requests: log.length, get: by('GET'), post: by('POST'), put: by('PUT'), del: by('DELETE'), r429: log.filter((r) => r.status === 429).length, failed: log.filter((r) => r.status >= 400 && r.status !== 429 && r.status !== 404).length };
}

const versions = (emu: Emulator) => emu.api.pages('DEMO').reduce((n, p) => n + (p.title.startsWith('Guide ') ? p.history.length : 0), 0);

async function measure(tool: Tool): Promise<Record<string, number | string>> {
  const emu = await startEmulator({ seed: 'demo', flavour: 'cloud' });
  const dir = mkdtempSync(join(tmpdir(), `csync-peer-${tool}-`));
  try {
    const home = emu.api.pageByTitle('DEMO', 'Demo space home')!;
    emu.api.createPage('DEMO', PARENT, '<p>The corpus lives below this page.</p>', home.id);
    const runner = RUNNERS[tool];
    const publish = await runner.setup(emu, dir);
    emu.setLatency(150);
    emu.setRateLimit({ rps: 10 });
    const v0 = versions(emu);
    const out: Record<string, number | string> = {};
    const step = async (name: string, edited?: string) => {
      const from = emu.requestLog().length;
      const vBefore = versions(emu);
      const t0 = process.hrtime.bigint();
      const r = await publish();
      out[`${name}WallS`] = Number(process.hrtime.bigint() - t0) / 1e9;
      const s = slice(emu, from);
      out[`${name}Exit`] = r.code ?? -1;
      out[`${name}Requests`] = s.requests;
      out[`${name}Versions`] = versions(emu) - vBefore;
      out[`${name}429s`] = s.r429;
      out[`${name}Failed`] = s.failed;
      if (name === 'publish') Object.assign(out, { publishGET: s.get, publishPOST: s.post, publishPUT: s.put, publishDELETE: s.del });
      if (r.code !== 0) out[`${name}Error`] = errorLine(r.out);
      return edited ? check(emu, edited) : check(emu);
    };
    const first = await step('publish');
    Object.assign(out, { pagesPresent: first.present, linksResolved: `${first.linksOk}/${PAGES * 2}`, blankPages: first.blank, duplicatePages: first.duplicates });
    if (tool === 'md2confluence') out.publishVersions = versions(emu) - v0; // creation done outside, updates measured
    const second = await step('noop');
    out.linksResolvedAfterRerun = `${second.linksOk}/${PAGES * 2}`;
    const line = 'Edited for the benchmark.';
    runner.edit(dir, line);
    const edit = await step('edit10', line);
    out.edit10Applied = `${edit.editsSeen}/${EDITS}`;
    out.invalidRequests = emu.invalidRequests().length;
    return out;
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Without the rate limit: does the tool publish the corpus, and do v1 and v2 (storage and ADF) read it back alike? */
async function measureUnlimited(tool: Tool): Promise<Record<string, number | string>> {
  const emu = await startEmulator({ seed: 'demo', flavour: 'cloud' });
  const dir = mkdtempSync(join(tmpdir(), `csync-peer-${tool}-`));
  try {
    const home = emu.api.pageByTitle('DEMO', 'Demo space home')!;
    emu.api.createPage('DEMO', PARENT, '<p>The corpus lives below this page.</p>', home.id);
    const publish = await RUNNERS[tool].setup(emu, dir);
    emu.setLatency(150);
    const r = await publish();
    emu.setLatency(0);
    const c = check(emu);
    const auth = { Authorization: `Basic ${Buffer.from(`${emu.credentials.email}:${emu.credentials.token}`).toString('base64')}` };
    let same = 0;
    for (let i = 1; i <= PAGES; i++) {
      const p = emu.api.pageByTitle('DEMO', title(i));
      if (!p) continue;
      const v1 = (await (await fetch(`${emu.url}/rest/api/content/${p.id}?expand=body.storage`, { headers: auth })).json()) as { body: { storage: { value: string } } };
      const v2 = (await (await fetch(`${emu.url}/api/v2/pages/${p.id}?body-format=storage`, { headers: auth })).json()) as { body: { storage: { value: string } } };
      const adf = (await (await fetch(`${emu.url}/api/v2/pages/${p.id}?body-format=atlas_doc_format`, { headers: auth })).json()) as { body: { atlas_doc_format: { value: string } } };
      const doc = JSON.parse(adf.body.atlas_doc_format.value) as { content: unknown[] };
      if (v1.body.storage.value === v2.body.storage.value && doc.content.length > 0) same++;
    }
    return { noLimitExit: r.code ?? -1, noLimitPagesPresent: c.present, noLimitBlankPages: c.blank, noLimitLinksResolved: `${c.linksOk}/${PAGES * 2}`, noLimitV1V2AdfAlike: `${same}/${PAGES}`, noLimitInvalidRequests: emu.invalidRequests().length };
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const scenarios = {
  peers: async () => {
    const note = ensurePeers();
    const tools: Tool[] = note ? ['csync'] : ['csync', 'markdown-confluence', 'confluence-site', 'md2confluence'];
    const results: Record<string, Record<string, number | string>> = {};
    for (const t of tools) {
      console.log(`  … ${t}`);
      results[t] = { ...(await measureUnlimited(t)), ...(await measure(t)) };
    }
    const keys = [...new Set(tools.flatMap((t) => Object.keys(results[t]!)))];
    const fmt = (v: number | string | undefined) => (v === undefined ? '—' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v));
    const table = [`| metric | ${tools.join(' | ')} |`, `|---|${tools.map(() => '---').join('|')}|`, ...keys.map((k) => `| ${k} | ${tools.map((t) => fmt(results[t]![k])).join(' | ')} |`)];
    const ratio = (k: string) => tools.slice(1).map((t) => `${t} ${fmt(Number(results.csync![k]) / Number(results[t]![k]))}`).join(', ');
    if (tools.length > 1) table.push('', `csync/peer ratios: publish wall ${ratio('publishWallS')}; publish requests ${ratio('publishRequests')}; no-op requests ${ratio('noopRequests')}; 10-page edit requests ${ratio('edit10Requests')}`);
    const outDir = join(ROOT, 'bench', 'out');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'peers.md'), `${table.join('\n')}\n`);
    console.log(table.join('\n'));
    const flat: Record<string, number | string> = { pages: PAGES, latencyMs: 150, rateLimitRps: 10, ...(note ? { note } : {}) };
    for (const t of tools) for (const [k, v] of Object.entries(results[t]!)) flat[`${t} ${k}`] = typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(2)) : v;
    return flat;
  },
};
