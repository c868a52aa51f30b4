/** The Confluence client: createConfluenceClient(options) → ConfluenceClient (implements ConfluenceApi). */
export { createConfluenceClient, type ConfluenceClient } from './client.js';
export type { ClientOptions, ClientAuth, Clock, RemoteLogger } from './options.js';
export type { ClientHooks, ClientStatsSnapshot, OperationStats, RequestEvent, RetryEvent } from './stats.js';
export type { BreakerSnapshot, BreakerState } from './breaker.js';
export type { LongTaskStatus } from './schemas.js';
export { resolveSiteUrls, type SiteUrls, type ApiFlavour } from './site-url.js';
export { retryDelayMs, parseRetryAfterMs } from '../core/backoff.js';
export type { LimiterMode, LimiterSnapshot, LimiterStoreOptions } from './limiter.js';
