/**
 * Client benchmarks against the in-process emulator.
 * - client-rate-limit: 2,000 reads against a 10 req/s token bucket (burst 20) with the balanced profile: how much of
 *   the allowed rate the client uses and how many answers are 429. Goal: ≥ 95% of 10 req/s, < 1% 429.
 * - client-list-10k: a 10,000-page space listed with bodies. Goal: ≤ 45 requests (ceil(10000/250) = 40).
 * - client-rate-limit-fast-profile: 600 reads, the fast profile (20 req/s) against that 10 req/s server.
 * CSYNC_BENCH_CLIENT_REQUESTS overrides the request count for a quick look.
 */
import { startEmulator } from '../src/emulator/index.js';
import { createConfluenceClient, type ClientOptions } from '../src/remote/index.js';

type Metrics = Record<string, number | string | boolean>;

const balanced = {
  rate: { requestsPerSecond: 10, burst: 20, maxConcurrent: 4 },
  retry: { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30000 },
  timeouts: { connectMs: 10000, responseMs: 60000 },
  breaker: { failureThreshold: 8, halfOpenAfterMs: 30000 },
} satisfies Omit<ClientOptions, 'baseUrl' | 'auth'>;

async function rateLimit(profile: typeof balanced = balanced, defaultTotal = 2000): Promise<Metrics> {
  const total = Number(process.env.CSYNC_BENCH_CLIENT_REQUESTS ?? defaultTotal);
  const serverRps = 10;
  const serverBurst = 20;
  const emu = await startEmulator({ seed: 'demo', rateLimit: { rps: serverRps, burst: serverBurst }, latencyMs: 5 });
  const client = createConfluenceClient({ baseUrl: emu.url, auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token }, ...profile });
  try {
    const ids = emu.api.pages('DEMO').map((p) => p.id);
    // Warm the connection outside the measurement, then start from a full server bucket.
    await client.getSpaceByKey('DEMO');
    await new Promise((r) => setTimeout(r, 2500));
    emu.setRateLimit({ rps: serverRps, burst: serverBurst });
    emu.resetLog();
    const before = client.stats();
    let next = 0;
    let ok = 0;
    const t0 = performance.now();
    // More callers than slots: the client, not the callers, decides the pace.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < total) {
          const id = ids[next++ % ids.length]!;
          if (await client.getPage(id)) ok++;
        }
      }),
    );
    const wallMs = performance.now() - t0;
    const s = client.stats();
    const log = emu.requestLog();
    const answered429 = log.filter((r) => r.status === 429).length;
    const achievedRps = ok / (wallMs / 1000);
    // The server allows `burst` at once and then `rps`: this is the best any client could do.
    const idealMs = ((total - serverBurst) / serverRps) * 1000;
    return {
      requests: total,
      serverRps,
      serverBurst,
      clientRps: profile.rate.requestsPerSecond,
      clientBurst: profile.rate.burst,
      succeeded: ok,
      httpRequests: log.length,
      answered429,
      pct429: (100 * answered429) / log.length,
      retries: s.retries - before.retries,
      wallMs: Math.round(wallMs),
      achievedRps,
      pctOfAllowedRate: (100 * achievedRps) / serverRps,
      pctOfIdealTime: (100 * idealMs) / wallMs,
      limiterWaitMs: s.limiterWaitMs - before.limiterWaitMs,
    };
  } finally {
    await client.close();
    await emu.close();
  }
}

async function list10k(): Promise<Metrics> {
  const pagesWanted = 10_000;
  const emu = await startEmulator({ seed: pagesWanted });
  const client = createConfluenceClient({ baseUrl: emu.url, auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token }, ...balanced, rate: { requestsPerSecond: 1000, burst: 1000, maxConcurrent: 4 } });
  try {
    const t0 = performance.now();
    const spaces = [];
    for await (const s of client.listSpaces()) spaces.push(s);
    const space = spaces[0]!;
    let pages = 0;
    let bodyBytes = 0;
    let heapPeak = 0;
    for await (const p of client.listPages(space.id, { bodies: true })) {
      pages++;
      bodyBytes += p.body?.length ?? 0;
      if (pages % 250 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    const wallMs = performance.now() - t0;
    const requests = emu.requestLog().length;
    return {
      pages,
      requests,
      listingRequests: emu.requestCounts()['GET /wiki/api/v2/spaces/{id}/pages'] ?? 0,
      goalMaxRequests: 45,
      bodyMB: bodyBytes / 2 ** 20,
      wallMs: Math.round(wallMs),
      pagesPerSec: Math.round(pages / (wallMs / 1000)),
      heapPeakMB: Math.round(heapPeak / 2 ** 20),
      invalidRequests: emu.invalidRequests().length,
    };
  } finally {
    await client.close();
    await emu.close();
  }
}

export const scenarios = {
  'client-rate-limit': () => rateLimit(),
  // The fast profile (20 req/s, burst 40) against the same 10 req/s server: the client has to learn the real rate.
  'client-rate-limit-fast-profile': () => rateLimit({ ...balanced, rate: { requestsPerSecond: 20, burst: 40, maxConcurrent: 4 } }, 600),
  'client-list-10k': list10k,
};
