/**
 * Redis killed under real csync processes (issue 18): three workspaces of one account push their new pages at once
 * with `rateLimit.store: redis` against one emulator; redis-server is SIGKILLed once the emulator has seen
 * KILL_AFTER of their creates. Every run must still exit 0, every page must be in Confluence exactly once, each
 * process's log must say it fell back to pacing alone; after Redis is back, a later run uses the shared budget again.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { cleanEnv, cliArgs, ROOT, tempDir } from '../helpers/cli.js';
import { initAndPull } from '../helpers/workspace.js';
import { startRedis } from './redis-helpers.js';

const WORKSPACES = 3;
const PAGES_EACH = 30;
const KILL_AFTER = 15;

function push(ws: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgs(), 'push', '-w', ws, '--no-progress'], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function logText(ws: string): string {
  const dir = join(ws, 'logs');
  if (!existsSync(dir)) return '';
  return readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => readFileSync(join(dir, n), 'utf8')).join('\n');
}

const creates = (emu: Emulator) => emu.requestLog().filter((r) => r.method === 'POST' && r.status >= 200 && r.status < 300).length;

test('Redis killed while three csync push runs share its budget: every run completes, every page once, the fallback logged, a later run rejoins', async () => {
  const redis = await startRedis();
  const emu = await startEmulator({ seed: 'demo' });
  const tmp = tempDir('csync-redis-kill-');
  const env = { CSYNC_RATE_LIMIT_STORE: 'redis', CSYNC_REDIS_URL: redis.url, CSYNC_RATE_LIMIT_HEARTBEAT_MS: '100' };
  try {
    const workspaces = Array.from({ length: WORKSPACES }, (_, i) => join(tmp.dir, `ws${i + 1}`));
    await Promise.all(
      workspaces.map((ws) => initAndPull(ws, emu)),
    );
    const titles: string[] = [];
    workspaces.forEach((ws, w) => {
      const folder = join(ws, 'content', 'DEMO', 'Demo space home');
      mkdirSync(folder, { recursive: true });
      for (let i = 1; i <= PAGES_EACH; i++) {
        const title = `W${w + 1} page ${String(i).padStart(2, '0')}`;
        titles.push(title);
        writeFileSync(join(folder, `${title}.md`), `Page ${i} of workspace ${w + 1}.\n`);
      }
    });
    emu.resetLog();
    const runs = Promise.all(workspaces.map((ws) => push(ws, env)));
    // Kill Redis mid-run: once the emulator has seen KILL_AFTER of the creates (each push sends a few reads first).
    const deadline = Date.now() + 120_000;
    while (creates(emu) < KILL_AFTER && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const createdBeforeKill = creates(emu);
    await redis.kill();
    const results = await runs;
    console.log(`Redis killed after ${createdBeforeKill} of ${titles.length} creates`);
    assert.ok(createdBeforeKill >= KILL_AFTER && createdBeforeKill < titles.length, `killed mid-run (after ${createdBeforeKill} creates)`);

    results.forEach((r, i) => assert.equal(r.code, 0, `push in ws${i + 1}: ${r.out.slice(-2000)}`));
    const inConfluence = emu.api.pages('DEMO').map((p) => p.title);
    for (const t of titles) assert.equal(inConfluence.filter((x) => x === t).length, 1, `${t} is in Confluence exactly once`);
    assert.equal(emu.requestLog().filter((r) => r.status === 429).length, 0, 'no 429 (the emulator has no limit here)');
    for (const ws of workspaces) {
      const log = logText(ws);
      assert.match(log, /shared rate budget in use \(Redis\)/, `${ws}: started on the shared budget`);
      assert.match(log, /shared rate budget unavailable: pacing alone/, `${ws}: logged the fallback`);
      assert.ok(!log.includes(emu.credentials.token), 'no token in the log');
    }

    // Redis back: a later run of one of them paces on the shared budget again (and it has nothing left to create).
    await redis.restart();
    const before = logText(workspaces[0]!).length;
    writeFileSync(join(workspaces[0]!, 'content', 'DEMO', 'Demo space home', 'W1 page 01.md'), 'Page 1 of workspace 1, edited.\n', { flag: 'a' });
    const later = await push(workspaces[0]!, env);
    assert.equal(later.code, 0, later.out);
    const laterLog = logText(workspaces[0]!).slice(before);
    assert.match(laterLog, /shared rate budget in use \(Redis\)/, 'the later run uses the shared budget');
    assert.doesNotMatch(laterLog, /shared rate budget unavailable/);
    assert.equal(emu.api.pages('DEMO').filter((p) => p.title === 'W1 page 01').length, 1);
  } finally {
    await emu.close();
    await redis.stop();
    tmp.cleanup();
  }
});
