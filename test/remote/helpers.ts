/** Test helpers for the client: a virtual clock, tiny local HTTP servers (got's withServer style), base options. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientOptions } from '../../src/remote/options.js';

/**
 * A virtual clock whose sleep jumps time forward instead of waiting: a sleeper that asked for `ms` at time t wakes
 * with the clock at ≥ t + ms. Lets tests check multi-second pauses in milliseconds of real time.
 */
export function virtualClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleeps,
    async sleep(ms: number): Promise<void> {
      const target = now + Math.max(0, ms);
      sleeps.push(ms);
      // Let other ready work run first, as real timers would.
      await new Promise<void>((resolve) => setImmediate(resolve));
      now = Math.max(now, target);
    },
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => unknown;

/** Starts a loopback server on a free port, runs fn, always closes. */
export async function withServer<T>(handler: Handler, fn: (url: string, server: http.Server) => Promise<T>): Promise<T> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await fn(`http://127.0.0.1:${port}/wiki`, server);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const TOKEN = 'tok-SECRET-9f8e7d6c5b4a';

export function baseOptions(baseUrl: string, overrides: Partial<ClientOptions> = {}): ClientOptions {
  return {
    baseUrl,
    auth: { kind: 'basic', email: 'demo@example.com', token: TOKEN },
    rate: { requestsPerSecond: 1000, burst: 1000, maxConcurrent: 4 },
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50 },
    timeouts: { connectMs: 2000, responseMs: 2000 },
    breaker: { failureThreshold: 50, halfOpenAfterMs: 1000 },
    ...overrides,
  };
}

/**
 * A clock that moves only when the test drives it: sleepers wait until `drive` advances virtual time to their
 * deadline, which it does only after real I/O has been quiet for `idleMs`. A request that is not held back by a
 * pause therefore reaches the server at the current virtual time, and a test can tell.
 */
export function manualClock(start = 1_000_000) {
  let now = start;
  let timers: Array<{ at: number; resolve: () => void }> = [];
  return {
    clock: { now: () => now },
    get now() {
      return now;
    },
    sleep(ms: number): Promise<void> {
      return new Promise<void>((resolve) => timers.push({ at: now + Math.max(0, ms), resolve }));
    },
    /** Advances to each next deadline in turn until `done` resolves. */
    async drive<T>(done: Promise<T>, idleMs = 25): Promise<T> {
      let finished = false;
      const result = done.finally(() => {
        finished = true;
      });
      while (!finished) {
        await new Promise((r) => setTimeout(r, idleMs));
        if (finished || timers.length === 0) continue;
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0]!;
        now = Math.max(now, next.at);
        const due = timers.filter((t) => t.at <= now);
        timers = timers.filter((t) => t.at > now);
        for (const t of due) t.resolve();
      }
      return result;
    },
  };
}
