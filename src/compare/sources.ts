/**
 * The two sides of `csync compare`: what the user names (`prod:DOC`, a workspace folder, an export bundle folder or
 * zip) → the pages with their title paths and normalised Markdown. Every side goes through storage and then the
 * project's storage → Markdown converter with one neutral link resolver (links by title), so a page reads the same
 * whether it came from a site, a workspace file or a bundle, and only real differences show. Jira issues come from
 * bundles (their Markdown as exported) and from `jira:JQL` (rendered by the export's own issue renderer).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, posix, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { Config } from '../config/index.js';
import { loadConfig } from '../config/index.js';
import { siteEnvNames, SITE_NAME } from '../config/sites.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { parseFile } from '../format/front-matter.js';
import { loadFormat } from '../format/index.js';
import type { LinkResolver, PageRef } from '../format/types.js';
import { readTextSafe } from '../local/safe-fs.js';
import type { Logger } from '../obs/logger.js';
import { registerSecret } from '../obs/redact.js';
import type { ComparedPage, CompareSide } from './compare.js';
import { readBundle } from './bundle-source.js';

/** Progress of a long step: pages listed or converted so far (the CLI shows it as a bar or JSON lines). */
export type OnProgress = (e: { phase: string; done: number; total?: number | undefined }) => void;
const quiet: OnProgress = () => {};

export type SideSpec =
  | { kind: 'site'; label: string; siteName: string; space: string }
  | { kind: 'workspace'; label: string; dir: string; space?: string | undefined }
  | { kind: 'bundle'; label: string; path: string; space?: string | undefined }
  | { kind: 'jira'; label: string; jql: string };

/** `jira:JQL`: the issues the workspace's Jira (jira.url) returns for the query, read as an issues-only export would. */
const JIRA_SPEC = /^jira:(.+)$/s;

const SITE_SPEC = new RegExp(`^(${SITE_NAME.source.slice(1, -1)}):([A-Za-z0-9_~]{1,255})$`);

/**
 * What an argument names. `NAME:SPACE` is a site when NAME is in `sites` (or is `default`, the workspace's own site)
 * and no file of that name exists; a folder or file is a bundle (it has manifest.json, or is a .zip) or a workspace
 * (it has config/csync.json); `PATH#SPACE` picks one space of a workspace or bundle that holds several.
 */
export function parseSide(arg: string, config: Config, cwd: string): SideSpec {
  const jira = JIRA_SPEC.exec(arg);
  if (jira && !existsSync(resolve(cwd, arg))) {
    if (!jira[1]!.trim()) throw new UsageError(`'${arg}' names no Jira query`, { hint: "e.g. 'jira:project = DEMO'" });
    return { kind: 'jira', label: arg, jql: jira[1]!.trim() };
  }
  const site = SITE_SPEC.exec(arg);
  if (site && !existsSync(resolve(cwd, arg))) {
    const [, name, space] = site as unknown as [string, string, string];
    if (name === 'default' || name in config.sites) return { kind: 'site', label: arg, siteName: name, space };
    const known = ['default', ...Object.keys(config.sites)].join(', ');
    throw new ConfigError(`'${arg}' names no configured site: there is no site '${name}' in sites (configured: ${known})`, {
      hint: `add "sites": {"${name}": {"url": "…", "tokenEnv": "…"}} to config/csync.json, or name a workspace or export bundle path`,
    });
  }
  const hash = arg.lastIndexOf('#');
  const [pathPart, space] = hash > 0 && /^[A-Za-z0-9_~]{1,255}$/.test(arg.slice(hash + 1)) && !existsSync(resolve(cwd, arg)) ? [arg.slice(0, hash), arg.slice(hash + 1)] : [arg, undefined];
  const path = resolve(cwd, pathPart);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`'${arg}' is neither a configured site (NAME:SPACE) nor an existing workspace or export bundle`, {
      hint: `name a site of "sites" as NAME:SPACE (configured: ${['default', ...Object.keys(config.sites)].join(', ')}), a workspace folder, or an export folder or .zip`,
    });
  }
  if (st.isFile()) return { kind: 'bundle', label: arg, path, space };
  if (existsSync(resolve(path, 'manifest.json'))) return { kind: 'bundle', label: arg, path, space };
  if (existsSync(resolve(path, 'config', 'csync.json')) || existsSync(resolve(path, 'content'))) return { kind: 'workspace', label: arg, dir: path, space };
  throw new UsageError(`'${arg}' is a folder but neither a workspace (no config/csync.json) nor an export bundle (no manifest.json)`, {
    hint: 'name a workspace folder, an export bundle folder or .zip, or a site as NAME:SPACE',
  });
}

