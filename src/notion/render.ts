/**
 * Notion blocks and rich text → Confluence storage XHTML, streamed: blocks arrive from an async listing (children
 * fetched on demand), the page's storage grows as they come. The storage then goes through the workspace's format
 * (Markdown by default), so the files follow the same rules as pulled pages.
 *
 * Links to Notion pages are written as `<ac:link><ri:page ri:content-title="notion-page:ID"/>…` placeholders: the
 * importer replaces them once every page's title and file are known (links.ts).
 */

export type Json = Record<string, unknown>;

export interface NBlock {
  id: string;
  type: string;
  has_children?: boolean;
  [key: string]: unknown;
}

export interface RenderIo {
  /** The children of a block, in order (the listing is paginated underneath). */
  children(blockId: string): AsyncIterable<NBlock>;
  /** Downloads a Notion-hosted file into the page's attachments; returns the attachment's file name. */
  file(blockId: string, url: string, nameHint: string): Promise<string>;
  /** A child page or database found in the content (it becomes its own file). */
  found(kind: 'page' | 'database', id: string, title: string): void;
  /** A link to the block in Notion (for the note on an unknown block). */
  blockUrl(blockId: string): string;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text as XML 1.0 allows it (Notion text may hold control characters). */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

export const pageLink = (id: string, body: string) => `<ac:link><ri:page ri:content-title="notion-page:${normId(id)}" /><ac:plain-text-link-body><![CDATA[${cdata(body)}]]></ac:plain-text-link-body></ac:link>`;

function cdata(s: string): string {
  return clean(s).replace(/]]>/g, ']]]]><![CDATA[>');
}

