import type { FormatName } from '../format/types.js';
import type { ProfileName } from './settings.js';
import type { NamedSiteConfig } from './sites.js';

import type { ExportDefinition } from './export-definitions.js';

export interface SourceSettings {
  readonly profile?: ProfileName;
  readonly rate: { readonly requestsPerSecond: number; readonly burst: number; readonly maxConcurrent: number };
}

export interface ConfigSource {
  layer: 'default' | 'profile' | 'file' | 'dotenv' | 'env' | 'flag';
  /** Profile name, file path, variable name or flag name. */
  name?: string;
}

/** The validated, frozen configuration. Shapes mirror src/config/settings.ts. */
export interface Config {
  readonly workspace: string;
  readonly configFile: string | undefined;
  readonly site: {
    readonly url?: string;
    readonly email?: string;
    readonly apiToken?: string;
    readonly pat?: string;
    readonly allowInsecureHttp: boolean;
  };
  readonly spaces: readonly string[];
  readonly scope: { readonly rootPageId?: string; readonly labels: readonly string[]; readonly cql?: string };
  readonly format: FormatName;
  readonly profile: ProfileName;
  readonly rate: { readonly requestsPerSecond: number; readonly burst: number; readonly maxConcurrent: number };
  /** Other sources' presets and rates (Confluence's are `profile` and `rate`). */
  readonly jira: SourceSettings & { readonly url?: string; readonly flavour: 'auto' | 'cloud' | 'data-center'; readonly pat?: string };
  readonly notion: SourceSettings;
  readonly rateLimit: { readonly store: 'local' | 'redis'; readonly redisUrl?: string; readonly fallbackShare: number; readonly heartbeatMs: number };
  readonly retry: { readonly maxRetries: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly timeouts: { readonly connectMs: number; readonly responseMs: number };
  readonly breaker: { readonly failureThreshold: number; readonly halfOpenAfterMs: number };
  readonly concurrency: { readonly pages: number; readonly attachments: number };
  readonly batch: { readonly pageSize: number };
  readonly sync: {
    readonly maxDeletePercent: number;
    readonly maxDeleteCount?: number;
    readonly minorEdit: boolean;
    readonly versionMessage: string;
    readonly maxPageBytes: number;
  };
  readonly watch: { readonly debounceMs: number; readonly pollSeconds: number; readonly rescanSeconds: number; readonly listen: string };
  readonly exports: readonly ExportDefinition[];
  readonly export?: { readonly pdf?: { readonly font?: string }; readonly keepJobsDays?: number };
  readonly log: { readonly level: string; readonly maxFileBytes: number; readonly maxFiles: number };
  /** Named sites besides `site` (config file only; credentials from the environment), for `csync compare`. */
  readonly sites: Readonly<Record<string, NamedSiteConfig>>;
  /** Where each setting's value came from. */
  readonly sources: Readonly<Record<string, ConfigSource>>;
  /** Non-fatal problems found while loading (shown once by the CLI). */
  readonly warnings: readonly string[];
}

/** The values of every secret setting (for redaction). */
export function secretsOf(config: Pick<Config, 'site'> & { readonly rateLimit?: Config['rateLimit']; readonly jira?: Config['jira'] }): string[] {
  return [config.site.apiToken, config.site.pat, config.rateLimit?.redisUrl, config.jira?.pat].filter((s): s is string => typeof s === 'string' && s.length > 0);
}