/** The site settings of a named site (or the workspace's own for `default`), credentials from the environment. */
export function siteSettings(name: string, config: Config, env: NodeJS.ProcessEnv): Config['site'] {
  if (name === 'default') {
    if (!config.site.url) throw new ConfigError('no Confluence URL configured for the site default', { hint: 'set CONFLUENCE_URL in the workspace .env, or site.url in config/csync.json' });
    return config.site;
  }
  const site = config.sites[name]!;
  const names = siteEnvNames(name, site);
  const email = site.email ?? env[names.email];
  const apiToken = env[names.token] || undefined;
  const pat = env[names.pat] || undefined;
  if (!pat && !apiToken) {
    throw new ConfigError(`no credentials for site '${name}': neither ${names.token} nor ${names.pat} is set`, {
      hint: `set ${names.token} (and ${names.email}, or sites.${name}.email) for Cloud, or ${names.pat} for Data Center, in the environment or the workspace .env`,
    });
  }
  if (!pat && !email) {
    throw new ConfigError(`site '${name}' has an API token but no e-mail`, { hint: `set sites.${name}.email, or ${names.email}` });
  }
  registerSecret(apiToken, email);
  registerSecret(pat, email);
  return { url: site.url, email, apiToken, pat, allowInsecureHttp: site.allowInsecureHttp ?? false };
}

/** The process environment over the workspace's .env (which holds named sites' tokens as it holds the main one). */
export async function environment(workspace: string): Promise<NodeJS.ProcessEnv> {
  const text = await readTextSafe(workspace, '.env').catch(() => '');
  return { ...parseDotenv(text), ...process.env };
}

// ---- normalised Markdown ----

/** Links to pages stay by title, attachments by file name: nothing that differs between sites, workspaces, bundles. */
const NEUTRAL: LinkResolver = {
  pathForPage: () => undefined,
  pageForPath: () => undefined,
  pathForAttachment: (name) => name,
  attachmentForPath: () => undefined,
};

/** A page body as the Markdown compare diffs: the export's readable Markdown, blank-line and end-of-line noise removed. */
export async function normalisedMarkdown(storage: string, spaceKey: string, title: string): Promise<string> {
  const { jiraMacrosToLinks, pageMarkdown } = await import('../export/markdown.js');
  // A Jira issue macro reads as its key, as an export without the issue writes it: a site and its bundle agree.
  const md = pageMarkdown(jiraMacrosToLinks(storage, () => undefined, undefined), spaceKey, title, NEUTRAL);
  const text = md.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();
  return text ? `${text}\n` : '';
}

/** Title paths from parent links: titles from the topmost listed ancestor down. */
export function titlePaths(pages: ReadonlyArray<{ id: string; title: string; parentId: string | null }>): Map<string, string[]> {
  const byId = new Map(pages.map((p) => [p.id, p]));
  const out = new Map<string, string[]>();
  const walk = (id: string, depth: number): string[] => {
    const done = out.get(id);
    if (done) return done;
    const p = byId.get(id)!;
    const parent = p.parentId && depth < 200 && byId.has(p.parentId) ? walk(p.parentId, depth + 1) : [];
    const path = [...parent, p.title];
    out.set(id, path);
    return path;
  };
  for (const p of pages) walk(p.id, 0);
  return out;
}

// ---- workspace ----

export async function workspaceSide(spec: Extract<SideSpec, { kind: 'workspace' }>, preferSpace: string | undefined, progress: OnProgress = quiet): Promise<CompareSide> {
  const config = loadConfig({ workspace: spec.dir });
  const space = pickSpace(spec.label, spec.space, [...config.spaces], preferSpace, 'workspace');
  const format = await loadFormat(config.format);
  const { walkFiles } = await import('../engine/scan.js');
  const { SpaceLinks } = await import('../engine/resolver.js');
  const files: string[] = [];
  await walkFiles(spec.dir, `content/${space}`, format.extension, files);
  files.sort();
  const read: Array<{ path: string; id?: string | undefined; title: string; body: string }> = [];
  for (const f of files) {
    const text = await readTextSafe(spec.dir, f);
    const parsed = parseFile(text);
    const title = typeof parsed.meta.title === 'string' && parsed.meta.title ? parsed.meta.title : basename(f, format.extension);
    read.push({ path: f, id: parsed.meta.id, title, body: parsed.body });
  }
  const titleOfFile = new Map(read.map((r) => [r.path, r.title]));
  const links = new SpaceLinks(space);
  for (const r of read) links.add(r.title, r.path);
  const pages: ComparedPage[] = [];
  for (const r of read) {
    // content/KEY/a/b/c.md: c's parents are the pages whose files are content/KEY/a.md and content/KEY/a/b.md.
    const segments = r.path.slice(`content/${space}/`.length).split('/').slice(0, -1);
    const titlePath = segments.map((seg, i) => titleOfFile.get(`content/${space}/${[...segments.slice(0, i), seg].join('/')}${format.extension}`) ?? seg);
    const storage = format.name === 'storage' ? r.body : format.toStorage(r.body, { spaceKey: space, title: r.title, resolver: links.resolverFor(r.path) }).text;
    pages.push({ id: r.id, title: r.title, titlePath: [...titlePath, r.title], markdown: await normalisedMarkdown(storage, space, r.title) });
    progress({ phase: `convert ${spec.label}`, done: pages.length, total: read.length });
  }
  return { label: spec.label, kind: 'workspace', site: config.site.url, pages };
}

