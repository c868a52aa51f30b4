/**
 * Ctrl-C or SIGTERM during a one-shot push (README "Exit codes": 130 interrupted): the real CLI, the emulator over HTTP
 * with latency so the push is in flight when the signal lands. The push exits 130 with the usual error line (not 0, not
 * killed by the signal), and the same command run again finishes the work: every edited page holds its edit once and is
 * exactly one version newer, every new page exists once, and a third push has nothing to do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { cleanEnv, cliArgs, ROOT, type CliResult } from '../helpers/cli.js';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';
import { until } from '../watch/daemon.js';

const PAGES = 12;
const CREATES = 4;

/**
 * `csync push`, sent `signal` once the emulator has received `after` requests of `method` from it. From then on every
 * request is held 3 s, so the push is still in flight when the signal lands however late this process sees the request.
 */
function pushInterrupted(ws: TestWorkspace, signal: NodeJS.Signals, method: 'PUT' | 'POST', after: number): Promise<CliResult & { sentAt: number }> {
  const env = cleanEnv({ CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast' });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgs(), 'push', '-w', ws.dir, '--no-progress'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const from = ws.emu.requestLog().length;
    let sentAt = -1;
    // The request log records a request as it arrives (before the emulator's latency): the push is waiting on it.
    const watch = setInterval(() => {
      const seen = ws.emu.requestLog().slice(from).filter((r) => r.method === method && /\/api\/v2\/pages(\/|$)/.test(r.route)).length;
      if (seen >= after && sentAt < 0) {
        sentAt = seen;
        ws.emu.setLatency(3000);
        child.kill(signal);
      }
    }, 2);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearInterval(watch);
      resolve({ code, signal: sig, stdout, stderr, sentAt });
    });
  });
}

for (const { signal, method, after } of [
  { signal: 'SIGINT' as const, method: 'PUT' as const, after: 1 },
  { signal: 'SIGTERM' as const, method: 'POST' as const, after: 1 },
]) {
  test(`${signal} while a push waits on its ${method === 'PUT' ? 'first update' : 'first create'}: exit 130 with the error line; the rerun finishes, nothing lost or sent twice`, { timeout: 180_000 }, async () => {
    const ws = await workspaceWithEmulator({ seed: PAGES + 1, spaces: ['BENCH'] });
    try {
      const pulled = await ws.csync(['pull']);
      assert.equal(pulled.code, 0, pulled.stderr);
      const edited = new Map<string, string>();
      for (const f of ws.files('content').filter((p) => p.endsWith('.md'))) {
        const abs = join(ws.dir, f);
        const text = readFileSync(abs, 'utf8');
        const id = String(parseFile(text).meta.id);
        if (ws.emu.api.page(id).parentId === null) continue; // the home page stays as it is
        const mark = `Cancelled edit ${edited.size + 1} stays once`;
        edited.set(id, mark);
        writeFileSync(abs, `${text.replace(/\n*$/, '\n')}\n${mark}\n`);
      }
      assert.equal(edited.size, PAGES);
      const home = ws.files('content').find((p) => p.split('/').length === 3 && p.endsWith('.md'))!;
      const homeDir = home.replace(/\.md$/, '');
      for (let i = 1; i <= CREATES; i++) writeFileSync(join(ws.dir, homeDir, `Fresh ${i}.md`), `---\ntitle: Fresh ${i}\n---\nNew page ${i}.\n`);
      const spaceId = ws.emu.store.spaceByKey('BENCH')!.id;
      const versionsBefore = new Map([...edited.keys()].map((id) => [id, ws.emu.api.page(id).version.number]));

      ws.emu.setLatency(150);
      const stopped = await pushInterrupted(ws, signal, method, after);
      assert.ok(stopped.sentAt >= after, `the signal was sent while the push was in flight: ${stopped.stderr}`);
      assert.equal(stopped.signal, null, 'the CLI exits by itself, not killed by the signal');
      assert.equal(stopped.code, 130, `exit code 130 (interrupted)\n${stopped.stdout}\n${stopped.stderr}`);
      assert.match(stopped.stderr, new RegExp(`^csync: interrupted \\(${signal}\\): the run was cancelled`, 'm'));
      assert.match(stopped.stderr, /hint: run the same command again/);
      assert.doesNotMatch(stopped.stdout, /Pushed|Nothing to push/, 'no summary of a finished push');

      // A request torn down by the cancellation is still applied by the emulator once its latency is over (as a
      // request on the wire may be by Confluence): the rerun starts once every one has been, and must recognise them.
      await until(() => ws.emu.requestLog().every((r) => r.status !== 0), 'every request the push sent has been applied or refused', 30_000);
      ws.emu.setLatency(0);
      const rerun = await ws.csync(['push']);
      assert.equal(rerun.code, 0, `${rerun.stdout}\n${rerun.stderr}`);
      assert.doesNotMatch(rerun.stdout, /CONFLICT/);
      for (const [id, mark] of edited) {
        const page = ws.emu.api.page(id);
        const body = ws.emu.api.body(id);
        assert.equal(body.split(mark).length - 1, 1, `page ${id} holds its edit once: ${body}`);
        assert.equal(page.version.number, versionsBefore.get(id)! + 1, `page ${id}: one new version, not two`);
      }
      for (let i = 1; i <= CREATES; i++) {
        const same = [...ws.emu.store.pages.values()].filter((p) => p.spaceId === spaceId && p.status === 'current' && p.title === `Fresh ${i}`);
        assert.equal(same.length, 1, `Fresh ${i} was created once`);
      }
      const again = await ws.csync(['push']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^Nothing to push: BENCH/m);
    } finally {
      await ws.close();
    }
  });
}
