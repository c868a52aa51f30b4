/**
 * shared-budget: three client processes, each paced at the server's whole limit R, against one emulator limited to
 * R req/s — with local stores (each thinks the budget is its own) and with the Redis store (one shared budget),
 * side by side in one run. Needs redis-server (Debian's package) on this machine; it is started on a free port.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';
import { startRedis } from '../test/remote/redis-helpers.js';

const CHILD = fileURLToPath(new URL('../test/remote/fixtures/budget-client.ts', import.meta.url));
const R = 10;
const PROCESSES = 3;
const READS = 40;

function runChild(env: Record<string, string>): Promise<{ ok: number; rateLimited: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as { ok: number; rateLimited: number; ms: number }) : reject(new Error(`client exited ${code}`))));
  });
}

export const scenarios = {
  'shared-budget': async () => {
    const redis = await startRedis();
    const emu = await startEmulator({ seed: 'demo', rateLimit: { rps: R, burst: 2 * R } });
    const metrics: Record<string, number> = { processes: PROCESSES, readsEach: READS, serverRps: R, clientRpsEach: R };
    try {
      const ids = emu.api.pages('DEMO').map((p) => p.id).slice(0, 20).join(',');
      for (const store of ['local', 'redis']) {
        emu.setRateLimit({ rps: R, burst: 2 * R });
        const before = emu.requestLog().length;
        const env = { EMU_URL: emu.url, EMU_EMAIL: emu.credentials.email, EMU_TOKEN: emu.credentials.token, IDS: ids, COUNT: String(READS), RPS: String(R), BURST: String(2 * R), STORE: store, REDIS_URL: redis.url, START_AT: String(Date.now() + 5000) };
        const results = await Promise.all(Array.from({ length: PROCESSES }, () => runChild(env)));
        const log = emu.requestLog().slice(before);
        const seconds = Math.max(...results.map((r) => r.ms)) / 1000;
        const limited = log.filter((r) => r.status === 429).length;
        metrics[`${store}Answers`] = log.length;
        metrics[`${store}429s`] = limited;
        metrics[`${store}429Percent`] = Math.round((1000 * limited) / log.length) / 10;
        metrics[`${store}Seconds`] = Math.round(seconds * 100) / 100;
        metrics[`${store}CombinedRps`] = Math.round((10 * results.reduce((n, r) => n + r.ok, 0)) / seconds) / 10;
      }
    } finally {
      await emu.close();
      await redis.stop();
    }
    return metrics;
  },
};