export function pickSpace(label: string, given: string | undefined, spaces: string[], prefer: string | undefined, what: string): string {
  if (given) {
    if (spaces.length && !spaces.includes(given)) throw new UsageError(`${what} ${label} holds no space ${given} (it holds ${spaces.join(', ')})`, { hint: `name one of them: ${label.replace(/#.*$/, '')}#${spaces[0]}` });
    return given;
  }
  if (spaces.length === 1) return spaces[0]!;
  if (prefer && spaces.includes(prefer)) return prefer;
  if (spaces.length === 0) throw new UsageError(`${what} ${label} holds no space`, { hint: `name one: ${label}#KEY` });
  throw new UsageError(`${what} ${label} holds several spaces (${spaces.join(', ')}): name the one to compare`, { hint: `e.g. ${label}#${spaces[0]}` });
}

// ---- site ----

export async function siteSide(spec: Extract<SideSpec, { kind: 'site' }>, config: Config, env: NodeJS.ProcessEnv, logger?: Logger, progress: OnProgress = quiet): Promise<CompareSide> {
  const site = siteSettings(spec.siteName, config, env);
  const { clientFor } = await import('../cli/site.js');
  const client = clientFor(config, logger, site);
  try {
    const space = await client.getSpaceByKey(spec.space);
    const listed: Array<{ id: string; title: string; parentId: string | null; body: string }> = [];
    for await (const p of client.listPages(space.id, { bodies: true })) {
      if (p.status === 'current') listed.push({ id: p.id, title: p.title, parentId: p.parentId, body: p.body ?? '' });
      progress({ phase: `list ${spec.label}`, done: listed.length });
    }
    const paths = titlePaths(listed);
    const pages: ComparedPage[] = [];
    for (const p of listed) {
      pages.push({ id: p.id, title: p.title, titlePath: paths.get(p.id)!, markdown: await normalisedMarkdown(p.body, spec.space, p.title) });
      progress({ phase: `convert ${spec.label}`, done: pages.length, total: listed.length });
    }
    return { label: spec.label, kind: 'site', site: site.url, pages };
  } finally {
    await client.close();
  }
}

// ---- bundle ----

export async function bundleSide(spec: Extract<SideSpec, { kind: 'bundle' }>, preferSpace: string | undefined, progress: OnProgress = quiet): Promise<CompareSide> {
  const bundle = await readBundle(spec.path);
  const spaces = [...new Set(bundle.pages.map((p) => p.spaceKey))].sort();
  const issues = bundle.issues.map((i) => ({ key: i.key, title: i.title, markdown: i.markdown }));
  // A bundle of Jira issues alone has no space: its issues are compared, its (no) pages with the other side's.
  const space = spaces.length === 0 && issues.length ? spec.space ?? '' : pickSpace(spec.label, spec.space, spaces, preferSpace, 'bundle');
  const mine = bundle.pages.filter((p) => p.spaceKey === space);
  const pages: ComparedPage[] = [];
  if (bundle.source === 'jsonl') {
    const paths = titlePaths(mine.map((p) => ({ id: p.id, title: p.title, parentId: p.parentId })));
    for (const p of mine) {
      pages.push({ id: p.id, title: p.title, titlePath: paths.get(p.id)!, markdown: await normalisedMarkdown(p.storage ?? '', space, p.title) });
      progress({ phase: `convert ${spec.label}`, done: pages.length, total: mine.length });
    }
  } else {
    // Markdown files only: back to storage (links between exported pages by their files), then normalised.
    const md = await loadFormat('markdown');
    const byFile = new Map(mine.map((p) => [p.file, p]));
    for (const p of mine) {
      const dir = posix.dirname(p.file);
      const segments = p.file.split('/').slice(2, -1);
      const titlePath = segments.map((seg, i) => byFile.get(`${p.file.split('/').slice(0, 2).join('/')}/${[...segments.slice(0, i), seg].join('/')}.md`)?.title ?? seg);
      const resolver: LinkResolver = {
        pathForPage: () => undefined,
        pageForPath: (rel): PageRef | undefined => {
          const target = byFile.get(posix.normalize(posix.join(dir, decodeURI(rel))));
          return target ? { spaceKey: target.spaceKey, title: target.title } : undefined;
        },
        pathForAttachment: (name) => name,
        attachmentForPath: (rel) => (rel.includes('attachments/') ? posix.basename(rel) : undefined),
      };
      const storage = md.toStorage(p.markdown ?? '', { spaceKey: space, title: p.title, resolver }).text;
      pages.push({ id: p.id, title: p.title, titlePath: [...titlePath, p.title], markdown: await normalisedMarkdown(storage, space, p.title) });
      progress({ phase: `convert ${spec.label}`, done: pages.length, total: mine.length });
    }
  }
  return { label: spec.label, kind: 'bundle', site: bundle.site || undefined, pages, issues };
}

