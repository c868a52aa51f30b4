/**
 * PDF with pdfmake (pure JavaScript, in process; the Roboto fonts it ships: Latin, Greek, Cyrillic; code in DejaVu
 * Sans Mono; runs of CJK characters in a fallback font: `--pdf-font`, else Noto Sans SC when installed), chapters
 * rendered in chunks and merged with pdf-lib (see CHUNK_ITEMS).
 * Title page, a table of contents with page numbers, an outline (bookmarks) of the page tree, each page from the same
 * mdast as the other formats, links between exported pages as internal links, images from the bundle.
 *
 * Resource policy: pdfmake may fetch URLs and read local files named in the document. It gets neither: the URL
 * policy refuses every URL and the local policy every file (the fonts are read by us into its in-memory file system). Images are read by us, only from
 * the bundle's attachments folder (regular files, PNG or JPEG by their bytes), and handed over as data: URLs.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { dirname, join, posix, resolve, sep } from 'node:path';
import pdfmake from 'pdfmake';
import type { Content, TDocumentDefinitions } from 'pdfmake';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString, StandardFonts, rgb, type PDFObject, type PDFRef } from 'pdf-lib';
import { isBundleAttachment } from './jira-attachments.js';
import { anchorOf, mdFileOf, PDF_FILE } from './links.js';
import { woffToSfnt } from './pdf-font.js';
import { CJK, fontRuns, toPdfContent } from './pdf-content.js';
import { countText, depths, docOf, metaText, writeBundleFile, type RenderContext } from './render-context.js';
import type { ExportItem } from './types.js';

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
/** DejaVu Sans Mono for code (npm @fontsource/dejavu-mono: Bitstream Vera licence, WOFF, 1.2 MB with all four styles). */
const MONO_DIR = join(dirname(require.resolve('@fontsource/dejavu-mono/package.json')), 'files');
const MAX_IMAGE_BYTES = 20 * 1024 ** 2;

/** The CJK fallback when none is named: Noto Sans SC (OFL) from npm @expo-google-fonts/noto-sans-sc, when installed. */
function bundledCjkFont(): string | undefined {
  try {
    return require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
  } catch {
    return undefined;
  }
}

/**
 * Registers the fonts with pdfmake and its access policies: it may read only these font files and fetch nothing.
 * Returns the pdfmake name of the CJK fallback font (`pdfFont`, else the bundled one), if there is one.
 */
const loaded = new Map<string, string>();
/**
 * A font file read once into pdfmake's in-memory file system (a WOFF unwrapped, see woffToSfnt): every chunk of a PDF
 * reads its fonts from memory instead of from disk. Returns the name pdfmake knows it by.
 */
function fontFile(file: string): string {
  let name = loaded.get(file);
  if (!name) {
    name = `csync-font-${loaded.size}`;
    const data = readFileSync(file);
    pdfmake.virtualfs.writeFileSync(name, data.toString('latin1', 0, 4) === 'wOFF' ? woffToSfnt(data) : data);
    loaded.set(file, name);
  }
  return name;
}

/**
 * Registers the fonts with pdfmake (from memory: fontFile) and its access policies: it may read no local file and
 * fetch nothing. Returns the pdfmake name of the CJK fallback font (`pdfFont`, else the bundled one), if there is one.
 */
