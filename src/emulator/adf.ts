/**
 * ADF (atlas_doc_format) ⇄ storage for the common node set: doc, paragraph, heading, text with marks (strong, em,
 * code, strike, underline, link, subsup), hardBreak, bulletList, orderedList, listItem, codeBlock, blockquote, rule,
 * table (tableRow, tableHeader, tableCell), panel (info/note/warning/success/error as Confluence's info macros).
 * Other nodes: ADF → storage refuses them (ConversionError); storage → ADF keeps an unknown element's text in a
 * paragraph, so a reader sees the words even where the structure is not mapped.
 */
import { attr, parseStorage, XmlSyntaxError, type XmlElement, type XmlNode } from '../format/xml/index.js';

/** A body that cannot be converted faithfully: the server answers 400 with the message. */
export class ConversionError extends Error {}

type Adf = { type: string; attrs?: Record<string, unknown>; content?: Adf[]; text?: string; marks?: Array<{ type: string; attrs?: Record<string, unknown> }> };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => esc(s).replace(/"/g, '&quot;');

const PANEL_TO_MACRO: Record<string, string> = { info: 'info', note: 'note', warning: 'warning', success: 'tip', error: 'warning', tip: 'tip' };
const MACRO_TO_PANEL: Record<string, string> = { info: 'info', note: 'note', warning: 'warning', tip: 'success' };

function marksToStorage(text: string, marks: Adf['marks']): string {
  let out = esc(text);
  for (const m of marks ?? []) {
    switch (m.type) {
      case 'strong':
        out = `<strong>${out}</strong>`;
        break;
      case 'em':
        out = `<em>${out}</em>`;
        break;
      case 'code':
        out = `<code>${out}</code>`;
        break;
      case 'strike':
        out = `<s>${out}</s>`;
        break;
      case 'underline':
        out = `<u>${out}</u>`;
        break;
      case 'subsup':
        out = m.attrs?.type === 'sup' ? `<sup>${out}</sup>` : `<sub>${out}</sub>`;
        break;
      case 'link':
        out = `<a href="${escAttr(String(m.attrs?.href ?? ''))}">${out}</a>`;
        break;
      case 'textColor':
        out = `<span style="color: ${escAttr(String(m.attrs?.color ?? ''))};">${out}</span>`;
        break;
      default:
        throw new ConversionError(`Cannot convert ADF mark '${m.type}' to storage`);
    }
  }
  return out;
}

function nodeToStorage(n: Adf): string {
  const inner = () => (n.content ?? []).map(nodeToStorage).join('');
  switch (n.type) {
    case 'doc':
      return inner();
    case 'paragraph':
      return `<p>${inner()}</p>`;
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(n.attrs?.level ?? 1)));
      return `<h${level}>${inner()}</h${level}>`;
    }
    case 'text':
      return marksToStorage(n.text ?? '', n.marks);
    case 'hardBreak':
      return '<br />';
    case 'bulletList':
      return `<ul>${inner()}</ul>`;
    case 'orderedList':
      return `<ol${n.attrs?.order && n.attrs.order !== 1 ? ` start="${Number(n.attrs.order)}"` : ''}>${inner()}</ol>`;
    case 'listItem':
      return `<li>${inner()}</li>`;
    case 'blockquote':
      return `<blockquote>${inner()}</blockquote>`;
    case 'rule':
      return '<hr />';
    case 'codeBlock': {
      const code = (n.content ?? []).map((c) => c.text ?? '').join('');
      const lang = n.attrs?.language ? `<ac:parameter ac:name="language">${esc(String(n.attrs.language))}</ac:parameter>` : '';
      return `<ac:structured-macro ac:name="code">${lang}<ac:plain-text-body><![CDATA[${code.replace(/]]>/g, ']]]]><![CDATA[>')}]]></ac:plain-text-body></ac:structured-macro>`;
    }
    case 'table':
      return `<table><tbody>${inner()}</tbody></table>`;
    case 'tableRow':
      return `<tr>${inner()}</tr>`;
    case 'tableHeader':
      return `<th>${inner()}</th>`;
    case 'tableCell':
      return `<td>${inner()}</td>`;
    case 'panel': {
      const macro = PANEL_TO_MACRO[String(n.attrs?.panelType ?? 'info')] ?? 'info';
      return `<ac:structured-macro ac:name="${macro}"><ac:rich-text-body>${inner()}</ac:rich-text-body></ac:structured-macro>`;
    }
    default:
      throw new ConversionError(`Cannot convert ADF node '${n.type}' to storage`);
  }
}

export function adfToStorage(doc: unknown): string {
  const d = doc as Adf;
  if (!d || typeof d !== 'object' || d.type !== 'doc' || !Array.isArray(d.content)) throw new ConversionError("Invalid ADF: the value must be a document ({\"type\":\"doc\",\"version\":1,\"content\":[...]})");
  return nodeToStorage(d);
}

const MARK_OF: Record<string, Adf['marks']> = {
  strong: [{ type: 'strong' }], b: [{ type: 'strong' }], em: [{ type: 'em' }], i: [{ type: 'em' }], code: [{ type: 'code' }],
  s: [{ type: 'strike' }], del: [{ type: 'strike' }], u: [{ type: 'underline' }], sub: [{ type: 'subsup', attrs: { type: 'sub' } }], sup: [{ type: 'subsup', attrs: { type: 'sup' } }],
};

