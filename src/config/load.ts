/**
 * Loads the configuration: defaults < profile < workspace config file < environment (.env, then the process
 * environment) < command-line flags. Each layer is a partial object; the merged result is validated by the schema
 * of src/config/settings.ts and frozen. Errors name the key, the value, where it came from and what is allowed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { PROFILES, REMOVED_SETTINGS, SETTINGS, SETTINGS_BY_PATH, envNameFor, knownKeys, type ProfileName, type SettingDef } from './settings.js';
import { parseSites, type NamedSiteConfig } from './sites.js';
import { suggest } from './suggest.js';
import { OTHER_SOURCES } from './source-rate.js';
import type { Config, ConfigSource } from './types.js';

/** The package's own folder (for config/profiles), found from this file: dist/config or src/config. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CONFIG_FILE_NAME = 'csync.json';

export interface LoadOptions {
  workspace?: string | undefined;
  /** Explicit config file; default <workspace>/config/csync.json. */
  configFile?: string | undefined;
  /** Flag values keyed by setting path (e.g. {"profile": "fast", "log.level": "debug"}). Undefined values are ignored. */
  flags?: Record<string, unknown>;
  /** The process environment (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** Use this object as the config file's content instead of reading the file (init validates before writing). */
  fileContent?: unknown;
  /** Require credentials and a URL (commands that talk to Confluence). */
  requireSite?: boolean;
}

type Flat = Map<string, { value: unknown; source: ConfigSource }>;

