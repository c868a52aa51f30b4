/**
 * PDF with pdfmake (pure JavaScript, in process; the Roboto fonts it ships: Latin, Greek, Cyrillic — no CJK glyphs;
 * code in DejaVu Sans Mono).
 * Title page, a table of contents with page numbers, an outline (bookmarks) of the page tree, each page from the same
 * mdast as the other formats, links between exported pages as internal links, images from the bundle.
 *
 * Resource policy: pdfmake may fetch URLs and read local files named in the document. It gets neither: the URL
 * policy refuses every URL and the local policy allows only its own font files. Images are read by us, only from
 * the bundle's attachments folder (regular files, PNG or JPEG by their bytes), and handed over as data: URLs.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { dirname, join, posix, resolve, sep } from 'node:path';
import pdfmake from 'pdfmake';
import type { Content, TDocumentDefinitions } from 'pdfmake';
import { isBundleAttachment } from './jira-attachments.js';
import { anchorOf, mdFileOf, PDF_FILE } from './links.js';
import { toPdfContent } from './pdf-content.js';
import { countText, depths, docOf, metaText, writeBundleFile, type RenderContext } from './render-context.js';

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
/** DejaVu Sans Mono for code (npm @fontsource/dejavu-mono: Bitstream Vera licence, WOFF, 1.2 MB with all four styles). */
const MONO_DIR = join(dirname(require.resolve('@fontsource/dejavu-mono/package.json')), 'files');
const MAX_IMAGE_BYTES = 20 * 1024 ** 2;

let configured = false;
function configure(): void {
  if (configured) return;
  pdfmake.setFonts({
    Roboto: {
      normal: join(FONT_DIR, 'Roboto-Regular.ttf'),
      bold: join(FONT_DIR, 'Roboto-Medium.ttf'),
      italics: join(FONT_DIR, 'Roboto-Italic.ttf'),
      bolditalics: join(FONT_DIR, 'Roboto-MediumItalic.ttf'),
    },
    Mono: {
      normal: join(MONO_DIR, 'dejavu-mono-latin-400-normal.woff'),
      bold: join(MONO_DIR, 'dejavu-mono-latin-700-normal.woff'),
      italics: join(MONO_DIR, 'dejavu-mono-latin-400-italic.woff'),
      bolditalics: join(MONO_DIR, 'dejavu-mono-latin-700-italic.woff'),
    },
  });
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy((p) => resolve(p).startsWith(FONT_DIR + sep) || resolve(p).startsWith(MONO_DIR + sep));
  configured = true;
}

/** PNG or JPEG by magic bytes, else undefined. */
export function imageDataUrl(file: string): string | undefined {
  try {
    const st = lstatSync(file);
    if (!st.isFile() || st.size > MAX_IMAGE_BYTES) return undefined;
    const data = readFileSync(file);
    if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return pngIsWhole(data) ? `data:image/png;base64,${data.toString('base64')}` : undefined;
    if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return `data:image/jpeg;base64,${data.toString('base64')}`;
  } catch {
    /* not there */
  }
  return undefined;
}

/**
 * Whether the PNG is whole: 8-bit, not interlaced, and its image data inflates to exactly the size its header says
 * (the renderer would fail the whole PDF on a damaged one).
 */