function textOf(nodes: readonly XmlNode[]): string {
  return nodes.map((c) => (c.type === 'text' || c.type === 'cdata' ? c.value : c.type === 'element' ? textOf(c.children) : '')).join('');
}

/** Inline content: text nodes with the marks of their enclosing elements. */
function inline(nodes: readonly XmlNode[], marks: NonNullable<Adf['marks']> = []): Adf[] {
  const out: Adf[] = [];
  for (const c of nodes) {
    if (c.type === 'text' || c.type === 'cdata') {
      if (c.value) out.push({ type: 'text', text: c.value, ...(marks.length ? { marks } : {}) });
    } else if (c.type === 'element') {
      if (c.name === 'br') out.push({ type: 'hardBreak' });
      else if (c.name === 'a') out.push(...inline(c.children, [...marks, { type: 'link', attrs: { href: attr(c, 'href') ?? '' } }]));
      else if (c.name === 'ac:link') {
        const title = c.children.find((k): k is XmlElement => k.type === 'element' && k.name === 'ri:page');
        const label = textOf(c.children.filter((k) => k.type === 'element' && k.name !== 'ri:page')) || (title ? attr(title, 'ri:content-title') ?? '' : '');
        if (label) out.push({ type: 'text', text: label, marks: [...marks, { type: 'link', attrs: { href: `/wiki/display/${encodeURIComponent(title ? attr(title, 'ri:content-title') ?? '' : '')}` } }] });
      } else out.push(...inline(c.children, [...marks, ...(MARK_OF[c.name] ?? [])]));
    }
  }
  return out;
}

const BLOCKS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'blockquote', 'hr', 'pre', 'table', 'ac:structured-macro', 'div']);

function blocks(nodes: readonly XmlNode[]): Adf[] {
  const out: Adf[] = [];
  let loose: XmlNode[] = [];
  const flush = () => {
    const content = inline(loose);
    if (content.some((c) => c.type !== 'text' || (c.text ?? '').trim())) out.push({ type: 'paragraph', content });
    loose = [];
  };
  for (const c of nodes) {
    if (c.type !== 'element' || !BLOCKS.has(c.name)) {
      loose.push(c);
      continue;
    }
    flush();
    out.push(...block(c));
  }
  flush();
  return out;
}

function block(el: XmlElement): Adf[] {
  const kids = (name: string) => el.children.filter((k): k is XmlElement => k.type === 'element' && k.name === name);
  switch (el.name) {
    case 'p':
      return [{ type: 'paragraph', content: inline(el.children) }];
    case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6':
      return [{ type: 'heading', attrs: { level: Number(el.name[1]) }, content: inline(el.children) }];
    case 'ul':
    case 'ol':
      return [{ type: el.name === 'ul' ? 'bulletList' : 'orderedList', ...(el.name === 'ol' ? { attrs: { order: Number(attr(el, 'start') ?? 1) } } : {}), content: kids('li').map((li) => ({ type: 'listItem', content: blocks(li.children) })) }];
    case 'blockquote':
      return [{ type: 'blockquote', content: blocks(el.children) }];
    case 'hr':
      return [{ type: 'rule' }];
    case 'pre':
      return [{ type: 'codeBlock', content: [{ type: 'text', text: textOf(el.children) }] }];
    case 'table': {
      const rows = [...kids('tr'), ...['thead', 'tbody', 'tfoot'].flatMap((s) => kids(s).flatMap((sec) => sec.children.filter((k): k is XmlElement => k.type === 'element' && k.name === 'tr')))];
      return [{ type: 'table', content: rows.map((tr) => ({ type: 'tableRow', content: tr.children.filter((k): k is XmlElement => k.type === 'element' && (k.name === 'th' || k.name === 'td')).map((cell) => ({ type: cell.name === 'th' ? 'tableHeader' : 'tableCell', content: blocks(cell.children) })) })) }];
    }
    case 'ac:structured-macro': {
      const name = attr(el, 'ac:name') ?? '';
      if (name === 'code' || name === 'noformat') {
        const lang = kids('ac:parameter').find((p) => attr(p, 'ac:name') === 'language');
        const body = kids('ac:plain-text-body')[0];
        return [{ type: 'codeBlock', ...(lang ? { attrs: { language: textOf(lang.children) } } : {}), content: [{ type: 'text', text: body ? textOf(body.children) : '' }] }];
      }
      const rich = kids('ac:rich-text-body')[0];
      if (MACRO_TO_PANEL[name] && rich) return [{ type: 'panel', attrs: { panelType: MACRO_TO_PANEL[name] }, content: blocks(rich.children) }];
      return [{ type: 'extension', attrs: { extensionType: 'com.atlassian.confluence.macro.core', extensionKey: name } }];
    }
    default:
      return blocks(el.children);
  }
}

export function storageToAdf(storage: string): Adf & { version: number } {
  let fragment;
  try {
    fragment = parseStorage(storage);
  } catch (err) {
    // Confluence shows such a body's text; so does the emulator (as one paragraph) rather than fail the read.
    if (err instanceof XmlSyntaxError) return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: storage.replace(/<[^>]*>/g, '') }] }] };
    throw err;
  }
  return { type: 'doc', version: 1, content: blocks(fragment.children) };
}