function flatten(obj: unknown, prefix: string, source: ConfigSource, out: Flat, file: string, warnings?: string[]): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ConfigError(`${file}: expected a JSON object${prefix ? ` at '${prefix}'` : ''}`);
  }
  const known = knownKeys();
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (k === '$schema') continue;
    const path = prefix ? `${prefix}.${k}` : k;
    const removed = REMOVED_SETTINGS.get(path);
    if (removed !== undefined) {
      warnings?.push(`${file}: '${path}' is no longer a setting and is ignored: ${removed}; remove it from the file`);
      continue;
    }
    if (!known.has(path)) {
      const hint = suggest(path, known);
      throw new ConfigError(`${file}: unknown setting '${path}'${hint ? ` — did you mean '${hint}'?` : ''}`, {
        hint: 'see the configuration table in the README for every setting',
      });
    }
    if (SETTINGS_BY_PATH.has(path)) out.set(path, { value: v, source });
    else flatten(v, path, source, out, file, warnings);
  }
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${what} ${path} is not valid JSON: ${(err as Error).message}`, {
      hint: 'fix the syntax (a trailing comma or a missing quote is the usual cause)',
      cause: err,
    });
  }
}

function parseEnvValue(def: SettingDef, raw: string, name: string): unknown {
  switch (def.kind) {
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid for ${def.path}: expected a number`);
      }
      return n;
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid for ${def.path}: expected true or false`);
    }
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new ConfigError(`${name} is invalid for ${def.path}: expected JSON`);
      }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    default:
      return raw;
  }
}

/** Environment variables this program reads itself without being settings (tests, benchmarks). */
const INTERNAL_ENV = /^CSYNC_(WORKSPACE$|SOAK|TEST_|BENCH_|DEBUG_|DEMO_)/;

function envLayer(env: NodeJS.ProcessEnv, source: ConfigSource, out: Flat, warnings: string[]): void {
  const byEnvName = new Map<string, SettingDef>();
  for (const def of SETTINGS) {
    byEnvName.set(envNameFor(def.path), def);
    for (const alias of def.aliases ?? []) if (alias.startsWith('CSYNC_')) byEnvName.set(alias, def);
  }
  for (const def of SETTINGS) {
    // Aliases first (lowest), the CSYNC_ name last (it wins): the first alias listed beats later ones.
    const names = [...(def.aliases ?? [])].reverse();
    names.push(envNameFor(def.path));
    for (const name of names) {
      const raw = env[name];
      if (raw === undefined || raw === '') continue;
      out.set(def.path, { value: parseEnvValue(def, raw, name), source: { ...source, name } });
    }
  }
  for (const name of Object.keys(env)) {
    if (!name.startsWith('CSYNC_') || byEnvName.has(name) || INTERNAL_ENV.test(name)) continue;
    const removed = [...REMOVED_SETTINGS].find(([path]) => envNameFor(path) === name);
    if (removed) {
      warnings.push(`${name} (${removed[0]}) is no longer a setting and is ignored: ${removed[1]}; unset it`);
      continue;
    }
    const hint = suggest(name, byEnvName.keys());
    warnings.push(`ignoring unknown environment variable ${name}${hint ? ` — did you mean ${hint}?` : ''}`);
  }
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    cur[p] ??= {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function describeSource(src: ConfigSource): string {
  switch (src.layer) {
    case 'default':
      return 'default';
    case 'profile':
      return `profile ${src.name}`;
    case 'file':
      return src.name ?? 'config file';
    case 'dotenv':
      return `${src.name} in .env`;
    case 'env':
      return `environment ${src.name}`;
    case 'flag':
      return `flag --${src.name}`;
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** What a failed check allows, in words: "a number >= 1", "one of markdown, storage", "a URL". */
function allowedFromIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'a valid value';
  const i = issue as unknown as Record<string, unknown>;
  switch (issue.code) {
    case 'too_small':
      return i.origin === 'array' ? `at least ${String(i.minimum)} item(s)` : i.origin === 'string' ? `at least ${String(i.minimum)} character(s)` : `a number ${i.inclusive ? '>=' : '>'} ${String(i.minimum)}`;
    case 'too_big':
      return i.origin === 'array' ? `at most ${String(i.maximum)} item(s)` : i.origin === 'string' ? `at most ${String(i.maximum)} characters` : `a number ${i.inclusive ? '<=' : '<'} ${String(i.maximum)}`;
    case 'invalid_value':
      return `one of ${(i.values as unknown[]).map(String).join(', ')}`;
    case 'invalid_type':
      return i.expected === 'int' ? 'a whole number' : `a ${String(i.expected)}`;
    case 'invalid_format':
      return i.format === 'url' ? 'a URL such as https://your-site.atlassian.net' : issue.message;
    default:
      return issue.message;
  }
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const workspace = resolve(options.workspace ?? env.CSYNC_WORKSPACE ?? process.cwd());
  const warnings: string[] = [];
  const flat: Flat = new Map();

  for (const def of SETTINGS) {
    if (def.default !== undefined) flat.set(def.path, { value: def.default, source: { layer: 'default' } });
  }

  // The config file may name the profile; so may env and flags. Read all layers, then pick the profile.
  const fileLayer: Flat = new Map();
  const explicitFile = options.configFile !== undefined;
  const configFile = explicitFile
    ? resolve(workspace, options.configFile!)
    : join(workspace, 'config', CONFIG_FILE_NAME);
  let configFileUsed: string | undefined;
  let sites: Readonly<Record<string, NamedSiteConfig>> = {};
  // `sites` (named sites for compare) is a map of its own, not a setting: taken out before the settings are read.
  const withoutSites = (content: unknown) => {
    if (content === null || typeof content !== 'object' || Array.isArray(content) || !('sites' in content)) return content;
    const { sites: raw, ...rest } = content as Record<string, unknown>;
    sites = parseSites(raw, configFile);
    return rest;
  };
  if (options.fileContent !== undefined) {
    flatten(withoutSites(options.fileContent), '', { layer: 'file', name: configFile }, fileLayer, configFile, warnings);
  } else if (existsSync(configFile)) {
    configFileUsed = configFile;
    flatten(withoutSites(readJsonFile(configFile, 'config file')), '', { layer: 'file', name: configFile }, fileLayer, configFile, warnings);
    const holdsSecret = [...fileLayer.keys()].some((k) => SETTINGS_BY_PATH.get(k)?.secret);
    if (holdsSecret && process.platform !== 'win32') {
      const mode = statSync(configFile).mode & 0o777;
      if (mode & 0o077) {
        warnings.push(
          `${configFile} holds a token and is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${configFile}`,
        );
      }
    }
  } else if (explicitFile) {
    throw new ConfigError(`config file not found: ${configFile}`, { hint: 'check --config, or run `csync init`' });
  }

  const dotenvLayer: Flat = new Map();
  const dotenvPath = join(workspace, '.env');
  if (existsSync(dotenvPath)) {
    const parsed = parseDotenv(readFileSync(dotenvPath));
    envLayer(parsed, { layer: 'dotenv', name: '' }, dotenvLayer, warnings);
    const mode = statSync(dotenvPath).mode & 0o777;
    const holdsSecret = [...dotenvLayer.keys()].some((k) => SETTINGS_BY_PATH.get(k)?.secret);
    if (holdsSecret && mode & 0o077 && process.platform !== 'win32') {
      warnings.push(`${dotenvPath} holds a token and is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${dotenvPath}`);
    }
  }
  const processEnvLayer: Flat = new Map();
  envLayer(env, { layer: 'env', name: '' }, processEnvLayer, warnings);

  const flagLayer: Flat = new Map();
  for (const [path, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    if (!SETTINGS_BY_PATH.has(path)) throw new ConfigError(`internal: flag maps to unknown setting ${path}`);
    flagLayer.set(path, { value, source: { layer: 'flag', name: path.split('.').pop()!.replace(/([A-Z])/g, '-$1').toLowerCase() } });
  }

  const profileEntry =
    flagLayer.get('profile') ?? processEnvLayer.get('profile') ?? dotenvLayer.get('profile') ?? fileLayer.get('profile');
  const profile = (profileEntry?.value ?? 'balanced') as ProfileName;
  if (!PROFILES.includes(profile)) {
    const src = profileEntry ? describeSource(profileEntry.source) : 'default';
    throw new ConfigError(
      `profile = ${JSON.stringify(profile)} (from ${src}) is invalid: expected one of ${PROFILES.join(', ')}`,
    );
  }
  const profileFile = join(PACKAGE_ROOT, 'config', 'profiles', `${profile}.json`);
  flatten(readJsonFile(profileFile, 'profile'), '', { layer: 'profile', name: profile }, flat, profileFile);

  // A source with a profile of its own (jira.profile, notion.profile) takes that profile's section for it.
  for (const src of OTHER_SOURCES) {
    const entry = flagLayer.get(`${src}.profile`) ?? processEnvLayer.get(`${src}.profile`) ?? dotenvLayer.get(`${src}.profile`) ?? fileLayer.get(`${src}.profile`);
    const own = entry?.value;
    if (own === undefined || own === profile) continue;
    if (!PROFILES.includes(own as ProfileName)) {
      throw new ConfigError(`${src}.profile = ${JSON.stringify(own)} (from ${describeSource(entry!.source)}) is invalid: expected one of ${PROFILES.join(', ')}`);
    }
    const file = join(PACKAGE_ROOT, 'config', 'profiles', `${String(own)}.json`);
    const section = (readJsonFile(file, 'profile') as Record<string, unknown>)[src];
    if (section !== undefined) flatten(section, src, { layer: 'profile', name: String(own) }, flat, file);
  }

  for (const layer of [fileLayer, dotenvLayer, processEnvLayer, flagLayer]) {
    for (const [k, v] of layer) flat.set(k, v);
  }

  // Validate each value on its own so the message names the key, the value and its source.
  const result: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const [path, { value, source }] of flat) {
    const def = SETTINGS_BY_PATH.get(path)!;
    // Defaults are the table's own (each checked against its schema by test/config/lazy-zod.test.ts): taken as they
    // are, copied, so that an empty `exports` does not build the export-definition schemas on every run.
    const parsed = source.layer === 'default' ? { success: true as const, data: Array.isArray(value) ? [...value] : value } : def.schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const shown = def.secret ? '(hidden)' : JSON.stringify(value);
      // Inside a structured value (exports): name the element, not the whole value.
      const at = def.kind === 'json' && issue?.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : '';
      throw new ConfigError(
        at
          ? `${path}${at} (from ${describeSource(source)}) is invalid: ${issue!.code === 'custom' || issue!.code === 'unrecognized_keys' ? issue!.message : `expected ${allowedFromIssue(issue)}`}`
          : `${path} = ${shown} (from ${describeSource(source)}) is invalid: expected ${allowedFromIssue(issue)}`,
        { hint: `see the configuration table in the README (${def.description})` },
      );
    }
    setPath(result, path, parsed.data);
    sources[path] = source;
  }

  const cfg = result as unknown as Omit<Config, 'workspace' | 'configFile' | 'sites' | 'sources' | 'warnings'>;
  if (cfg.retry.maxDelayMs < cfg.retry.baseDelayMs) {
    throw new ConfigError(
      `retry.maxDelayMs = ${cfg.retry.maxDelayMs} is invalid: expected a value >= retry.baseDelayMs (${cfg.retry.baseDelayMs})`,
    );
  }
  if (cfg.rateLimit.store === 'redis' && !cfg.rateLimit.redisUrl) {
    throw new ConfigError('rateLimit.store is redis but no Redis URL is configured', {
      hint: 'set CSYNC_REDIS_URL (e.g. redis://127.0.0.1:6379) or rateLimit.redisUrl, or set rateLimit.store to local',
    });
  }
  const config: Config = {
    ...cfg,
    workspace,
    configFile: configFileUsed,
    sites,
    sources,
    warnings,
  } as Config;
  if (options.requireSite) assertSite(config);
  return deepFreeze(config);
}

/** Throws a ConfigError naming the first missing credential. */
export function assertSite(config: Config): void {
  const site = config.site ?? {};
  if (!site.url) {
    throw new ConfigError('no Confluence URL configured', {
      hint: 'set CONFLUENCE_URL (e.g. https://your-site.atlassian.net) in the workspace .env, or site.url in config/csync.json',
    });
  }
  if (!site.pat && !site.apiToken) {
    throw new ConfigError('no Confluence credentials configured', {
      hint: 'set CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN (Cloud) or CONFLUENCE_PAT (Data Center) in the workspace .env',
    });
  }
  if (!site.pat && site.apiToken && !site.email) {
    throw new ConfigError('an API token is configured but no e-mail', {
      hint: 'set CONFLUENCE_EMAIL to the Atlassian account e-mail the token belongs to (or use CONFLUENCE_PAT for Data Center)',
    });
  }
}

export function isAbsoluteOrRelative(p: string, base: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

export { describeSource };
