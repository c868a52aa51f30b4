/** mdast → pdfmake content: headings, lists, tables, code blocks, alerts/panels, images, links (pure but for images). */
import type { Nodes, PhrasingContent, Root, RootContent, Table } from 'mdast';
import type { Content } from 'pdfmake';
import { alertOf } from './alerts.js';
import { cellHasBlocks } from './markdown.js';

export interface PdfLinks {
  /** The destination id of an exported page this URL points to, if any. */
  destination(url: string): string | undefined;
  /** The image source (a name the PDF writer resolves) for an image this URL points to inside the bundle (PNG/JPEG only), if any. */
  image(url: string): string | undefined;
}

type Inline = Content & Record<string, unknown>;

const ALERT_FILL: Record<string, string> = { note: '#deebff', tip: '#e3fcef', important: '#eae6ff', warning: '#fffae6', caution: '#ffebe6' };

/** Characters Roboto lacks and a CJK font has: Han, kana, Bopomofo, Hangul, CJK punctuation and full-width forms. */
/** Runs of Chinese, Japanese and Korean characters (and their punctuation). */
export const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\p{Script=Hangul}\u3000-\u303f\u30fb\u30fc\uff00-\uffef]+/gu;

/**
 * `text` as inline runs: runs of CJK characters in `fallback` (a font name given to pdfmake), the rest as it is.
 * Without a fallback font, or without CJK characters, one run.
 */
export function fontRuns(text: string, fallback: string | undefined, style: Record<string, unknown> = {}): Inline[] {
  if (!fallback || !text.match(CJK)) return [{ text, ...style } as Inline];
  const out: Inline[] = [];
  let at = 0;
  for (const m of text.matchAll(CJK)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), ...style } as Inline);
    out.push({ text: m[0], ...style, font: fallback } as Inline);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), ...style } as Inline);
  return out;
}