export function normId(raw: string): string {
  const hex = raw.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return raw;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Notion page id a notion.so URL points to, if any. */
export function notionPageIdOf(href: string): string | undefined {
  const m = /^https:\/\/(?:www\.)?notion\.(?:so|site)\/(?:[^/?#]+\/)?(?:[^/?#]*-)?([0-9a-f]{32})(?:[?#].*)?$/i.exec(href) ?? /^\/([0-9a-f]{32})(?:[?#].*)?$/i.exec(href);
  return m ? normId(m[1]!) : undefined;
}

const plain = (rich: unknown): string => ((rich as Json[] | undefined) ?? []).map((r) => String(r.plain_text ?? '')).join('');

/** Rich text array → inline storage. */
export function inline(rich: unknown): string {
  let out = '';
  for (const r of (rich as Json[] | undefined) ?? []) {
    const a = (r.annotations ?? {}) as Json;
    let piece: string;
    const text = clean(String(r.plain_text ?? ''));
    if (r.type === 'mention') {
      const m = (r.mention ?? {}) as Json;
      if (m.type === 'page' || m.type === 'database') {
        const id = String(((m[m.type as string] ?? {}) as Json).id ?? '');
        out += pageLink(id, text);
        continue;
      }
      if (m.type === 'date') {
        const d = (m.date ?? {}) as Json;
        const day = (v: unknown) => String(v ?? '').slice(0, 10);
        piece = `<time datetime="${esc(day(d.start))}" />${d.end ? ` – <time datetime="${esc(day(d.end))}" />` : ''}`;
        out += piece;
        continue;
      }
      piece = esc(text);
      if (typeof r.href === 'string' && r.href) piece = `<a href="${esc(r.href)}">${piece}</a>`;
      out += piece;
      continue;
    }
    if (r.type === 'equation') {
      out += `<code>${esc(String(((r.equation ?? {}) as Json).expression ?? text))}</code>`;
      continue;
    }
    piece = esc(text).replace(/\n/g, '<br />');
    if (piece === '') continue;
    if (a.code) piece = `<code>${piece}</code>`;
    if (a.bold) piece = `<strong>${piece}</strong>`;
    if (a.italic) piece = `<em>${piece}</em>`;
    if (a.strikethrough) piece = `<del>${piece}</del>`;
    if (a.underline) piece = `<u>${piece}</u>`;
    const href = typeof r.href === 'string' && r.href ? r.href : undefined;
    if (href) {
      const target = notionPageIdOf(href);
      if (target) {
        out += pageLink(target, text);
        continue;
      }
      piece = `<a href="${esc(href)}">${piece}</a>`;
    }
    out += piece;
  }
  return out;
}

const CODE_LANGS: Record<string, string> = { 'plain text': '', 'c++': 'cpp', 'c#': 'csharp', 'f#': 'fsharp', shell: 'bash', 'objective-c': 'objectivec', 'visual basic': 'vb', 'java/c/c++/c#': 'java', markup: 'xml', 'vb.net': 'vb' };

function codeMacro(code: string, language: string): string {
  const lang = CODE_LANGS[language] ?? language.replace(/[^a-z0-9+#-]/gi, '');
  const param = lang ? `<ac:parameter ac:name="language">${esc(lang)}</ac:parameter>` : '';
  return `<ac:structured-macro ac:name="code">${param}<ac:plain-text-body><![CDATA[${cdata(code)}]]></ac:plain-text-body></ac:structured-macro>`;
}

function panelFor(color: string): string {
  if (color.startsWith('red') || color.startsWith('pink')) return 'warning';
  if (color.startsWith('yellow') || color.startsWith('orange') || color.startsWith('brown')) return 'note';
  if (color.startsWith('green')) return 'tip';
  return 'info';
}

interface FileRef {
  url: string;
  hosted: boolean;
  name: string;
}

function fileOf(payload: Json): FileRef | undefined {
  if (payload.type === 'file') {
    const url = String(((payload.file ?? {}) as Json).url ?? '');
    let name = typeof payload.name === 'string' && payload.name ? payload.name : '';
    if (!name) {
      try {
        name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
      } catch {
        name = '';
      }
    }
    return url ? { url, hosted: true, name: name || 'file' } : undefined;
  }
  if (payload.type === 'external') {
    const url = String(((payload.external ?? {}) as Json).url ?? '');
    return url ? { url, hosted: false, name: url } : undefined;
  }
  if (payload.type === 'file_upload') return undefined;
  return undefined;
}

const LIST_TAG: Record<string, string> = { bulleted_list_item: 'ul', numbered_list_item: 'ol', to_do: 'ac:task-list' };

export class Renderer {
  constructor(private readonly io: RenderIo) {}

  /** Renders a sequence of sibling blocks; `top` is the page body (layouts are only valid there). */
  async blocks(list: AsyncIterable<NBlock>, top = false): Promise<string> {
    let out = '';
    let open: string | undefined;
    for await (const b of list) {
      const tag = LIST_TAG[b.type];
      if (open && tag !== open) {
        out += `</${open}>`;
        open = undefined;
      }
      if (tag && !open) {
        out += `<${tag}>`;
        open = tag;
      }
      out += await this.block(b, top);
    }
    if (open) out += `</${open}>`;
    return out;
  }

  private async kids(b: NBlock): Promise<string> {
    return b.has_children ? this.blocks(this.io.children(b.id)) : '';
  }

  async block(b: NBlock, top: boolean): Promise<string> {
    const payload = ((b[b.type] ?? {}) as Json) ?? {};
    const text = () => inline(payload.rich_text);
    switch (b.type) {
      case 'paragraph': {
        const t = text();
        const kids = await this.kids(b);
        return (t ? `<p>${t}</p>` : '') + kids;
      }
      case 'heading_1':
      case 'heading_2':
      case 'heading_3': {
        const h = `h${b.type.slice(-1)}`;
        const t = text();
        return (t ? `<${h}>${t}</${h}>` : '') + (await this.kids(b));
      }
      case 'bulleted_list_item':
      case 'numbered_list_item':
        return `<li>${text()}${await this.kids(b)}</li>`;
      case 'to_do': {
        const kids = await this.kids(b);
        return `<ac:task><ac:task-status>${payload.checked ? 'complete' : 'incomplete'}</ac:task-status><ac:task-body>${text()}${kids ? ` ${kids}` : ''}</ac:task-body></ac:task>`;
      }
      case 'toggle':
        return `<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">${esc(clean(plain(payload.rich_text)))}</ac:parameter><ac:rich-text-body>${(await this.kids(b)) || '<p></p>'}</ac:rich-text-body></ac:structured-macro>`;
      case 'callout': {
        const icon = (payload.icon ?? {}) as Json;
        const emoji = icon.type === 'emoji' && typeof icon.emoji === 'string' ? `${esc(icon.emoji)} ` : '';
        return `<ac:structured-macro ac:name="${panelFor(String(payload.color ?? 'default'))}"><ac:rich-text-body><p>${emoji}${text()}</p>${await this.kids(b)}</ac:rich-text-body></ac:structured-macro>`;
      }
      case 'quote':
        return `<blockquote><p>${text()}</p>${await this.kids(b)}</blockquote>`;
      case 'code': {
        const caption = plain(payload.caption);
        return codeMacro(plain(payload.rich_text), String(payload.language ?? '')) + (caption ? `<p><em>${esc(clean(caption))}</em></p>` : '');
      }
      case 'equation':
        return codeMacro(String(payload.expression ?? ''), 'latex');
      case 'divider':
        return '<hr />';
      case 'table':
        return this.table(b, payload);
      case 'column_list':
        return this.columns(b, top);
      case 'column':
        return this.kids(b);
      case 'bookmark':
      case 'embed':
      case 'link_preview': {
        const url = String(payload.url ?? '');
        const caption = plain(payload.caption);
        return url ? `<p><a href="${esc(url)}">${esc(clean(caption || url))}</a></p>` : '';
      }
      case 'image':
      case 'file':
      case 'pdf':
      case 'video':
      case 'audio':
        return this.media(b, payload);
      case 'synced_block': {
        const from = payload.synced_from as Json | null | undefined;
        if (from && typeof from.block_id === 'string') return this.blocks(this.io.children(from.block_id));
        return this.kids(b);
      }
      case 'child_page': {
        const title = String(payload.title ?? '');
        this.io.found('page', b.id, title);
        return `<p>${pageLink(b.id, title)}</p>`;
      }
      case 'child_database': {
        const title = String(payload.title ?? '');
        this.io.found('database', b.id, title);
        return `<p>${pageLink(b.id, title)}</p>`;
      }
      case 'link_to_page': {
        const id = String(payload.page_id ?? payload.database_id ?? '');
        return id ? `<p>${pageLink(id, '')}</p>` : '';
      }
      case 'table_of_contents':
        return '<ac:structured-macro ac:name="toc" />';
      case 'breadcrumb':
        // Confluence shows a page's breadcrumbs itself.
        return '';
      case 'template':
        return `<p><em>Notion template button: ${esc(clean(plain(payload.rich_text)))}</em></p>`;
      default:
        return `<p><em>Notion block of type ${esc(b.type)} not imported</em>: <a href="${esc(this.io.blockUrl(b.id))}">open it in Notion</a></p>`;
    }
  }

  private async table(b: NBlock, payload: Json): Promise<string> {
    const header = Boolean(payload.has_column_header);
    const rowHeader = Boolean(payload.has_row_header);
    let out = '<table><tbody>';
    let first = true;
    for await (const row of this.io.children(b.id)) {
      if (row.type !== 'table_row') continue;
      const cells = (((row.table_row ?? {}) as Json).cells as unknown[][] | undefined) ?? [];
      out += '<tr>';
      cells.forEach((cell, i) => {
        const th = (header && first) || (rowHeader && i === 0);
        out += th ? `<th>${inline(cell)}</th>` : `<td>${inline(cell)}</td>`;
      });
      out += '</tr>';
      first = false;
    }
    return `${out}</tbody></table>`;
  }

  private async columns(b: NBlock, top: boolean): Promise<string> {
    const cols: string[] = [];
    for await (const c of this.io.children(b.id)) cols.push(c.type === 'column' ? await this.kids(c) : await this.block(c, false));
    // Confluence layouts hold 1–3 equal columns at the top level of a page; elsewhere the columns follow each other.
    const type = cols.length === 2 ? 'two_equal' : cols.length === 3 ? 'three_equal' : undefined;
    if (!top || !type) return cols.join('');
    return `<ac:layout><ac:layout-section ac:type="${type}">${cols.map((c) => `<ac:layout-cell>${c || '<p></p>'}</ac:layout-cell>`).join('')}</ac:layout-section></ac:layout>`;
  }

  private async media(b: NBlock, payload: Json): Promise<string> {
    const f = fileOf(payload);
    const caption = clean(plain(payload.caption));
    if (!f) return `<p><em>Notion ${esc(b.type)} without a file</em>: <a href="${esc(this.io.blockUrl(b.id))}">open it in Notion</a></p>`;
    if (b.type === 'image') {
      const alt = caption ? ` ac:alt="${esc(caption)}"` : '';
      if (!f.hosted) return `<p><ac:image${alt}><ri:url ri:value="${esc(f.url)}" /></ac:image></p>`;
      const name = await this.io.file(b.id, f.url, f.name);
      return `<p><ac:image${alt}><ri:attachment ri:filename="${esc(name)}" /></ac:image></p>`;
    }
    const label = b.type === 'pdf' ? 'PDF' : b.type === 'video' ? 'Video' : b.type === 'audio' ? 'Audio' : 'File';
    if (!f.hosted) return `<p>${label}: <a href="${esc(f.url)}">${esc(caption || f.url)}</a></p>`;
    const name = await this.io.file(b.id, f.url, f.name);
    const body = caption && caption !== name ? `<ac:plain-text-link-body><![CDATA[${cdata(caption)}]]></ac:plain-text-link-body>` : '';
    return `<p>${label}: <ac:link><ri:attachment ri:filename="${esc(name)}" />${body}</ac:link></p>`;
  }
}

/** A page property value as inline storage (database tables and row pages). */
export function propertyValue(prop: Json): string {
  const v = prop[String(prop.type)] as unknown;
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      return inline(v);
    case 'number':
      return v === null || v === undefined ? '' : esc(String(v));
    case 'select':
    case 'status':
      return v ? esc(String((v as Json).name ?? '')) : '';
    case 'multi_select':
      return ((v as Json[] | undefined) ?? []).map((o) => esc(String(o.name ?? ''))).join(', ');
    case 'date': {
      const d = v as Json | null;
      if (!d) return '';
      const day = (x: unknown) => esc(String(x ?? '').slice(0, 10));
      return `${day(d.start)}${d.end ? ` – ${day(d.end)}` : ''}`;
    }
    case 'people':
      return ((v as Json[] | undefined) ?? []).map((u) => esc(String(u.name ?? u.id ?? ''))).join(', ');
    case 'checkbox':
      return v ? '☑' : '☐';
    case 'url':
      return typeof v === 'string' && v ? `<a href="${esc(v)}">${esc(v)}</a>` : '';
    case 'email':
      return typeof v === 'string' && v ? `<a href="mailto:${esc(v)}">${esc(v)}</a>` : '';
    case 'phone_number':
      return typeof v === 'string' ? esc(v) : '';
    case 'created_time':
    case 'last_edited_time':
      return typeof v === 'string' ? esc(v.slice(0, 10)) : '';
    case 'created_by':
    case 'last_edited_by':
      return v ? esc(String((v as Json).name ?? (v as Json).id ?? '')) : '';
    case 'relation':
      return ((v as Json[] | undefined) ?? []).map((r) => pageLink(String(r.id), '')).join(', ');
    case 'files':
      return ((v as Json[] | undefined) ?? []).map((f) => esc(String(f.name ?? ''))).join(', ');
    case 'formula': {
      const f = (v ?? {}) as Json;
      const inner = f[String(f.type)];
      return inner === null || inner === undefined ? '' : esc(typeof inner === 'object' ? String((inner as Json).start ?? '') : String(inner));
    }
    case 'unique_id': {
      const u = (v ?? {}) as Json;
      return esc(`${u.prefix ? `${String(u.prefix)}-` : ''}${String(u.number ?? '')}`);
    }
    case 'rollup': {
      const r = (v ?? {}) as Json;
      return r.type === 'number' ? esc(String(r.number ?? '')) : r.type === 'array' ? `${((r.array as unknown[]) ?? []).length} items` : '';
    }
    default:
      return '';
  }
}

export function titleOf(page: Json): string {
  for (const p of Object.values((page.properties ?? {}) as Record<string, Json>)) if (p.type === 'title') return plain(p.title);
  return '';
}

export { plain as plainText };
