/**
 * Storage → readable Markdown for an export. The project's converter (src/format) is built for lossless round
 * trips, so it keeps what Markdown cannot say as HTML comments (`<!-- attrs: … -->`) and storage snippets; an
 * export is read, not pushed back, so those become their plain text here. The result is also the mdast tree that
 * the HTML and PDF renderers walk: one converter for every format.
 */
import type { Root, RootContent, PhrasingContent, Parent } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { markdownFormat } from '../format/index.js';
import type { LinkResolver } from '../format/types.js';

const parser = unified().use(remarkParse).use(remarkGfm);
const printer = unified().use(remarkStringify, { bullet: '-', fences: true, rule: '-' }).use(remarkGfm);

export interface PageDoc {
  tree: Root;
  warnings: string[];
}

export function pageDoc(storage: string, spaceKey: string, title: string, resolver: LinkResolver): PageDoc {
  const converted = markdownFormat.toLocal(storage, { spaceKey, title, resolver });
  const tree = parser.parse(converted.text);
  clean(tree);
  return { tree, warnings: converted.warnings };
}

/**
 * The page as readable Markdown text. Most pages convert without anything kept for the round trip: their text is
 * used as is (parsing and printing it again would cost more than the conversion itself).
 */
export function pageMarkdown(storage: string, spaceKey: string, title: string, resolver: LinkResolver): string {
  const converted = markdownFormat.toLocal(storage, { spaceKey, title, resolver });
  if (!/<!--|storage:|```confluence-storage|<[A-Za-z]|\]\((?:<)?(?:status|emoji|emoticon|user|date|anchor|page):|\)\{|^\[TOC\]/m.test(converted.text)) return converted.text;
  const tree = parser.parse(converted.text);
  clean(tree);
  return toMarkdown(tree);
}

/** Markdown text → the mdast the renderers walk (Jira issues are built as Markdown text first). */
export function parseMarkdown(text: string): Root {
  return parser.parse(text);
}

/**
 * Jira issue macros become links before conversion (the converter keeps no trace of them in an export): to the
 * exported issue when `target` knows it, else to the issue in Jira, else the bare key as text.
 */
export function jiraMacrosToLinks(storage: string, target: (key: string) => string | undefined, browse: ((key: string) => string) | undefined): string {
  if (!storage.includes('ac:name="jira"')) return storage;
  return storage.replace(/<ac:structured-macro\b[^>]*ac:name="jira"[^>]*>([\s\S]*?)<\/ac:structured-macro>/g, (whole, inner: string) => {
    const key = /<ac:parameter ac:name="key">\s*([A-Za-z][A-Za-z0-9_]*-\d+)\s*<\/ac:parameter>/.exec(inner)?.[1]?.toUpperCase();
    if (!key) return whole;
    const href = target(key) ?? browse?.(key);
    const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    return href ? `<a href="${attr(href)}">${key}</a>` : key;
  });
}

export function toMarkdown(tree: Root): string {
  // remark escapes the alert marker's bracket; GitHub-style alerts need it bare.
  return printer.stringify(tree).replace(/^((?:> ?)+)\\\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]/gm, '$1[!$2]');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', mdash: '—', ndash: '–' };

/** The readable text of a storage snippet: link bodies, macro titles and text, no markup. */
export function storageText(xml: string): string {
  return xml
    .replace(/<ac:parameter ac:name="(?!title)[^"]*">[\s\S]*?<\/ac:parameter>/g, ' ')
    .replace(/<ac:link>\s*<ri:page ri:content-title="([^"]*)"[^>]*\/>\s*<\/ac:link>/g, ' $1 ')
    .replace(/<ri:user [^>]*\/>/g, ' @user ')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/<ac:task-status>[^<]*<\/ac:task-status>|<ac:task-id>[^<]*<\/ac:task-id>/g, ' ')
    .replace(/<\/(p|li|tr|h\d|ac:task)>/g, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e.startsWith('#')) {
        const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** Link schemes of the converter's readable forms (docs/markdown.md, "Readable forms"): round-trip syntax, not links. */
const FORM_SCHEME = /^(status|emoji|emoticon|user|date|anchor|page):(.*)$/s;

/**
 * A readable form as what a reader should see: a status or emoji its text, a date its day, a mention `@id`, an
 * anchor nothing, a page outside the export its title. Undefined: not a form.
 */
function formText(link: PhrasingContent): string | undefined {
  if (link.type !== 'link') return undefined;
  const m = FORM_SCHEME.exec(link.url);
  if (!m) return undefined;
  const label = link.children.map((c) => ('value' in c ? c.value : '')).join('');
  const autolink = label === link.url;
  switch (m[1]) {
    case 'anchor':
      return '';
    case 'date':
      return autolink ? m[2]! : label;
    case 'user':
      return autolink ? `@${m[2]!}` : label;
    case 'page':
      return autolink ? m[2]!.slice(m[2]!.indexOf('/') + 1) : label;
    default:
      return label;
  }
}

function clean(node: Parent): void {
  const out: RootContent[] = [];
  for (const child of node.children as RootContent[]) {
    // `[TOC]{…}`: the table of contents macro; an export has its own.
    if (child.type === 'paragraph' && child.children.length === 1 && child.children[0]!.type === 'text' && /^\[TOC\](\{[^}]*\})?$/.test(child.children[0]!.value)) continue;
    const form = formText(child as PhrasingContent);
    if (form !== undefined) {
      if (form) out.push({ type: 'text', value: form } as RootContent);
      continue;
    }
    // An image's attribute braces (`![a](x.png){width=300}`) follow it as text: drop them.
    const prev = out[out.length - 1];
    if (child.type === 'text' && prev?.type === 'image' && child.value.startsWith('{')) {
      const end = child.value.indexOf('}');
      if (end > 0) {
        const rest = child.value.slice(end + 1);
        if (rest) out.push({ ...child, value: rest });
        continue;
      }
    }
    if (child.type === 'html') {
      const v = child.value.trim();
      if (v.startsWith('<!--')) {
        const storage = /^<!--\s*storage:\s*([\s\S]*?)-->$/.exec(v);
        const text = storage ? storageText(storage[1]!) : '';
        if (text) out.push(textNode(node, text));
        else {
          const prev = out[out.length - 1];
          if (prev?.type === 'text') prev.value = prev.value.trimEnd();
        }
        continue;
      }
      out.push(textNode(node, storageText(v)));
      continue;
    }
    if (child.type === 'inlineCode' && child.value.startsWith('storage:')) {
      const text = storageText(child.value.slice('storage:'.length));
      if (text) out.push({ type: 'text', value: text });
      continue;
    }
    if (child.type === 'code' && child.lang === 'confluence-storage') {
      for (const para of storageText(child.value).split(/\n+/).filter(Boolean)) out.push({ type: 'paragraph', children: [{ type: 'text', value: para }] });
      continue;
    }
    if ('children' in child) clean(child as Parent);
    out.push(child);
  }
  node.children = out as typeof node.children;
}

function textNode(parent: Parent, value: string): RootContent {
  const phrasing = ['paragraph', 'heading', 'emphasis', 'strong', 'delete', 'link', 'tableCell', 'linkReference'];
  const t: PhrasingContent = { type: 'text', value };
  return (phrasing.includes(parent.type) ? t : { type: 'paragraph', children: [t] }) as RootContent;
}
