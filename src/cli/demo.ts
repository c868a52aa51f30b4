/**
 * `csync demo` / `npm run demo`: the main job, end to end, against the built-in emulator in a temporary workspace.
 * Each step runs the real CLI in a child process and shows its output, so what you see is what users get. The
 * emulator runs in this process (children are spawned asynchronously so it keeps serving).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../emulator/index.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url)).replace(/\.js$/, import.meta.url.endsWith('.ts') ? '.ts' : '.js');

function run(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<number> {
  const execArgv = CLI.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...execArgv, CLI, ...args], { env, stdio: ['pipe', 'inherit', 'inherit'] });
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Bold on a terminal; plain text when stdout is a file or a pipe (or NO_COLOR is set). */
const bold = (s: string): string => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s);

function title(text: string): void {
  process.stdout.write(`\n${bold(`== ${text}`)}\n`);
}

async function step(what: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<number> {
  process.stdout.write(`\n${bold(`$ csync ${args.join(' ')}`)}   # ${what}\n`);
  const code = await run(args, env, input);
  if (code !== 0) process.stdout.write(`(exit code ${code})\n`);
  return code;
}

function tree(dir: string, root: string, limit: number): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const name of readdirSync(d).sort()) {
      if (out.length >= limit) return;
      const p = join(d, name);
      const isDir = statSync(p).isDirectory();
      out.push(`${'  '.repeat(depth)}${name}${isDir ? '/' : ''}`);
      if (isDir) walk(p, depth + 1);
    }
  };
  walk(dir, 0);
  void root;
  return out;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(100);
  }
  return false;
}

