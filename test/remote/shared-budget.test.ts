/**
 * The shared rate budget on a real Redis (redis-server started here; no mock): several client processes against
 * one rate-limited emulator stay within its limit together; Redis killed mid-run → each paces alone (fallback),
 * nothing fails, and the shared budget is used again once Redis is back.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthReport } from '../../src/daemon/health.js';
import type { LoopStatus } from '../../src/daemon/loop.js';
import { startEmulator } from '../../src/emulator/index.js';
import { createMetrics } from '../../src/obs/metrics.js';
import { createConfluenceClient } from '../../src/remote/index.js';
import { startRedis } from './redis-helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/budget-client.ts', import.meta.url));

interface ChildResult {
  ok: number;
  requests: number;
  rateLimited: number;
  ms: number;
  modes: string[];
}

function runChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`budget client exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
      } catch (e) {
        reject(new Error(`budget client printed no result: ${out.slice(-500)} ${err.slice(-1000)} ${String(e)}`));
      }
    });
  });
}

test('two client processes at the full rate each: with the Redis store they share the budget and stay under the limit', async () => {
  const redis = await startRedis();
  const R = 20;
  const emu = await startEmulator({ seed: 'demo', rateLimit: { rps: R, burst: 10 } });
  try {
    const ids = emu.api.pages('DEMO').map((p) => p.id).slice(0, 20).join(',');
    const base = { EMU_URL: emu.url, EMU_EMAIL: emu.credentials.email, EMU_TOKEN: emu.credentials.token, IDS: ids, COUNT: '80', RPS: String(R), BURST: '8', REDIS_URL: redis.url };
    const results: Record<string, { answers: number; limited: number; seconds: number }> = {};
    for (const store of ['local', 'redis']) {
      emu.setRateLimit({ rps: R, burst: 10 });
      const before = emu.requestLog().length;
      const startAt = Date.now() + 4000;
      const env = { ...base, STORE: store, START_AT: String(startAt) };
      const [a, b] = await Promise.all([runChild(env), runChild(env)]);
      const seconds = Math.max(a!.ms, b!.ms) / 1000;
      assert.equal(a!.ok + b!.ok, 160, `${store}: every read completed`);
      const log = emu.requestLog().slice(before);
      results[store] = { answers: log.length, limited: log.filter((r) => r.status === 429).length, seconds };
      if (store === 'redis') assert.deepEqual([a!.modes, b!.modes], [['redis'], ['redis']], 'both used the shared budget throughout');
    }
    console.log(`shared budget, 2 processes × 80 reads (4 at once each) at ${R} req/s each against a ${R} req/s server: ${JSON.stringify(results)}`);
    const shared = results.redis!;
    assert.ok(shared.limited <= Math.ceil(shared.answers * 0.01), `with Redis ${shared.limited} of ${shared.answers} answers were 429`);
    // 160 reads at R req/s with a burst of 10 cannot take less than (160 - 10) / R seconds.
    assert.ok(shared.seconds >= (160 - 10) / R * 0.9, `${shared.seconds} s`);
  } finally {
    await emu.close();
    await redis.stop();
  }
});

test('Redis killed mid-run: requests go on at the fallback share, then the shared budget is rejoined', async () => {
  const redis = await startRedis();
  const emu = await startEmulator({ seed: 'demo' });
  const modes: string[] = [];
  const warnings: string[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  const metricHooks = metrics.clientHooks();
  const storeGauge = async () => (await metrics.text()).split('\n').filter((l) => l.startsWith('csync_rate_limiter_store{') && l.endsWith(' 1'));
  const logger = { debug() {}, info() {}, warn: (_o: object, m?: string) => warnings.push(m ?? '') };
  const c = createConfluenceClient({
    baseUrl: emu.url,
    auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token },
    rate: { requestsPerSecond: 200, burst: 20, maxConcurrent: 2 },
    rateLimit: { store: 'redis', redisUrl: redis.url, fallbackShare: 0.5, heartbeatMs: 100 },
    retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 },
    timeouts: { connectMs: 2000, responseMs: 5000 },
    breaker: { failureThreshold: 50, halfOpenAfterMs: 1000 },
    logger,
    hooks: {
      ...metricHooks,
      onLimiterStoreChange: (e) => {
        modes.push(e.store);
        metricHooks.onLimiterStoreChange(e);
      },
    },
  });
  const health = () => healthReport({ loop: { ready: true, state: 'idle', consecutiveFailures: 0 } as unknown as LoopStatus, rateLimiter: c.rateLimiter().mode });
  try {
    const id = emu.api.pages('DEMO')[0]!.id;
    const read = async (n: number) => {
      for (let i = 0; i < n; i++) assert.equal((await c.getPage(id))?.id, id);
    };
    await read(10);
    assert.equal(c.rateLimiter().mode, 'redis');
    await redis.kill();
    await read(20);
    assert.equal(c.rateLimiter().mode, 'fallback', 'paces alone while Redis is gone');
    assert.ok(warnings.some((w) => /shared rate budget unavailable/.test(w)), 'and says so');
    assert.deepEqual(await storeGauge(), ['csync_rate_limiter_store{source="confluence",store="fallback"} 1'], '/metrics shows it');
    assert.deepEqual(health().rateLimiter, { store: 'fallback' }, '/healthz shows it');
    assert.equal(health().healthy, true, 'pacing alone is not a failure');
    await redis.restart();
    const deadline = Date.now() + 10_000;
    while (c.rateLimiter().mode !== 'redis' && Date.now() < deadline) await read(1);
    assert.equal(c.rateLimiter().mode, 'redis', 'rejoined the shared budget');
    await read(10);
    assert.equal(c.rateLimiter().mode, 'redis');
    assert.deepEqual(await storeGauge(), ['csync_rate_limiter_store{source="confluence",store="redis"} 1']);
    // (reconnecting, the client and its subscriber connection may come back at different moments: a flap is allowed)
    assert.equal(modes[0], 'redis');
    assert.equal(modes[1], 'fallback');
    assert.equal(modes.at(-1), 'redis');
    assert.equal(c.stats().byStatus['200'], c.stats().requests, 'no request failed');
    for (const w of warnings) assert.ok(!w.includes(emu.credentials.token));
  } finally {
    await c.close();
    await emu.close();
    await redis.stop();
  }
});