/** `fallback`: the font name for runs of CJK characters (see fontRuns), if there is one. */
export function toPdfContent(tree: Root, links: PdfLinks, headingShift = 1, fallback?: string): Content[] {
  const plainOrRuns = (value: string): string | Inline[] => {
    const runs = fontRuns(value, fallback);
    return runs.length === 1 && !('font' in runs[0]!) ? value : runs;
  };
  const inline = (nodes: readonly PhrasingContent[], style: Record<string, unknown> = {}): Inline[] =>
    nodes.flatMap((n): Inline[] => {
      switch (n.type) {
        case 'text':
          return fontRuns(n.value, fallback, style);
        case 'strong':
          return inline(n.children, { ...style, bold: true });
        case 'emphasis':
          return inline(n.children, { ...style, italics: true });
        case 'delete':
          return inline(n.children, { ...style, decoration: 'lineThrough' });
        case 'inlineCode':
          return fontRuns(n.value, fallback, { ...style, font: 'Mono', background: '#f4f5f7', color: '#403294' });
        case 'break':
          return [{ text: '\n' } as Inline];
        case 'link': {
          const dest = links.destination(n.url);
          if (dest) return inline(n.children, { ...style, linkToDestination: dest, color: '#0052cc' });
          if (/^(https?|mailto):/i.test(n.url)) return inline(n.children, { ...style, link: n.url, color: '#0052cc', decoration: 'underline' });
          return inline(n.children, style);
        }
        case 'image':
          return [{ text: `[image: ${n.alt || n.url}]`, ...style, italics: true, color: '#6b778c' } as Inline];
        case 'html':
          return /^<br\s*\/?>$/i.test(n.value.trim()) ? [{ text: '\n', ...style } as Inline] : fontRuns(n.value, fallback, style);
        default:
          return 'children' in n ? inline((n as { children: PhrasingContent[] }).children, style) : 'value' in n ? [{ text: String((n as { value: unknown }).value), ...style } as Inline] : [];
      }
    });

  const block = (n: RootContent | Nodes): Content[] => {
    switch (n.type) {
      case 'paragraph': {
        // An image alone in its paragraph is drawn; inline images stay as their alt text.
        if (n.children.length === 1 && n.children[0]!.type === 'image') {
          const img = n.children[0];
          const data = links.image(img.url);
          if (data) return [{ image: data, fit: [460, 360], margin: [0, 4, 0, 8] }];
        }
        return [{ text: inline(n.children), margin: [0, 0, 0, 6] }];
      }
      case 'heading':
        return [{ text: inline(n.children), style: `h${Math.min(4, n.depth + headingShift)}` }];
      case 'thematicBreak':
        return [{ canvas: [{ type: 'line', x1: 0, y1: 0, x2: 515, y2: 0, lineWidth: 0.5, lineColor: '#c1c7d0' }], margin: [0, 6, 0, 6] }];
      case 'code':
        return [
          {
            table: { widths: ['*'], body: [[{ text: plainOrRuns(n.value), font: 'Mono', fontSize: 8, preserveLeadingSpaces: true, color: '#172b4d' }]] },
            layout: { fillColor: () => '#f4f5f7', hLineWidth: () => 0, vLineWidth: () => 0, paddingLeft: () => 6, paddingRight: () => 6, paddingTop: () => 4, paddingBottom: () => 4 },
            margin: [0, 2, 0, 8],
          },
        ];
      case 'blockquote': {
        const alert = alertOf(n);
        const body = (alert ? alert.children : n.children).flatMap(block);
        const title = alert ? [{ text: alert.title || alert.kind.toUpperCase(), bold: true, margin: [0, 0, 0, 2] } as Content] : [];
        const fill = alert ? ALERT_FILL[alert.kind]! : '#f4f5f7';
        return [
          {
            table: { widths: ['*'], body: [[{ stack: [...title, ...body] }]] },
            layout: { fillColor: () => fill, hLineWidth: () => 0, vLineWidth: (i: number) => (i === 0 ? 3 : 0), vLineColor: () => '#6b778c', paddingLeft: () => 8, paddingTop: () => 4, paddingBottom: () => 2 },
            margin: [0, 2, 0, 8],
          },
        ];
      }
      case 'list': {
        const items = n.children.map((li) => {
          const inner = li.children.flatMap(block);
          const box = li.checked == null ? [] : [{ text: li.checked ? '☑ ' : '☐ ' }];
          return { stack: box.length ? [{ text: [...box, ...((inner[0] as { text?: Inline[] })?.text ?? [])] }, ...inner.slice(1)] : inner } as Content;
        });
        return [n.ordered ? { ol: items, start: n.start ?? 1, margin: [0, 0, 0, 6] } : { ul: items, margin: [0, 0, 0, 6] }] as Content[];
      }
      case 'table': {
        if (n.data?.html) return [htmlTable(n)];
        const cols = Math.max(1, ...n.children.map((r) => r.children.length));
        const body = n.children.map((row, r) =>
          Array.from({ length: cols }, (_, c) => {
            const cell = row.children[c];
            return { text: cell ? inline(cell.children) : '', bold: r === 0, fillColor: r === 0 ? '#f4f5f7' : undefined, alignment: n.align?.[c] ?? 'left' };
          }),
        );
        return [{ table: { headerRows: 1, widths: Array(cols).fill('*'), body }, layout: 'lightHorizontalLines', margin: [0, 2, 0, 8] } as Content];
      }
      case 'details':
        // An expand: its title in bold, its body indented under it.
        return [{ text: n.title, bold: true, margin: [0, 2, 0, 4] }, { stack: n.children.flatMap(block), margin: [10, 0, 0, 2] }] as Content[];
      case 'html':
        if (/^<br\s*\/?>$/i.test(n.value.trim())) return [];
        return [{ text: plainOrRuns(n.value), margin: [0, 0, 0, 6] }];
      default:
        if ('children' in n) return (n.children as RootContent[]).flatMap(block);
        return [];
    }
  };
  /**
   * A table read from HTML: cells may hold blocks (drawn as a stack), header cells are marked per cell, and spans
   * become pdfmake's colSpan/rowSpan with the empty cells it expects under them.
   */
  const htmlTable = (n: Table): Content => {
    const grid: Array<Array<Record<string, unknown> | undefined>> = n.children.map(() => []);
    n.children.forEach((row, r) => {
      let c = 0;
      for (const cell of row.children) {
        while (grid[r]![c]) c++;
        const colSpan = cell.data?.colspan ?? 1;
        const rowSpan = Math.min(cell.data?.rowspan ?? 1, n.children.length - r);
        const content = cellHasBlocks(cell) ? { stack: (cell.children as RootContent[]).flatMap(block) } : { text: inline(cell.children) };
        grid[r]![c] = { ...content, ...(cell.data?.header ? { bold: true, fillColor: '#f4f5f7' } : {}), ...(colSpan > 1 ? { colSpan } : {}), ...(rowSpan > 1 ? { rowSpan } : {}) };
        for (let dr = 0; dr < rowSpan; dr++) for (let dc = 0; dc < colSpan; dc++) if (dr || dc) grid[r + dr]![c + dc] = {};
        c += colSpan;
      }
    });
    const cols = Math.max(1, ...grid.map((r) => r.length));
    const body = grid.map((r) => Array.from({ length: cols }, (_, c) => r[c] ?? { text: '' }));
    const headerRows = n.children.findIndex((r) => !r.children.every((c) => c.data?.header));
    return { table: { headerRows: Math.max(0, headerRows === -1 ? 0 : headerRows), widths: Array(cols).fill('*'), body }, layout: 'lightHorizontalLines', margin: [0, 2, 0, 8] } as Content;
  };
  return tree.children.flatMap(block);
}