export function pngIsWhole(data: Buffer): boolean {
  const idat: Buffer[] = [];
  let header: { width: number; height: number; depth: number; colour: number; interlace: number } | undefined;
  let at = 8;
  while (at + 8 <= data.length) {
    const len = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    if (at + 12 + len > data.length) return false;
    const body = data.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR' && len >= 13) header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8]!, colour: body[9]!, interlace: body[12]! };
    if (type === 'IDAT') idat.push(body);
    if (type === 'IEND') break;
    at += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[header?.colour ?? -1];
  if (!header || !channels || header.depth !== 8 || header.interlace !== 0 || header.width * header.height > 50_000_000) return false;
  try {
    return idat.length > 0 && inflateSync(Buffer.concat(idat)).length === header.height * (1 + header.width * channels);
  } catch {
    return false;
  }
}

/** Long unbroken runs (a 300-character title) get break opportunities, or they would push the TOC's page numbers off the page. */
export function breakable(text: string): string {
  return text.replace(/(\S{30})(?=\S)/gu, '$1\u200b');
}

export async function renderPdf(ctx: RenderContext, warn?: (m: string) => void): Promise<number> {
  try {
    return await renderPdfWith(ctx, true);
  } catch (err) {
    // An image the renderer cannot read must not cost the whole PDF: draw it as its alt text instead.
    if (!/image/i.test(String((err as Error)?.message))) throw err;
    warn?.(`PDF: an image could not be embedded (${(err as Error).message.split('\n')[0]}); images are shown as their names`);
    return renderPdfWith(ctx, false);
  }
}

async function renderPdfWith(ctx: RenderContext, images: boolean): Promise<number> {
  configure();
  const d = depths(ctx.items);
  const byMd = new Map(ctx.items.map((it) => [mdFileOf(it), it]));
  const stageRoot = resolve(ctx.stage);
  const content: Content[] = [
    { text: ctx.spec.title, style: 'title', margin: [0, 200, 0, 12] },
    { text: `${countText(ctx.items)} · exported ${new Date().toISOString().slice(0, 10)}`, alignment: 'center', color: '#6b778c' },
    { toc: { title: { text: 'Contents', style: 'h1' } }, pageBreak: 'before' },
  ];
  for (const it of ctx.items) {
    const md = mdFileOf(it);
    const doc = docOf(ctx, it, md, false);
    const resolveRel = (url: string) => {
      if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) || url.startsWith('#')) return undefined;
      let path = url.split('#')[0]!;
      try {
        path = decodeURI(path);
      } catch {
        /* keep */
      }
      return posix.normalize(posix.join(posix.dirname(md), path));
    };
    const parent = it.parentId && d.has(it.parentId) ? anchorOf(ctx.links.item(it.parentId)!) : undefined;
    content.push({
      text: breakable(it.title),
      style: 'h1',
      id: anchorOf(it),
      tocItem: true,
      tocMargin: [(d.get(it.id) ?? 0) * 12, 0, 0, 0],
      outline: true,
      ...(parent ? { outlineParentId: parent } : {}),
      pageBreak: 'before',
    } as Content);
    content.push({ text: metaText(it, false), color: '#6b778c', fontSize: 9, margin: [0, 0, 0, 10] });
    content.push(
      ...toPdfContent(doc.tree, {
        destination: (url) => {
          const abs = resolveRel(url);
          const target = abs ? byMd.get(abs) : undefined;
          return target ? anchorOf(target) : undefined;
        },
        image: (url) => {
          const abs = resolveRel(url);
          if (!images || !abs || !isBundleAttachment(abs)) return undefined;
          const file = resolve(stageRoot, ...abs.split('/'));
          return file.startsWith(stageRoot + sep) ? imageDataUrl(file) : undefined;
        },
      }),
    );
  }
  const definition: TDocumentDefinitions = {
    info: { title: ctx.spec.title, creator: 'csync export' },
    pageSize: 'A4',
    pageMargins: [40, 50, 40, 50],
    content,
    footer: (page: number, pages: number) => ({ text: `${page} / ${pages}`, alignment: 'center', fontSize: 8, color: '#6b778c' }),
    styles: {
      title: { fontSize: 28, bold: true, alignment: 'center' },
      h1: { fontSize: 20, bold: true, margin: [0, 0, 0, 6] },
      h2: { fontSize: 16, bold: true, margin: [0, 10, 0, 4] },
      h3: { fontSize: 13, bold: true, margin: [0, 8, 0, 4] },
      h4: { fontSize: 11, bold: true, margin: [0, 6, 0, 2] },
    },
    defaultStyle: { font: 'Roboto', fontSize: 10.5, lineHeight: 1.2 },
  };
  const buffer = await pdfmake.createPdf(definition).getBuffer();
  return writeBundleFile(ctx.stage, PDF_FILE, buffer);
}
