/**
 * The rate limiter of one source (a Confluence site, later a Jira site or a Notion integration) for one account:
 * a Bottleneck limiter whose settings rate-policy.ts decides from every answer.
 *
 * - store "local": one Bottleneck limiter in this process.
 * - store "redis": the limiter lives in Redis (Bottleneck clustering over ioredis), shared by every csync process
 *   that uses the same id (source + site + hashed account): together they stay within one budget, and a 429 seen by
 *   one empties the shared reservoir and tells every other one to pause (Bottleneck's publish).
 *   Redis down or unreachable: a local limiter at `fallbackShare` of the rate takes over (logged, reported through
 *   the onLimiterStoreChange hook), and the shared one is used again as soon as Redis is back.
 * Concurrency is not shared: each process keeps its own cap (transport.ts), the budget is about the rate.
 */
import { createHash, randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import type { Redis as RedisClient } from 'ioredis';
import type { Clock, RemoteLogger } from './options.js';
import {
  currentRate,
  initialRateState,
  limiterSettings,
  onResponse,
  onSharedPause,
  pauseRemaining,
  settingsDiffer,
  type LimiterSettings,
  type RateConfig,
  type RateState,
  type ResponseSignals,
} from './rate-policy.js';

export type LimiterStoreKind = 'local' | 'redis';
/** Where the budget is kept right now: fallback = the store is redis but Redis cannot be reached. */
export type LimiterMode = 'local' | 'redis' | 'fallback';

export interface LimiterStoreOptions {
  store: LimiterStoreKind;
  /** redis://[user:password@]host:port[/db]; may hold a password, so it is never logged. */
  redisUrl?: string | undefined;
  /** Share of the rate this process uses on its own while Redis is unreachable (0–1]. */
  fallbackShare: number;
  /** Bottleneck's heartbeat: how often a Redis-kept reservoir refills. */
  heartbeatMs: number;
}

export const DEFAULT_LIMITER_STORE: LimiterStoreOptions = Object.freeze({ store: 'local', fallbackShare: 0.25, heartbeatMs: 250 });

/** How long a Redis connection may take before this process paces alone. */
const CONNECT_TIMEOUT_MS = 2000;
/** After falling back, how long before a ready connection is trusted again (reconnects come in waves). */
const REJOIN_AFTER_MS = 1000;

/** A limiter id with no secret in it: the account is hashed; the host is not secret. */
export function limiterId(source: string, host: string, account: string): string {
  const hash = createHash('sha256').update(`csync-account\0${source}\0${host}\0${account}`).digest('hex').slice(0, 16);
  return `csync:${source}:${host}:${hash}`;
}

/** Where the redis URL points, without credentials (for logs and the doctor). */
export function redactRedisUrl(url: string | undefined): string {
  if (!url) return '(none)';
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export interface LimiterSnapshot {
  mode: LimiterMode;
  id: string;
  pausedForMs: number;
  factor: number;
  nearLimit: boolean;
  requestsPerSecond: number;
  /** The most this limiter's recovery climbs to after a 429: the ceiling learned from the server's pace, as req/s. */
  ceilingRequestsPerSecond: number;
  inFlight: number;
  /** Where the shared budget lives (no credentials), for store redis. */
  redis: string | undefined;
  fallbackShare: number;
}

const noop = (): Promise<void> => Promise.resolve();

interface LocalStoreInternals {
  heartbeat?: NodeJS.Timeout | undefined;
  _startHeartbeat?: () => void;
  _lastReservoirIncrease?: number;
  storeOptions?: { reservoir?: number | null; reservoirIncreaseInterval?: number | null; reservoirIncreaseAmount?: number | null; reservoirIncreaseMaximum?: number | null };
  computeCapacity?: () => unknown;
}

/**
 * Bottleneck 2.19.5's local store stops its refill heartbeat on every updateSettings (it clears the interval and
 * keeps the handle, so it is never restarted): restart it, or a limiter whose settings changed never refills.
 */
async function updateLocal(limiter: Bottleneck, settings: Bottleneck.ConstructorOptions): Promise<void> {
  await (limiter.updateSettings(settings) as unknown as Promise<unknown>);
  const store = (limiter as unknown as { _store?: LocalStoreInternals })._store;
  if (store?._startHeartbeat) {
    clearInterval(store.heartbeat);
    store.heartbeat = undefined;
    store._startHeartbeat();
    // A restarted interval starts its period again: settings changed more often than the heartbeat (an advertised
    // pace moves with every answer) would never refill. The refill that is due is made here, as the heartbeat would.
    const o = store.storeOptions;
    if (o && o.reservoirIncreaseInterval != null && o.reservoirIncreaseAmount != null && o.reservoir != null && store._lastReservoirIncrease !== undefined && Date.now() >= store._lastReservoirIncrease + o.reservoirIncreaseInterval) {
      store._lastReservoirIncrease = Date.now();
      const incr = o.reservoirIncreaseMaximum != null ? Math.min(o.reservoirIncreaseAmount, o.reservoirIncreaseMaximum - o.reservoir) : o.reservoirIncreaseAmount;
      if (incr > 0) {
        o.reservoir += incr;
        const capacity = store.computeCapacity?.();
        (limiter as unknown as { _drainAll?: (c: unknown) => void })._drainAll?.(capacity);
      }
    }
  }
}

function scaled(s: LimiterSettings, share: number): LimiterSettings {
  return { ...s, reservoirIncreaseAmount: s.reservoirIncreaseAmount * share, reservoirIncreaseMaximum: Math.max(1, Math.floor(s.reservoirIncreaseMaximum * share)), minTime: Math.ceil(s.minTime / share) };
}

export class SourceLimiter {
  private state: RateState = initialRateState();
  private applied: LimiterSettings;
  /** Paces alone: the limiter for store "local", the fallback for store "redis". */
  private readonly local: Bottleneck;
  private shared: Bottleneck | undefined;
  private redis: RedisClient | undefined;
  private connection: Bottleneck.IORedisConnection | undefined;
  /** The first outcome of the store is always logged, even when it is the mode we started in. */
  private settled = false;
  private fellBackAt = 0;
  private rejoining = false;
  private connecting: Promise<void> | undefined;
  private modeNow: LimiterMode;
  /** Resolves (and is replaced) whenever the mode changes, so waiters on a dead store move on. */
  private modeChanged!: Promise<void>;
  private signalModeChange!: () => void;
  private readonly nonce = randomUUID();
  private inFlight = 0;
  private closed = false;
  /** Total ms callers spent waiting here (a metric). */
  waitedMs = 0;

  constructor(
    private readonly cfg: RateConfig,
    readonly id: string,
    private readonly store: LimiterStoreOptions,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly logger: RemoteLogger,
    private readonly onModeChange: (mode: LimiterMode, reason: string | undefined) => void = () => undefined,
  ) {
    this.resetModeSignal();
    this.applied = limiterSettings(cfg, this.state);
    const shareOfLocal = store.store === 'redis' ? store.fallbackShare : 1;
    const s = scaled(this.applied, shareOfLocal);
    this.local = new Bottleneck({ ...s, reservoir: s.reservoirIncreaseMaximum, heartbeatInterval: store.heartbeatMs });
    this.modeNow = store.store === 'redis' ? 'fallback' : 'local';
    if (store.store === 'redis') this.connecting = this.connect();
  }

  get mode(): LimiterMode {
    return this.modeNow;
  }

  /** Resolves once the store is settled (connected to Redis, or fallen back). */
  async ready(): Promise<void> {
    await this.connecting;
  }

  /** Waits until a request may start (pauses, then a token from the limiter). Returns the ms waited. */
  async acquire(): Promise<number> {
    const start = this.clock.now();
    const t0 = performance.now();
    if (this.connecting) await this.connecting;
    for (;;) {
      const pause = pauseRemaining(this.state, this.clock.now());
      if (pause > 0) {
        await this.sleep(pause);
        continue;
      }
      await this.token();
      // A 429 may have arrived while this request waited for its token: it waits out the pause like the others.
      if (pauseRemaining(this.state, this.clock.now()) === 0) break;
    }
    this.inFlight += 1;
    // Virtual clocks (tests) do not see Bottleneck's real waits; real ones see both.
    const waited = Math.max(this.clock.now() - start, performance.now() - t0);
    this.waitedMs += waited;
    return waited;
  }

  /** The started request ended (answered or failed); `signals` when there was an HTTP answer. */
  release(signals?: Omit<ResponseSignals, 'otherInFlight'>): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (!signals) return;
    const now = this.clock.now();
    const decision = onResponse(this.cfg, this.state, now, { ...signals, otherInFlight: this.inFlight });
    this.state = decision.state;
    if (decision.reservoir !== undefined) this.setReservoir(decision.reservoir);
    if (decision.broadcastPauseMs !== undefined && this.modeNow === 'redis' && this.shared) {
      const message = JSON.stringify({ from: this.nonce, pauseMs: decision.broadcastPauseMs, factor: this.state.factor });
      this.shared.publish(message).catch((err: unknown) => this.toFallback(err));
    }
    this.applySettings();
  }

  snapshot(): LimiterSnapshot {
    const now = this.clock.now();
    const rate = this.applied.reservoirIncreaseAmount / (this.applied.reservoirIncreaseInterval / 1000);
    return { mode: this.modeNow, id: this.id, pausedForMs: pauseRemaining(this.state, now), factor: this.state.factor, nearLimit: this.state.nearLimit, requestsPerSecond: rate,
      ceilingRequestsPerSecond: currentRate(this.cfg, { ...this.state, factor: this.state.ceiling }), inFlight: this.inFlight,
      redis: this.store.store === 'redis' ? redactRedisUrl(this.store.redisUrl) : undefined, fallbackShare: this.store.fallbackShare };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signalModeChange();
    await this.local.stop({ dropWaitingJobs: true }).catch(() => undefined);
    // The connection first: it stops every limiter's heartbeat and marks itself terminated, so nothing is sent on a
    // closing socket (Bottleneck would leave such a rejection unhandled). Its disconnect(false) leaves the subscriber
    // open: close it here.
    this.shared?.removeAllListeners();
    this.shared?.on('error', () => undefined);
    this.connection?.disconnect(false).catch(() => undefined);
    (this.connection as unknown as { subscriber?: { disconnect(): void } } | undefined)?.subscriber?.disconnect();
    this.redis?.disconnect();
  }

  private async token(): Promise<void> {
    // Bottleneck's timers do not keep the process alive: a run waiting only for a token must not end there.
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      await this.tokenFromStore();
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async tokenFromStore(): Promise<void> {
    // Rejoin once Redis has answered again for a moment (its client and subscriber reconnect at different times);
    // this request still paces alone.
    if (this.modeNow === 'fallback' && this.connection && this.redis?.status === 'ready' && performance.now() - this.fellBackAt >= REJOIN_AFTER_MS) {
      this.rejoin();
    }
    if (this.modeNow === 'redis' && this.shared) {
      const changed = this.modeChanged;
      try {
        const won = await Promise.race([this.shared.schedule(noop).then(() => true), changed.then(() => false)]);
        if (won) return;
      } catch (err) {
        this.toFallback(err);
      }
    }
    await this.local.schedule(noop);
  }

  private applySettings(): void {
    const next = limiterSettings(this.cfg, this.state);
    if (!settingsDiffer(this.applied, next)) return;
    this.applied = next;
    const share = this.store.store === 'redis' ? this.store.fallbackShare : 1;
    // A local limiter's settings update cannot fail (no store behind it): nothing to handle.
    updateLocal(this.local, scaled(next, share)).catch(() => undefined);
    if (this.shared && this.modeNow === 'redis') {
      (this.shared.updateSettings(next) as unknown as Promise<unknown>).catch((err: unknown) => this.toFallback(err));
    }
  }

  /** Sets what is left now (0 after a 429): for every process sharing the budget. */
  private setReservoir(n: number): void {
    const share = this.store.store === 'redis' ? this.store.fallbackShare : 1;
    updateLocal(this.local, { reservoir: Math.floor(n * share) }).catch(() => undefined);
    if (this.shared && this.modeNow === 'redis') {
      (this.shared.updateSettings({ reservoir: n }) as unknown as Promise<unknown>).catch((err: unknown) => this.toFallback(err));
    }
  }

  private resetModeSignal(): void {
    this.modeChanged = new Promise<void>((resolve) => {
      this.signalModeChange = resolve;
    });
  }

  private setMode(mode: LimiterMode, reason: string | undefined): void {
    if ((this.modeNow === mode && this.settled) || this.closed) return;
    this.settled = true;
    this.modeNow = mode;
    if (mode === 'fallback') this.fellBackAt = performance.now();
    this.signalModeChange();
    this.resetModeSignal();
    if (mode === 'fallback') {
      this.logger.warn({ limiter: this.id, redis: redactRedisUrl(this.store.redisUrl), reason, share: this.store.fallbackShare }, 'shared rate budget unavailable: pacing alone at a conservative share until Redis is back');
    } else {
      this.logger.info({ limiter: this.id, redis: redactRedisUrl(this.store.redisUrl) }, 'shared rate budget in use (Redis)');
    }
    this.onModeChange(mode, reason);
  }

  private toFallback(err: unknown): void {
    this.setMode('fallback', err instanceof Error ? err.message : String(err));
  }

  private async connect(): Promise<void> {
    const url = this.store.redisUrl;
    try {
      if (!url) throw new Error('no Redis URL configured');
      const { Redis } = await import('ioredis');
      const redis = new Redis(url, {
        // Fail fast while disconnected instead of queueing: this process paces alone meanwhile.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 2000,
        connectTimeout: CONNECT_TIMEOUT_MS,
        retryStrategy: (times: number) => Math.min(250 * times, 2000),
        lazyConnect: false,
      });
      this.redis = redis;
      redis.on('error', (err: Error) => this.toFallback(err));
      redis.on('close', () => this.toFallback(new Error('connection closed')));
      const connection = new Bottleneck.IORedisConnection({ client: redis as never });
      this.connection = connection;
      connection.on('error', (err: Error) => this.toFallback(err));
      await this.joinShared();
    } catch (err) {
      // tokenFromStore tries again once Redis answers.
      this.toFallback(err);
    } finally {
      this.connecting = undefined;
    }
  }

  /**
   * A new shared limiter on the connection: its init creates the limiter's keys when Redis lost them (a restarted
   * Redis) and keeps them when they are there (the budget other processes share). Bottleneck 2.19.5 cannot recover
   * lost keys by itself on Redis 7 (it looks for "SETTINGS_KEY_NOT_FOUND", Redis 7 answers "ERR SETTINGS_KEY_NOT_FOUND").
   */
  private async joinShared(): Promise<void> {
    const old = this.shared;
    if (old) {
      this.shared = undefined;
      // Not old.disconnect(): it unsubscribes on a connection that may be down, and Bottleneck leaves that promise
      // unhandled. The new limiter takes over the channel; the old one's heartbeat is stopped here.
      old.removeAllListeners();
      old.on('error', () => undefined);
      clearInterval((old as unknown as { _store?: { heartbeat?: NodeJS.Timeout } })._store?.heartbeat);
    }
    const shared = new Bottleneck({
      id: this.id,
      datastore: 'ioredis',
      connection: this.connection!,
      clearDatastore: false,
      heartbeatInterval: this.store.heartbeatMs,
      ...this.applied,
      reservoir: this.applied.reservoirIncreaseMaximum,
    });
    shared.on('error', (err: Error) => this.toFallback(err));
    shared.on('message', (text: string) => this.onMessage(text));
    this.shared = shared;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([shared.ready(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    // Settings learned while alone (a slower pace after a 429) go to the shared limiter.
    await (shared.updateSettings(this.applied) as unknown as Promise<unknown>);
    this.setMode('redis', undefined);
  }

  private rejoin(): void {
    if (this.rejoining || this.closed) return;
    this.rejoining = true;
    this.joinShared()
      .catch((err: unknown) => {
        this.fellBackAt = performance.now();
        this.logger.debug({ limiter: this.id, reason: err instanceof Error ? err.message : String(err) }, 'Redis still unavailable');
      })
      .finally(() => {
        this.rejoining = false;
      });
  }

  private onMessage(text: string): void {
    let m: { from?: unknown; pauseMs?: unknown; factor?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    if (m.from === this.nonce || typeof m.pauseMs !== 'number' || typeof m.factor !== 'number') return;
    this.state = onSharedPause(this.state, this.clock.now(), m.pauseMs, m.factor);
    this.applySettings();
  }
}
