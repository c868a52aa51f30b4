/**
 * Rates per source. Every source csync talks to has its own limiter and budget (src/remote/limiter.ts, keyed by
 * source + site + account): Confluence takes `profile` and `rate.*`; the others take `<source>.profile` (default:
 * `profile`) and `<source>.rate.*`, whose values come from that profile's section for the source
 * (config/profiles/*.json) unless set (CSYNC_JIRA_RATE_REQUESTS_PER_SECOND, CSYNC_NOTION_PROFILE, ...).
 */
import type { Config } from './types.js';

export const SOURCES = ['confluence', 'jira', 'notion'] as const;
export type SourceName = (typeof SOURCES)[number];
/** The sources with their own section in the config (Confluence's settings are the top-level ones). */
export const OTHER_SOURCES = ['jira', 'notion'] as const;

export interface SourceRate {
  profile: Config['profile'];
  requestsPerSecond: number;
  burst: number;
  maxConcurrent: number;
}

/** The preset and the rate a source's client paces to (the ceiling where the server advertises no budget). */
export function rateOf(config: Pick<Config, 'profile' | 'rate' | 'jira' | 'notion'>, source: SourceName): SourceRate {
  if (source === 'confluence') return { profile: config.profile, ...config.rate };
  const s = config[source];
  return { profile: s.profile ?? config.profile, ...s.rate };
}
