/** Maps the workspace config onto the Confluence client's options, and builds the client. */
import type { Config } from '../config/index.js';
import type { Logger } from '../obs/logger.js';
import { storageEquals } from '../format/index.js';
import { ConfigError } from '../core/errors.js';
import { createConfluenceClient, resolveSiteUrls } from '../remote/index.js';
import { createJiraClient, type JiraClient, type JiraClientOptions } from '../remote/jira/index.js';
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

/**
 * The Jira client options from the config, or a reason why Jira is not usable. jira.url defaults to the Confluence
 * site's origin on Cloud (Jira and Confluence Cloud share https://SITE.atlassian.net); Data Center needs jira.url.
 * Auth: jira.pat (bearer), else the Atlassian account (site.email + site.apiToken), else site.pat.
 */
export function jiraOptionsFrom(config: Config, logger?: Logger): { options: JiraClientOptions; explicit: boolean } | { problem: string; hint: string } {
  const site = config.site;
  const jira = config.jira;
  let url = jira.url;
  if (!url && site.url) {
    try {
      if (resolveSiteUrls(site.url, site.allowInsecureHttp).flavour === 'cloud') url = new URL(site.url).origin;
    } catch {
      /* the Confluence URL's own error is reported elsewhere */
    }
  }
  if (!url) return { problem: 'no Jira URL configured', hint: 'set JIRA_URL (e.g. https://jira.example.com) in the workspace .env, or jira.url in config/csync.json' };
  const auth: JiraClientOptions['auth'] | undefined = jira.pat
    ? { kind: 'bearer', token: jira.pat }
    : site.email && site.apiToken
      ? { kind: 'basic', email: site.email, token: site.apiToken }
      : site.pat
        ? { kind: 'bearer', token: site.pat }
        : undefined;
  if (!auth) return { problem: 'no credentials for Jira', hint: 'set ATLASSIAN_USERNAME and ATLASSIAN_API_TOKEN (Cloud; CONFLUENCE_EMAIL / CONFLUENCE_API_TOKEN work too) or JIRA_PAT (Data Center)' };
  const flavour = jira.flavour === 'auto' ? (auth.kind === 'bearer' ? 'data-center' : 'cloud') : jira.flavour;
  return {
    explicit: Boolean(jira.url),
    options: {
      baseUrl: url,
      flavour,
      auth,
      rate: { ...jira.rate },
      retry: { ...config.retry },
      timeouts: { ...config.timeouts },
      breaker: { ...config.breaker },
      allowInsecureHttp: site.allowInsecureHttp,
      userAgent: USER_AGENT,
      ...(logger ? { logger: logger.child({ module: 'remote', source: 'jira' }) } : {}),
    },
  };
}

/** The Jira client, or a usage error saying what to configure. */
export function jiraClientFor(config: Config, logger?: Logger): JiraClient {
  const r = jiraOptionsFrom(config, logger);
  if ('problem' in r) throw new ConfigError(r.problem, { hint: r.hint });
  return createJiraClient(r.options);
}
