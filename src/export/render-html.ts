/**
 * HTML: a static site readable offline. html/index.html (the page tree), one file per page mirroring the Markdown
 * tree (so relative links and ../attachments paths stay the same), one stylesheet. Rendered from the mdast the
 * Markdown renderer uses; every text is escaped and no raw HTML from a page is passed through; external images are
 * not loaded (offline, and no tracking), they become links.
 */
import { posix } from 'node:path';
import type { Nodes, Root } from 'mdast';
import { alertOf } from './alerts.js';
import { isBundleAttachment } from './jira-attachments.js';
import { HTML_DIR, htmlFileOf, MD_DIR, mdFileOf, relativeTo } from './links.js';
import { countText, depths, docOf, metaText, writeBundleFile, type RenderContext } from './render-context.js';
import type { ExportItem } from './types.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const isExternal = (url: string) => /^https?:\/\//i.test(url);
const hasScheme = (url: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url);

export const STYLE = `body{font:16px/1.55 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#172b4d}
a{color:#0052cc}nav.crumbs{font-size:.9em;margin-bottom:1rem}.meta{color:#6b778c;font-size:.9em}
pre{background:#f4f5f7;padding:.75rem;overflow:auto;border-radius:4px}code{background:#f4f5f7;padding:0 .2em;border-radius:3px}
table{border-collapse:collapse}th,td{border:1px solid #c1c7d0;padding:.3rem .6rem}th{background:#f4f5f7}
blockquote{border-left:4px solid #c1c7d0;margin:0;padding-left:1rem;color:#42526e}
.alert{border-left:4px solid;padding:.5rem 1rem;margin:1rem 0;border-radius:4px}.alert-title{font-weight:600}
.alert-note{border-color:#0052cc;background:#deebff}.alert-tip{border-color:#00875a;background:#e3fcef}
.alert-important{border-color:#5243aa;background:#eae6ff}.alert-warning{border-color:#ff991f;background:#fffae6}
.alert-caution{border-color:#de350b;background:#ffebe6}td>p:first-child,th>p:first-child{margin-top:0}td>p:last-child,th>p:last-child{margin-bottom:0}
details{margin:1rem 0}summary{font-weight:600;cursor:pointer}img{max-width:100%}ul.tree{list-style:none;padding-left:1.2rem}
`;

/** Renders mdast to HTML; `href`/`src` map a Markdown URL to the HTML one (undefined: drop the link). */
export function mdastToHtml(tree: Root, map: { href(url: string): string | undefined; src(url: string): string | undefined }): string {
  const all = (n: { children: Nodes[] }) => n.children.map(node).join('');
  function node(n: Nodes): string {
    switch (n.type) {
      case 'root':
        return all(n);
      case 'paragraph':
        return `<p>${all(n)}</p>\n`;
      case 'heading':
        return `<h${n.depth}>${all(n)}</h${n.depth}>\n`;
      case 'text':
        return esc(n.value);
      case 'emphasis':
        return `<em>${all(n)}</em>`;
      case 'strong':
        return `<strong>${all(n)}</strong>`;
      case 'delete':
        return `<del>${all(n)}</del>`;
      case 'inlineCode':
        return `<code>${esc(n.value)}</code>`;
      case 'break':
        return '<br>';
      case 'thematicBreak':
        return '<hr>\n';
      case 'code':
        return `<pre><code${n.lang ? ` class="language-${esc(n.lang)}"` : ''}>${esc(n.value)}</code></pre>\n`;
      case 'blockquote': {
        const alert = alertOf(n);
        if (!alert) return `<blockquote>${all(n)}</blockquote>\n`;
        const title = alert.title || alert.kind[0]!.toUpperCase() + alert.kind.slice(1);
        return `<div class="alert alert-${alert.kind}"><div class="alert-title">${esc(title)}</div>${alert.children.map(node).join('')}</div>\n`;
      }
      case 'list': {
        const tag = n.ordered ? 'ol' : 'ul';
        const start = n.ordered && n.start != null && n.start !== 1 ? ` start="${n.start}"` : '';
        return `<${tag}${start}>${all(n)}</${tag}>\n`;
      }
      case 'listItem': {
        const box = n.checked == null ? '' : `<input type="checkbox" disabled${n.checked ? ' checked' : ''}> `;
        const inner = n.children.length === 1 && n.children[0]!.type === 'paragraph' && !n.spread ? all(n.children[0]!) : all(n);
        return `<li>${box}${inner}</li>`;
      }
      case 'table': {
        if (n.data?.html) {
          // From an HTML table: header cells and spans are the cells' own; cells may hold blocks.
          const attrs = (c: (typeof n.children)[number]['children'][number]) =>
            `${c.data?.colspan ? ` colspan="${c.data.colspan}"` : ''}${c.data?.rowspan ? ` rowspan="${c.data.rowspan}"` : ''}`;
          const rows = n.children.map((r) => `<tr>${r.children.map((c) => { const tag = c.data?.header ? 'th' : 'td'; return `<${tag}${attrs(c)}>${all(c)}</${tag}>`; }).join('')}</tr>\n`);
          return `<table><tbody>\n${rows.join('')}</tbody></table>\n`;
        }
        const [head, ...rows] = n.children;
        const cells = (row: typeof head, tag: string) =>
          `<tr>${row!.children.map((c, i) => `<${tag}${n.align?.[i] ? ` style="text-align:${n.align[i]}"` : ''}>${all(c)}</${tag}>`).join('')}</tr>`;
        return `<table><thead>${head ? cells(head, 'th') : ''}</thead><tbody>${rows.map((r) => cells(r, 'td')).join('')}</tbody></table>\n`;
      }
      case 'link': {
        const href = map.href(n.url);
        return href === undefined ? all(n) : `<a href="${esc(href)}"${isExternal(href) ? ' rel="noopener noreferrer"' : ''}>${all(n)}</a>`;
      }
      case 'image': {
        const src = map.src(n.url);
        if (src !== undefined) return `<img src="${esc(src)}" alt="${esc(n.alt ?? '')}">`;
        return isExternal(n.url) ? `<a href="${esc(n.url)}" rel="noopener noreferrer">[image: ${esc(n.alt || n.url)}]</a>` : `[image: ${esc(n.alt ?? '')}]`;
      }
      case 'details':
        return `<details><summary>${esc(n.title)}</summary>\n${all(n)}</details>\n`;
      case 'html':
        // A `<br>` (a line break in a GFM table cell) is the one tag kept; any other raw HTML is shown as text.
        return /^<br\s*\/?>$/i.test(n.value.trim()) ? '<br>' : esc(n.value);
      default:
        return 'children' in n ? all(n as { children: Nodes[] }) : 'value' in n ? esc(String((n as { value: unknown }).value)) : '';
    }
  }
  return node(tree);
}