/** Loads both sides: sites first, so that a workspace or bundle holding several spaces can follow the site's. */
export async function loadSides(args: [string, string], config: Config, cwd: string, logger?: Logger, progress: OnProgress = quiet): Promise<[CompareSide, CompareSide]> {
  const specs = args.map((a) => parseSide(a, config, cwd)) as [SideSpec, SideSpec];
  const env = await environment(config.workspace);
  const siteSpace = specs.find((s): s is Extract<SideSpec, { kind: 'site' }> => s.kind === 'site')?.space;
  const load = async (s: SideSpec, other: SideSpec): Promise<CompareSide> => {
    const prefer = siteSpace ?? (other.kind !== 'site' && other.kind !== 'jira' ? other.space : undefined);
    if (s.kind === 'site') return siteSide(s, config, env, logger, progress);
    if (s.kind === 'workspace') return workspaceSide(s, prefer, progress);
    if (s.kind === 'jira') return jiraSide(s, config, logger, progress);
    return bundleSide(s, prefer, progress);
  };
  return [await load(specs[0], specs[1]), await load(specs[1], specs[0])];
}

// ---- Jira (the workspace's jira.url) ----

/**
 * The issues a JQL query returns, each with all its comments, as Markdown the way an issues-only export writes it
 * (links to the other issues of the selection as bundle files `./KEY.md`, others to Jira; attachments to the bundle's
 * copies; no pages mention them).
 */
export async function jiraSide(spec: Extract<SideSpec, { kind: 'jira' }>, config: Config, logger?: Logger, progress: OnProgress = quiet): Promise<CompareSide> {
  const { jiraClientFor } = await import('../cli/site.js');
  const { selectionJql } = await import('../export/jira.js');
  const { issueMarkdown } = await import('../export/issue-markdown.js');
  const { jiraAttachmentFiles } = await import('../export/jira-attachments.js');
  const { safeName } = await import('../core/file-names.js');
  const { RemoteError } = await import('../core/errors.js');
  const jira = jiraClientFor(config, logger);
  try {
    const jql = selectionJql({ source: 'jira', jql: spec.jql, labels: [], linked: false })!;
    const found = [];
    try {
      for await (const issue of jira.search(jql)) {
        found.push(await jira.complete(issue));
        progress({ phase: `read ${spec.label}`, done: found.length });
      }
    } catch (err) {
      if (err instanceof RemoteError && err.code === 'CSYNC_BAD_REQUEST' && /search/.test(err.path ?? '')) {
        throw new UsageError(`Jira refused the query of ${spec.label}: ${err.serverMessage ?? err.message}`, { hint: `check the JQL after jira: (the query sent: ${jql})` });
      }
      throw err;
    }
    const keys = new Set(found.map((i) => i.key));
    const attachmentLinks = (i: { key: string; attachments: ReadonlyArray<{ id: string; filename: string }> }) => {
      const files = jiraAttachmentFiles(i);
      return (a: { id: string }) => {
        const rel = files.get(a.id);
        return rel ? posix.relative('markdown/jira', rel) : undefined;
      };
    };
    const issues = found.map((i) => ({
      key: i.key,
      title: `${i.key}: ${i.summary}`,
      // Attachments as an export with attachments (the default) links them: the bundle's copies.
      markdown: issueMarkdown(i, { issue: (k) => (keys.has(k) ? `./${safeName(k)}.md` : undefined), browse: (k) => jira.browseUrl(k), mentions: [], attachment: attachmentLinks(i) }),
    }));
    return { label: spec.label, kind: 'jira', pages: [], issues };
  } finally {
    await jira.close();
  }
}
