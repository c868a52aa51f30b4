/** Maps the workspace config onto the Confluence client's options, and builds the client. */
import type { Config } from '../config/index.js';
import type { Logger } from '../obs/logger.js';
import { storageEquals } from '../format/index.js';
import { createConfluenceClient } from '../remote/index.js';
import type { ClientOptions } from '../remote/options.js';
import { USER_AGENT } from '../version.js';

/** The client's options for the workspace's site, or for `site` (a named site of `sites`) with the same settings. */
export function clientOptionsFrom(config: Config, logger?: Logger, site: Config['site'] = config.site): ClientOptions {
  const auth: ClientOptions['auth'] = site.pat
    ? { kind: 'bearer', token: site.pat }
    : { kind: 'basic', email: site.email ?? '', token: site.apiToken ?? '' };
  return {
    baseUrl: site.url ?? '',
    auth,
    rate: { ...config.rate },
    rateLimit: { ...config.rateLimit },
    retry: { ...config.retry },
    timeouts: { ...config.timeouts },
    breaker: { ...config.breaker },
    allowInsecureHttp: site.allowInsecureHttp,
    userAgent: USER_AGENT,
    sameBody: storageEquals,
    ...(logger ? { logger: logger.child({ module: 'remote' }) } : {}),
  };
}

export function clientFor(config: Config, logger?: Logger, site?: Config['site']) {
  return createConfluenceClient(clientOptionsFrom(config, logger, site));
}