/** Runs `csync watch` as a child for a few seconds: a local save reaches Confluence, a remote edit reaches the file. */
async function demoDaemon(ws: string, env: NodeJS.ProcessEnv, emu: Emulator): Promise<boolean> {
  const execArgv = CLI.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const args = ['watch', '--listen', '127.0.0.1:0', '--debounce', '300', '--poll', '2'];
  process.stdout.write(`\n${bold(`$ csync ${args.join(' ')}`)}   # in the background; its JSON log lines go to journald when run as a service\n`);
  const child = spawn(process.execPath, [...execArgv, CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let url = '';
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const j = JSON.parse(line) as { msg?: string; url?: string };
      if (j.msg === 'daemon started' && j.url) url = j.url;
    } catch {
      // not a log line
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  let gone = false;
  exited.then(
    () => (gone = true),
    () => (gone = true),
  );
  const fail = (what: string): boolean => {
    process.stdout.write(`  FAILED: ${what}\n${stderr.slice(-1500)}\n`);
    if (!gone) child.kill('SIGKILL');
    return false;
  };
  const healthy = async () => {
    if (!url) return false;
    try {
      return (await fetch(`${url}/healthz`)).status === 200;
    } catch {
      return false;
    }
  };
  if (!(await waitFor(async () => gone || (await healthy()), 90_000)) || gone) return fail('the daemon did not become healthy');
  process.stdout.write(`  daemon ready; health and metrics at ${url}/healthz and ${url}/metrics\n`);

  const file = join(ws, 'content', 'DEMO', 'Demo space home', 'Getting started', 'First sync.md');
  const page = emu.api.pageByTitle('DEMO', 'First sync')!;
  const saved = Date.now();
  writeFileSync(file, readFileSync(file, 'utf8') + '\nSaved in my editor while the daemon runs.\n');
  if (!(await waitFor(() => emu.api.body(page.id).includes('Saved in my editor while the daemon runs.'), 30_000))) return fail('the save never reached Confluence');
  process.stdout.write(`  saved "First sync.md" → page updated in Confluence ${((Date.now() - saved) / 1000).toFixed(1)} s later (version ${emu.api.page(page.id).version.number})\n`);

  const other = emu.api.pageByTitle('DEMO', 'Architecture')!;
  const otherFile = join(ws, 'content', 'DEMO', 'Demo space home', 'Architecture.md');
  const edited = Date.now();
  emu.api.editPage(other.id, { body: `${emu.api.body(other.id)}<p>Edited in the browser while the daemon runs.</p>` });
  if (!(await waitFor(() => readFileSync(otherFile, 'utf8').includes('Edited in the browser while the daemon runs.'), 30_000))) return fail('the remote edit never reached the file');
  process.stdout.write(`  a colleague edited "Architecture" in Confluence → Architecture.md updated ${((Date.now() - edited) / 1000).toFixed(1)} s later\n`);

  const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
  process.stdout.write(`  GET /healthz → ${JSON.stringify(health).slice(0, 300)}\n`);
  child.kill('SIGTERM');
  const code = await exited;
  process.stdout.write(`  SIGTERM → the daemon finished its work and exited with code ${code}\n`);
  return code === 0;
}

export async function runDemo(options: { keep: boolean }): Promise<number> {
  const ws = mkdtempSync(join(tmpdir(), 'csync-demo-'));
  const emu = await startEmulator({ seed: 'demo' });
  const env: NodeJS.ProcessEnv = { ...process.env, CSYNC_WORKSPACE: ws, NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (/^(CONFLUENCE_|ATLASSIAN_)/.test(k) || (k.startsWith('CSYNC_') && k !== 'CSYNC_WORKSPACE')) delete env[k];
  try {
    process.stdout.write(`confluence-sync demo\n  emulator:  ${emu.url} (space DEMO, ${emu.api.pages('DEMO').length} pages)\n  workspace: ${ws}\n`);
    title('1. Create a workspace and check the connection');
    if ((await step('create a workspace (token from stdin)', ['init', '--url', emu.url, '--email', emu.credentials.email, '--space', 'DEMO', '--token-stdin'], env, emu.credentials.token)) !== 0) return 1;
    if ((await step('check config, credentials, permissions', ['doctor'], env)) !== 0) return 1;

    title('2. Pull the space');
    if ((await step('Confluence → files', ['pull', '--no-progress'], env)) !== 0) return 1;
    process.stdout.write('\ncontent/ now holds (first lines):\n' + tree(join(ws, 'content'), ws, 14).map((l) => `  ${l}`).join('\n') + '\n');
    const guide = join(ws, 'content', 'DEMO', 'Demo space home', 'Getting started.md');
    process.stdout.write(`\n${relative(ws, guide)}:\n${readFileSync(guide, 'utf8').replace(/^/gm, '  | ')}\n`);
    if ((await step('a second pull: only listing requests, nothing written', ['pull', '--no-progress'], env)) !== 0) return 1;

    title('3. Edit a file and push it');
    const configFile = join(ws, 'content', 'DEMO', 'Demo space home', 'Getting started', 'Configuration.md');
    writeFileSync(configFile, readFileSync(configFile, 'utf8') + '\nEdited locally in my editor.\n');
    process.stdout.write(`  appended a line to ${relative(ws, configFile)}\n`);
    if ((await step('what changed on each side', ['status'], env)) !== 0) return 1;
    if ((await step('the change as a diff against the page', ['diff'], env)) !== 0) return 1;
    if ((await step('files → Confluence: one update, version + 1', ['push', '--no-progress'], env)) !== 0) return 1;
    const configPage = emu.api.pageByTitle('DEMO', 'Configuration')!;
    process.stdout.write(`  Confluence now has version ${emu.api.page(configPage.id).version.number}: ${/Edited locally in my editor\./.test(emu.api.body(configPage.id)) ? 'the new line is on the page' : 'THE LINE IS MISSING'}\n`);

    title('4. Someone edits, renames and moves pages in Confluence');
    const start = emu.api.pageByTitle('DEMO', 'Getting started')!;
    emu.api.editPage(start.id, { body: `${emu.api.body(start.id)}<p>Added in the browser by a colleague.</p>` });
    const retro = emu.api.pageByTitle('DEMO', '2026-11-09 Retro')!;
    emu.api.renamePage(retro.id, '2026-11-09 Retrospective');
    const oncall = emu.api.pageByTitle('DEMO', 'On-call')!;
    emu.api.movePage(oncall.id, emu.api.pageByTitle('DEMO', 'Architecture')!.id);
    process.stdout.write('  edited "Getting started", renamed "2026-11-09 Retro", moved "On-call" under "Architecture"\n');
    if ((await step('the file changes, the renamed and moved files move', ['pull', '--no-progress'], env)) !== 0) return 1;

    title('5. Both sides edit the same page, in different places: merged');
    writeFileSync(configFile, readFileSync(configFile, 'utf8') + '\nA second local line at the end.\n');
    emu.api.editPage(configPage.id, { body: `<p>A colleague added this at the top.</p>${emu.api.body(configPage.id)}` });
    process.stdout.write('  added a line at the end of Configuration.md; a colleague added one at the top of the page\n');
    if ((await step('pull merges three-way, push sends the merge', ['sync', '--no-progress'], env)) !== 0) return 1;
    const merged = readFileSync(configFile, 'utf8');
    process.stdout.write(`  the file has both lines: ${merged.includes('A colleague added this at the top.') && merged.includes('A second local line at the end.') ? 'yes' : 'NO'}\n`);

    title('6. Both sides change the same sentence: kept as a conflict, nothing lost');
    const install = emu.api.pageByTitle('DEMO', 'Installation')!;
    const installFile = join(ws, 'content', 'DEMO', 'Demo space home', 'Getting started', 'Installation.md');
    writeFileSync(installFile, readFileSync(installFile, 'utf8') + '\nMy local note.\n');
    emu.api.editPage(install.id, { body: '<p>Rewritten in the browser.</p>' });
    process.stdout.write('  edited Installation.md locally and rewrote the same page in Confluence\n');
    if ((await step('your file is kept; the remote version is saved beside it (exit 6: conflicts remain)', ['sync', '--no-progress'], env)) !== 6) return 1;
    if ((await step('the conflict is listed until you settle it (exit 6)', ['status'], env)) !== 6) return 1;
    const installRel = relative(ws, installFile);
    if ((await step('keep your version; the next push uploads it', ['resolve', installRel, '--keep', 'local'], env)) !== 0) return 1;
    if ((await step('push the resolution', ['push', '--no-progress'], env)) !== 0) return 1;
    if ((await step('both sides agree again', ['status'], env)) !== 0) return 1;

    title('7. Attachments: files next to a page go up with it');
    const images = emu.api.pageByTitle('DEMO', 'Images and files')!;
    const attDir = join(ws, 'attachments', 'DEMO', 'Demo space home', 'Formatting guide', 'Images and files');
    const report = join(attDir, 'report.csv');
    writeFileSync(join(attDir, 'checklist.txt'), 'Added next to the page in my file manager.\n');
    writeFileSync(report, `${readFileSync(report, 'utf8')}gamma,3\n`);
    process.stdout.write(`  added checklist.txt and appended a row to report.csv in ${relative(ws, attDir)}/\n`);
    if ((await step('status shows both files', ['status', '--local'], env)) !== 0) return 1;
    if ((await step('one upload, one new version', ['push', '--no-progress'], env)) !== 0) return 1;
    process.stdout.write(`  Confluence lists: ${emu.api.attachments(images.id).map((a) => `${a.title} (version ${a.version})`).join(', ')}\n`);

    title('8. The daemon: csync watch keeps both sides in step by itself');
    if (!(await demoDaemon(ws, env, emu))) return 1;

    title('Every command');
    await step('the whole command surface', ['--help'], env);
    process.stdout.write(`\nDemo finished. Requests served by the emulator: ${emu.requestLog().length}.\n`);
    return 0;
  } finally {
    await emu.close();
    if (options.keep) process.stdout.write(`\nworkspace kept at ${ws}\n`);
    else rmSync(ws, { recursive: true, force: true });
  }
}