function configure(pdfFont: string | undefined): string | undefined {
  const cjk = pdfFont ? resolve(pdfFont) : bundledCjkFont();
  const family = (normal: string, bold: string, italics: string, bolditalics: string) => ({ normal: fontFile(normal), bold: fontFile(bold), italics: fontFile(italics), bolditalics: fontFile(bolditalics) });
  pdfmake.setFonts({
    Roboto: family(join(FONT_DIR, 'Roboto-Regular.ttf'), join(FONT_DIR, 'Roboto-Medium.ttf'), join(FONT_DIR, 'Roboto-Italic.ttf'), join(FONT_DIR, 'Roboto-MediumItalic.ttf')),
    Mono: family(
      join(MONO_DIR, 'dejavu-mono-latin-400-normal.woff'),
      join(MONO_DIR, 'dejavu-mono-latin-700-normal.woff'),
      join(MONO_DIR, 'dejavu-mono-latin-400-italic.woff'),
      join(MONO_DIR, 'dejavu-mono-latin-700-italic.woff'),
    ),
    ...(cjk ? { CJK: family(cjk, cjk, cjk, cjk) } : {}),
  });
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy(() => false);
  return cjk ? 'CJK' : undefined;
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

/**
 * How many pages pdfmake lays out at once. pdfmake keeps the layout of a whole document until it writes it (≈1.4 MB
 * per exported page), so the chapters are rendered in chunks — each its own small PDF — and merged with pdf-lib; the
 * contents page, the outline and the page numbers are added once every chapter's first page is known.
 */
const CHUNK_ITEMS = 40;
const CHUNK_CHARS = 600_000;

/** Chapters in chunks of at most CHUNK_ITEMS items or about CHUNK_CHARS characters of body. */
export function chunksOf<T>(items: readonly T[], size: (item: T) => number, maxItems = CHUNK_ITEMS, maxChars = CHUNK_CHARS): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let chars = 0;
  for (const it of items) {
    const n = size(it);
    if (cur.length && (cur.length >= maxItems || chars + n > maxChars)) {
      out.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(it);
    chars += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

const STYLES = {
  title: { fontSize: 28, bold: true, alignment: 'center' },
  h1: { fontSize: 20, bold: true, margin: [0, 0, 0, 6] },
  h2: { fontSize: 16, bold: true, margin: [0, 10, 0, 4] },
  h3: { fontSize: 13, bold: true, margin: [0, 8, 0, 4] },
  h4: { fontSize: 11, bold: true, margin: [0, 6, 0, 2] },
};
const GREY = '#6b778c';

function pdfDefinition(ctx: RenderContext, content: Content[]): TDocumentDefinitions {
  return {
    info: { title: ctx.spec.title, creator: 'csync export' },
    pageSize: 'A4',
    pageMargins: [40, 50, 40, 50],
    content,
    styles: STYLES,
    defaultStyle: { font: 'Roboto', fontSize: 10.5, lineHeight: 1.2 },
  };
}

export async function renderPdf(ctx: RenderContext, warn?: (m: string) => void): Promise<number> {
  const fallback = configure(ctx.spec.pdfFont);
  if (!fallback) {
    const hasCjk = new RegExp(CJK.source, 'u'); // CJK is global (stateful with test); this copy is not
    const cjk = ctx.items.filter((it) => hasCjk.test(it.title) || hasCjk.test(ctx.body(it).body)).length;
    if (cjk) {
      warn?.(
        `PDF: ${cjk} item${cjk === 1 ? ' holds' : 's hold'} Chinese, Japanese or Korean text but no CJK font is installed, so those characters are blank; ` +
          'install @expo-google-fonts/noto-sans-sc or name a font with --pdf-font FILE (config export.pdf.font)',
      );
    }
  }
  const d = depths(ctx.items);
  const out = await PDFDocument.create();
  const dests = new Map<string, PDFArray>();
  const firstPage = new Map<string, number>();
  let images = true;
  for (const chunk of chunksOf(ctx.items, (it) => ctx.body(it).body.length)) {
    let buffer: Buffer;
    try {
      buffer = await pdfmake.createPdf(pdfDefinition(ctx, chapters(ctx, chunk, images, fallback))).getBuffer();
    } catch (err) {
      // An image the renderer cannot read must not cost the whole PDF: from here on images are drawn as their alt text.
      if (!images || !/image/i.test(String((err as Error)?.message))) throw err;
      warn?.(`PDF: an image could not be embedded (${(err as Error).message.split('\n')[0]}); images are shown as their names`);
      images = false;
      buffer = await pdfmake.createPdf(pdfDefinition(ctx, chapters(ctx, chunk, images, fallback))).getBuffer();
    }
    const src = await PDFDocument.load(buffer);
    const pages = await out.copyPages(src, src.getPageIndices());
    const offset = out.getPageCount();
    const indexOf = new Map(src.getPages().map((p, i) => [p.ref.toString(), i]));
    for (const page of pages) out.addPage(page);
    for (const [name, dest] of namedDests(src)) {
      const i = indexOf.get(String(dest.get(0)));
      if (i === undefined) continue;
      dests.set(name, out.context.obj([pages[i]!.ref, ...dest.asArray().slice(1)]));
      firstPage.set(name, offset + i);
    }
  }
  // The title page and the contents: their own length shifts every chapter's page number, so lay them out until it is stable.
  let frontPages = 1 + Math.ceil(ctx.items.length / 40);
  let front = await frontMatter(ctx, d, firstPage, frontPages, fallback);
  for (let guard = 0; guard < 3; guard++) {
    const n = (await PDFDocument.load(front)).getPageCount();
    if (n === frontPages) break;
    frontPages = n;
    front = await frontMatter(ctx, d, firstPage, frontPages, fallback);
  }
  const frontDoc = await PDFDocument.load(front);
  (await out.copyPages(frontDoc, frontDoc.getPageIndices())).forEach((page, i) => out.insertPage(i, page));

  addNamedDests(out, dests);
  addOutline(out, ctx, dests);
  await numberPages(out);
  out.setTitle(ctx.spec.title);
  out.setCreator('csync export');
  out.setProducer('csync export (pdfmake, pdf-lib)');
  // No object streams: plain objects are what simple PDF readers (and grep) understand.
  return writeBundleFile(ctx.stage, PDF_FILE, Buffer.from(await out.save({ useObjectStreams: false })));
}

/** The chapters of one chunk: each item's title (a named destination) on a new page, its metadata and body. */
function chapters(ctx: RenderContext, chunk: readonly ExportItem[], images: boolean, fallback: string | undefined): Content[] {
  const byMd = new Map(ctx.items.map((it) => [mdFileOf(it), it]));
  const stageRoot = resolve(ctx.stage);
  const content: Content[] = [];
  chunk.forEach((it, n) => {
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
    content.push({ text: fontRuns(breakable(it.title), fallback), style: 'h1', id: anchorOf(it), ...(n ? { pageBreak: 'before' } : {}) } as Content);
    content.push({ text: metaText(it, false), color: GREY, fontSize: 9, margin: [0, 0, 0, 10] });
    content.push(
      ...toPdfContent(
        doc.tree,
        {
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
        },
        1,
        fallback,
      ),
    );
  });
  return content;
}

/** Title page and contents (title, indented by depth, and page number, both linking to the chapter). */
async function frontMatter(ctx: RenderContext, d: Map<string, number>, firstPage: Map<string, number>, frontPages: number, fallback: string | undefined): Promise<Buffer> {
  const rows = ctx.items.map((it) => {
    const dest = anchorOf(it);
    const page = firstPage.get(dest);
    return [
      { text: fontRuns(breakable(it.title), fallback), linkToDestination: dest, margin: [(d.get(it.id) ?? 0) * 12, 0, 0, 0] },
      { text: page === undefined ? '' : String(frontPages + page + 1), linkToDestination: dest, alignment: 'right' },
    ];
  });
  const content: Content[] = [
    { text: fontRuns(ctx.spec.title, fallback), style: 'title', margin: [0, 200, 0, 12] },
    { text: `${countText(ctx.items)} · exported ${new Date().toISOString().slice(0, 10)}`, alignment: 'center', color: GREY },
    { text: 'Contents', style: 'h1', pageBreak: 'before' },
    ...(rows.length ? [{ table: { widths: ['*', 'auto'], body: rows, dontBreakRows: true }, layout: 'noBorders' } as Content] : []),
  ];
  return pdfmake.createPdf(pdfDefinition(ctx, content)).getBuffer();
}

/** The named destinations of a PDF (its catalog's /Names /Dests tree): name → [page, /XYZ, x, y, zoom]. */
function namedDests(doc: PDFDocument): Array<[string, PDFArray]> {
  const out: Array<[string, PDFArray]> = [];
  const walk = (node: PDFDict | undefined, guard = 0): void => {
    if (!node || guard > 32) return;
    const names = node.lookupMaybe(PDFName.of('Names'), PDFArray);
    for (let i = 0; names && i + 1 < names.size(); i += 2) {
      const key = names.lookup(i);
      const value = names.lookup(i + 1);
      if ((key instanceof PDFString || key instanceof PDFHexString) && value instanceof PDFArray) out.push([key.decodeText(), value]);
    }
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
    for (let i = 0; kids && i < kids.size(); i++) walk(kids.lookupMaybe(i, PDFDict), guard + 1);
  };
  walk(doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('Dests'), PDFDict));
  return out;
}

/** One flat /Dests name tree, keys sorted as the PDF specification asks. */
function addNamedDests(doc: PDFDocument, dests: Map<string, PDFArray>): void {
  const names: PDFObject[] = [];
  for (const name of [...dests.keys()].sort()) names.push(PDFString.of(name), dests.get(name)!);
  const tree = doc.context.obj({});
  tree.set(PDFName.of('Names'), doc.context.obj(names));
  doc.catalog.set(PDFName.of('Names'), doc.context.obj({ Dests: doc.context.register(tree) }));
}

/** The outline (bookmarks) following the page tree: an item's parent is its nearest exported ancestor; closed below the top. */
function addOutline(doc: PDFDocument, ctx: RenderContext, dests: Map<string, PDFArray>): void {
  interface Node {
    title: string;
    dest: PDFArray;
    children: Node[];
  }
  const roots: Node[] = [];
  const nodes = new Map<string, Node>();
  const ids = new Map(ctx.items.map((it) => [it.id, it]));
  for (const it of ctx.items) {
    const dest = dests.get(anchorOf(it));
    if (!dest) continue;
    const node: Node = { title: it.title, dest, children: [] };
    nodes.set(it.id, node);
    let parent = it.parentId ? ids.get(it.parentId) : undefined;
    for (let guard = 0; parent && !nodes.has(parent.id) && guard < 200; guard++) parent = parent.parentId ? ids.get(parent.parentId) : undefined;
    (parent ? nodes.get(parent.id)!.children : roots).push(node);
  }
  if (!roots.length) return;
  const context = doc.context;
  const rootRef = context.nextRef();
  const level = (list: Node[], parentRef: PDFRef): { first: PDFRef; last: PDFRef } => {
    const refs = list.map(() => context.nextRef());
    list.forEach((node, i) => {
      const dict = context.obj({});
      dict.set(PDFName.of('Title'), PDFHexString.fromText(node.title));
      dict.set(PDFName.of('Parent'), parentRef);
      dict.set(PDFName.of('Dest'), node.dest);
      if (i > 0) dict.set(PDFName.of('Prev'), refs[i - 1]!);
      if (i + 1 < refs.length) dict.set(PDFName.of('Next'), refs[i + 1]!);
      if (node.children.length) {
        const kids = level(node.children, refs[i]!);
        dict.set(PDFName.of('First'), kids.first);
        dict.set(PDFName.of('Last'), kids.last);
        dict.set(PDFName.of('Count'), PDFNumber.of(-node.children.length));
      }
      context.assign(refs[i]!, dict);
    });
    return { first: refs[0]!, last: refs[refs.length - 1]! };
  };
  const top = level(roots, rootRef);
  context.assign(rootRef, context.obj({ Type: 'Outlines', First: top.first, Last: top.last, Count: roots.length }));
  doc.catalog.set(PDFName.of('Outlines'), rootRef);
}

/** "n / total" at the foot of every page, in the standard Helvetica (no font to embed; digits only). */
async function numberPages(doc: PDFDocument): Promise<void> {
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const q = doc.context.register(doc.context.stream('q'));
  const Q = doc.context.register(doc.context.stream('Q'));
  const pages = doc.getPages();
  pages.forEach((page, i) => {
    // pdfkit leaves its coordinate flip in effect at the end of a page: draw on a clean graphics state.
    page.node.normalize();
    page.node.wrapContentStreams(q, Q);
    const text = `${i + 1} / ${pages.length}`;
    page.drawText(text, { x: (page.getWidth() - font.widthOfTextAtSize(text, 8)) / 2, y: 30, size: 8, font, color: rgb(0x6b / 255, 0x77 / 255, 0x8c / 255) });
  });
}
