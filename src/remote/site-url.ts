/**
 * Where the REST APIs of a site live, from the URL the user wrote. Pure.
 *
 * Cloud: https://x.atlassian.net or https://x.atlassian.net/wiki (both accepted) → context path /wiki.
 * Data Center: https://host/confluence (any context path, or none).
 * Either way v1 is <context>/rest/api and v2 is <context>/api/v2. A URL path ending in /wiki is read as Cloud
 * (that is also how the emulator serves), an *.atlassian.net host always is.
 */
import { ConfigError } from '../core/errors.js';

export type ApiFlavour = 'cloud' | 'data-center';

export interface SiteUrls {
  /** scheme://host[:port] */
  readonly origin: string;
  /** '' or '/wiki' or '/confluence' … (no trailing slash) */
  readonly contextPath: string;
  readonly v1: string;
  readonly v2: string;
  readonly flavour: ApiFlavour;
  readonly host: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export function resolveSiteUrls(baseUrl: string, allowInsecureHttp = false, flavourOverride?: ApiFlavour): SiteUrls {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new ConfigError(`site.url is not a URL: ${JSON.stringify(baseUrl)}`, {
      hint: 'write it like https://your-site.atlassian.net/wiki (Cloud) or https://confluence.example.com (Data Center)',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`site.url must use https, not ${url.protocol}`, { hint: 'write it like https://your-site.atlassian.net/wiki' });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    throw new ConfigError(`site.url uses plain http for ${url.hostname}: credentials would travel unencrypted`, {
      hint: 'use https, or set site.allowInsecureHttp to true if this really is a trusted network',
    });
  }
  if (url.username || url.password) {
    throw new ConfigError('site.url must not contain credentials', { hint: 'put the e-mail and token in .env (CONFLUENCE_EMAIL, CONFLUENCE_API_TOKEN)' });
  }
  let path = url.pathname.replace(/\/+$/, '');
  // People paste page or API URLs; keep only the context path.
  path = path.replace(/\/(rest\/api|api\/v2|spaces|display|pages)(\/.*)?$/, '');
  const cloudHost = /\.atlassian\.net$/i.test(url.hostname) || /\.jira\.com$/i.test(url.hostname);
  if (cloudHost && path === '') path = '/wiki';
  const flavour: ApiFlavour = flavourOverride ?? (cloudHost || path.endsWith('/wiki') ? 'cloud' : 'data-center');
  const origin = url.origin;
  return Object.freeze({
    origin,
    contextPath: path,
    v1: `${origin}${path}/rest/api`,
    v2: `${origin}${path}/api/v2`,
    flavour,
    host: url.host,
  });
}