function page(title: string, css: string, crumbs: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; style-src 'self'">
<title>${esc(title)}</title><link rel="stylesheet" href="${esc(css)}"></head><body>\n${crumbs}${body}</body></html>\n`;
}

export function renderHtml(ctx: RenderContext): number {
  let bytes = writeBundleFile(ctx.stage, `${HTML_DIR}/style.css`, STYLE);
  const index = `${HTML_DIR}/index.html`;
  const d = depths(ctx.items);
  const tree: string[] = ['<ul class="tree">'];
  let level = 0;
  for (const it of ctx.items) {
    const want = d.get(it.id) ?? 0;
    for (; level < want; level++) tree.push('<ul class="tree">');
    for (; level > want; level--) tree.push('</ul>');
    tree.push(`<li><a href="${esc(encodeURI(relativeTo(index, htmlFileOf(it))))}">${esc(it.title)}</a></li>`);
  }
  while (level-- >= 0) tree.push('</ul>');
  bytes += writeBundleFile(ctx.stage, index, page(ctx.spec.title, 'style.css', '', `<h1>${esc(ctx.spec.title)}</h1>\n<p class="meta">${countText(ctx.items)}</p>\n${tree.join('\n')}\n`));
  const mdToHtml = new Map(ctx.items.map((it) => [mdFileOf(it), htmlFileOf(it)]));
  for (const it of ctx.items) bytes += renderHtmlPage(ctx, it, mdToHtml);
  return bytes;
}

function renderHtmlPage(ctx: RenderContext, it: ExportItem, mdToHtml: Map<string, string>): number {
  const md = mdFileOf(it);
  const file = htmlFileOf(it);
  const doc = docOf(ctx, it, md, false);
  const resolveRel = (url: string) => {
    const [path, hash] = url.split('#', 2) as [string, string | undefined];
    let decoded = path;
    try {
      decoded = decodeURI(path);
    } catch {
      /* keep */
    }
    const abs = posix.normalize(posix.join(posix.dirname(md), decoded));
    return { abs, hash };
  };
  const body = mdastToHtml(doc.tree, {
    href: (url) => {
      if (url.startsWith('#')) return url;
      if (isExternal(url) || /^mailto:/i.test(url)) return url;
      if (hasScheme(url)) return undefined;
      const { abs, hash } = resolveRel(url);
      const target = mdToHtml.get(abs) ?? (abs.startsWith(`${MD_DIR}/`) ? undefined : abs);
      return target === undefined ? undefined : encodeURI(relativeTo(file, target)) + (hash ? `#${hash}` : '');
    },
    src: (url) => {
      if (hasScheme(url)) return undefined;
      const { abs } = resolveRel(url);
      return isBundleAttachment(abs) ? encodeURI(relativeTo(file, abs)) : undefined;
    },
  });
  const css = relativeTo(file, `${HTML_DIR}/style.css`);
  const crumbs = `<nav class="crumbs"><a href="${esc(relativeTo(file, `${HTML_DIR}/index.html`))}">${esc(ctx.spec.title)}</a></nav>\n`;
  const meta = `<p class="meta">${esc(metaText(it))} · <a href="${esc(it.url)}" rel="noopener noreferrer">source</a></p>\n`;
  return writeBundleFile(ctx.stage, file, page(it.title, css, crumbs, `<h1>${esc(it.title)}</h1>\n${meta}${body}`));
}
