/**
 * Named Confluence sites besides the workspace's own (`sites` in config/csync.json), for commands that read more
 * than one site (`csync compare prod:DOC staging:DOC`). Each has its own URL and credentials; secrets stay out of the
 * config file: the entry names the environment variables (process environment or the workspace .env) that hold them.
 *
 *   "sites": {
 *     "prod":    { "url": "https://acme.atlassian.net/wiki", "email": "me@acme.test", "tokenEnv": "PROD_TOKEN" },
 *     "staging": { "url": "https://dc.acme.test", "patEnv": "STAGING_PAT" }
 *   }
 *
 * Without `emailEnv` / `tokenEnv` / `patEnv` the variables are `<NAME>_CONFLUENCE_EMAIL`, `<NAME>_CONFLUENCE_API_TOKEN`
 * and `<NAME>_CONFLUENCE_PAT` (the name upper-cased, `-` as `_`).
 */
import type * as Zod from 'zod';
import { z } from './lazy-zod.js';
import { ConfigError } from '../core/errors.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const SITE_SCHEMA = z
  .object({
    url: z.string().url(),
    email: z.string().min(1).optional(),
    emailEnv: envName.optional(),
    tokenEnv: envName.optional(),
    patEnv: envName.optional(),
    allowInsecureHttp: z.boolean().optional(),
  })
  .strict();

export type NamedSiteConfig = Zod.infer<typeof SITE_SCHEMA>;

export const SITE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Validates the `sites` object of a config file; messages name the site and the key. */
export function parseSites(raw: unknown, file: string): Readonly<Record<string, NamedSiteConfig>> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file}: 'sites' must be an object of named sites`, { hint: 'e.g. "sites": {"prod": {"url": "https://acme.atlassian.net/wiki", "tokenEnv": "PROD_TOKEN"}}' });
  }
  const out: Record<string, NamedSiteConfig> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!SITE_NAME.test(name)) {
      throw new ConfigError(`${file}: site name ${JSON.stringify(name)} is invalid: expected a letter then letters, digits, _ or -`);
    }
    const parsed = SITE_SCHEMA.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length ? `sites.${name}.${issue.path.join('.')}` : `sites.${name}`;
      const what = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
      throw new ConfigError(`${file}: ${where} is invalid: ${what}`, { hint: 'a site has url and optionally email, emailEnv, tokenEnv, patEnv, allowInsecureHttp (see the README, "Comparing")' });
    }
    out[name] = Object.freeze(parsed.data);
  }
  return Object.freeze(out);
}

/** The environment variable names a site's credentials are read from. */
export function siteEnvNames(name: string, site: NamedSiteConfig): { email: string; token: string; pat: string } {
  const prefix = name.toUpperCase().replace(/-/g, '_');
  return {
    email: site.emailEnv ?? `${prefix}_CONFLUENCE_EMAIL`,
    token: site.tokenEnv ?? `${prefix}_CONFLUENCE_API_TOKEN`,
    pat: site.patEnv ?? `${prefix}_CONFLUENCE_PAT`,
  };
}
