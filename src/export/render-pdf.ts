/**
 * PDF with pdfmake (pure JavaScript, in process; the Roboto fonts it ships: Latin, Greek, Cyrillic; code in DejaVu
 * Sans Mono; runs of CJK characters in a fallback font: `--pdf-font`, else Noto Sans SC when installed), chapters
 * laid out in chunks into one streamed document (see CHUNK_ITEMS and PdfWriter).
 * Title page, a table of contents with page numbers, an outline (bookmarks) of the page tree, each page from the same
 * mdast as the other formats, links between exported pages as internal links, images from the bundle.
 *
 * Resource policy: pdfmake may fetch URLs and read local files named in the document. It gets neither: its URL
 * resolver (the only part that fetches) is never used, and the document's local-file policy refuses every file (the
 * fonts are read by us into its in-memory file system). Images are read by us, only from the bundle's attachments
 * folder (regular files, PNG or JPEG by their bytes), and handed over by a name of our own (PdfImages): each distinct
 * image (same bytes) is embedded once, however many pages show it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { dirname, join, posix, resolve, sep } from 'node:path';
import pdfmake from 'pdfmake';
import type { Content } from 'pdfmake';
import { isBundleAttachment } from './jira-attachments.js';
import { anchorOf, mdFileOf, PDF_FILE } from './links.js';
import { woffToSfnt } from './pdf-font.js';
import { CJK, fontRuns, toPdfContent } from './pdf-content.js';
import { countText, depths, docOf, metaText, type RenderContext } from './render-context.js';
import type { ExportItem } from './types.js';

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
/** DejaVu Sans Mono for code (npm @fontsource/dejavu-mono: Bitstream Vera licence, WOFF, 1.2 MB with all four styles). */
const MONO_DIR = join(dirname(require.resolve('@fontsource/dejavu-mono/package.json')), 'files');
const MAX_IMAGE_BYTES = 20 * 1024 ** 2;

/**
 * The CJK fallback when none is named: Noto Sans SC (OFL) from npm @expo-google-fonts/noto-sans-sc, when installed.
 * `CSYNC_PDF_CJK_FONT=none` (tests and operations only) makes csync behave as if that package were not installed.
 */
function bundledCjkFont(): string | undefined {
  if (process.env.CSYNC_PDF_CJK_FONT === 'none') return undefined;
  try {
    return require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
  } catch {
    return undefined;
  }
}

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

type FontSet = Record<string, { normal: string; bold: string; italics: string; bolditalics: string }>;

/**
 * The fonts (from memory: fontFile) by family, and the name of the CJK fallback family (`pdfFont`, else the bundled
 * one) if there is one. The document gets them with an access policy that lets it read no local file (PdfWriter);
 * it has no URL resolver at all, so it fetches nothing.
 */
function configure(pdfFont: string | undefined, needCjk: boolean): { fonts: FontSet; fallback: string | undefined; cjkAvailable: boolean } {
  const available = pdfFont ? resolve(pdfFont) : bundledCjkFont();
  // Read (10 MB for Noto Sans SC) only when some text needs it.
  const cjk = needCjk ? available : undefined;
  const family = (normal: string, bold: string, italics: string, bolditalics: string) => ({ normal: fontFile(normal), bold: fontFile(bold), italics: fontFile(italics), bolditalics: fontFile(bolditalics) });
  const fonts: FontSet = {
    Roboto: family(join(FONT_DIR, 'Roboto-Regular.ttf'), join(FONT_DIR, 'Roboto-Medium.ttf'), join(FONT_DIR, 'Roboto-Italic.ttf'), join(FONT_DIR, 'Roboto-MediumItalic.ttf')),
    Mono: family(
      join(MONO_DIR, 'dejavu-mono-latin-400-normal.woff'),
      join(MONO_DIR, 'dejavu-mono-latin-700-normal.woff'),
      join(MONO_DIR, 'dejavu-mono-latin-400-italic.woff'),
      join(MONO_DIR, 'dejavu-mono-latin-700-italic.woff'),
    ),
    ...(cjk ? { CJK: family(cjk, cjk, cjk, cjk) } : {}),
  };
  return { fonts, fallback: cjk ? 'CJK' : undefined, cjkAvailable: available !== undefined };
}

/** The bytes of a regular file that is a PNG (whole: pngIsWhole) or a JPEG by its magic bytes, else undefined. */
export function imageBytes(file: string): Buffer | undefined {
  try {
    const st = lstatSync(file);
    if (!st.isFile() || st.size > MAX_IMAGE_BYTES) return undefined;
    const data = readFileSync(file);
    if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return pngIsWhole(data) ? data : undefined;
    if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return data;
  } catch {
    /* not there */
  }
  return undefined;
}

/**
 * The images of one PDF by content: a bundle file's name (`csync-image:<sha256 of its bytes>`) is what the layout
 * gets as an image's source, and PdfWriter embeds each name once, on first use, for the whole document (pdfmake
 * would embed a data: URL again at every occurrence, and keep every one in memory until the chunk is drawn). Only
 * names are held: the file of each, and the name of each file already read.
 */
export class PdfImages {
  private readonly byFile = new Map<string, string | undefined>();
  private readonly files = new Map<string, string>();

  /** The name of the image in `file` (an absolute path inside the bundle), or undefined when it is not a PNG/JPEG. */
  nameOf(file: string): string | undefined {
    if (this.byFile.has(file)) return this.byFile.get(file);
    const data = imageBytes(file);
    const name = data ? `csync-image:${createHash('sha256').update(data).digest('hex')}` : undefined;
    if (name && !this.files.has(name)) this.files.set(name, file);
    this.byFile.set(file, name);
    return name;
  }

  /** The bytes behind a name (read again: nothing is kept), checked as when it was named. */
  read(name: string): Buffer {
    const file = this.files.get(name);
    const data = file ? imageBytes(file) : undefined;
    if (!data || `csync-image:${createHash('sha256').update(data).digest('hex')}` !== name) throw new Error(`Invalid image: ${file ?? name} is gone or changed`);
    return data;
  }
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
 * How many pages are laid out at once. A layout takes ≈1.4 MB per exported page until it is drawn, so the chapters
 * are laid out and drawn a chunk at a time into the one document (PdfWriter); the contents, the outline and the
 * totals are added once every chapter's first page is known.
 */
const CHUNK_ITEMS = 20;
const CHUNK_CHARS = 300_000;

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
const GREY_RGB = '0.420 0.467 0.549';
const PAGE_SIZE = 'A4';
const PAGE_MARGINS = [40, 50, 40, 50];
const DEFAULT_STYLE = { font: 'Roboto', fontSize: 10.5, lineHeight: 1.2 };
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * pdfmake's own layout engine and renderer, driven directly (its internal modules: the version is pinned exactly in package.json).
 * `createPdf` lays out a whole document before writing any of it (≈1.4 MB of layout per exported page) and makes a
 * new PDF each time; here one pdfkit document receives every chunk in turn, so each chunk's layout is garbage once
 * it is drawn, the PDF streams to its file page by page, and each font is embedded once, subset to the glyphs the
 * whole export uses.
 */
interface PdfRef {
  data: Record<string, unknown>;
  end(chunk?: string): void;
}
interface PdfFont {
  id: string;
  ref(): PdfRef;
  widthOfString(text: string, size: number): number;
}
interface PdfImage {
  embed(doc: PdfKitDoc): void;
}
interface PdfPage {
  width: number;
  height: number;
  dictionary: PdfRef;
  fonts: Record<string, unknown>;
  xobjects: Record<string, unknown>;
}
interface PdfKitDoc {
  page: PdfPage;
  _font: PdfFont | null;
  _root: { data: { Pages: { data: { Kids: PdfRef[] } }; Outlines?: PdfRef; PageMode?: string } };
  _imageRegistry: Record<string, PdfImage>;
  _pdfMakePages?: unknown;
  provideImage(src: string): PdfImage;
  openImage(data: Buffer): PdfImage;
  addNamedDestination(name: string, ...args: unknown[]): void;
  bufferedPageRange(): { start: number; count: number };
  switchToPage(n: number): void;
  flushPages(): void;
  font(name: string): PdfKitDoc;
  ref(data?: Record<string, unknown>): PdfRef;
  addContent(data: string): void;
  on(event: 'data', listener: (chunk: Buffer) => void): void;
  on(event: 'end', listener: () => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  end(): void;
}
interface PdfmakeInternals {
  PDFDocument: new (fonts: FontSet, images: object, patterns: object, attachments: object, options: object, virtualfs: unknown, localAccessPolicy: (path: string) => boolean) => PdfKitDoc;
  LayoutBuilder: new (pageSize: object, margins: object, svgMeasure: object) => {
    registerTableLayouts(layouts: object): void;
    layoutDocument(content: Content[], doc: PdfKitDoc, styles: object, defaultStyle: object, ...rest: undefined[]): unknown[];
  };
  Renderer: new (doc: PdfKitDoc) => { renderPages(pages: unknown[]): void };
  SVGMeasure: new () => object;
  tableLayouts: object;
  pageSize: object;
  margins: object;
}
let internals: PdfmakeInternals | undefined;
function pdfmakeInternals(): PdfmakeInternals {
  if (!internals) {
    const js = (name: string) => require(`pdfmake/js/${name}.js`) as { default: never } & Record<string, never>;
    const { normalizePageSize, normalizePageMargin } = js('PageSize') as unknown as { normalizePageSize(size: string, orientation?: string): object; normalizePageMargin(m: number[]): object };
    internals = {
      PDFDocument: js('PDFDocument').default,
      LayoutBuilder: js('LayoutBuilder').default,
      Renderer: js('Renderer').default,
      SVGMeasure: js('SVGMeasure').default,
      tableLayouts: (js('tableLayouts') as unknown as { tableLayouts: object }).tableLayouts,
      pageSize: normalizePageSize(PAGE_SIZE),
      margins: normalizePageMargin(PAGE_MARGINS),
    };
  }
  return internals;
}

/** The PDF being written: one pdfkit document, laid out chunk by chunk, streamed to a temporary file in the stage. */
class PdfWriter {
  readonly doc: PdfKitDoc;
  /** Chapter anchor → its page's index in the pdfkit document, and its destination ([page, /XYZ, x, y, zoom]). */
  readonly firstPage = new Map<string, number>();
  readonly dests = new Map<string, unknown[]>();
  private readonly fd: number;
  private readonly tmp: string;
  private readonly done: Promise<void>;
  private readonly helvetica: PdfFont;
  private readonly total: PdfRef;
  bytes = 0;

  constructor(private readonly file: string, fonts: FontSet, title: string, images: PdfImages) {
    const { PDFDocument } = pdfmakeInternals();
    mkdirSync(dirname(file), { recursive: true });
    this.tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    this.fd = openSync(this.tmp, CREATE_NEW, 0o644);
    const size = pdfmakeInternals().pageSize as { width: number; height: number };
    this.doc = new PDFDocument(
      fonts,
      {},
      {},
      {},
      { size: [size.width, size.height], pdfVersion: '1.3', compress: true, fontLayoutCache: true, bufferPages: true, autoFirstPage: false, font: null, info: { Title: title, Creator: 'csync export', Producer: 'csync export (pdfmake)' } },
      pdfmake.virtualfs,
      () => false,
    );
    this.done = new Promise((resolveDone, reject) => {
      this.doc.on('data', (chunk) => {
        for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off);
        this.bytes += chunk.length;
      });
      this.doc.on('end', resolveDone);
      this.doc.on('error', reject);
    });
    this.done.catch(() => undefined); // awaited in finish(); after a failure (abandon) nobody waits for it
    const doc = this.doc;
    // Images by the names PdfImages gives (layout asks, then the renderer draws by the same name): each one read and
    // embedded once for the whole document, kept in pdfkit's registry (which frees the pixels once embedded).
    doc.provideImage = (src: string) => {
      const known = doc._imageRegistry[src];
      if (known) return known;
      let image: PdfImage;
      try {
        image = doc.openImage(images.read(src));
      } catch (err) {
        throw new Error(`Invalid image: ${String(err)}`, { cause: err });
      }
      image.embed(doc);
      doc._imageRegistry[src] = image;
      return image;
    };
    const add = doc.addNamedDestination.bind(doc);
    doc.addNamedDestination = (name: string, ...args: unknown[]) => {
      add(name, ...args);
      if (this.dests.has(name)) return;
      // pdfkit's own computation (it keeps no handle on the array it stores): y from the top → from the bottom.
      const dest = args.length ? [...args] : ['XYZ', null, null, null];
      if (dest[0] === 'XYZ' && typeof dest[2] === 'number') dest[2] = doc.page.height - dest[2];
      this.dests.set(name, [doc.page.dictionary, ...dest]);
      const range = doc.bufferedPageRange();
      this.firstPage.set(name, range.start + range.count - 1);
    };
    // Page numbers in the standard Helvetica (no font file to embed; digits only); the total is one form XObject
    // that every page draws and that is written once the total is known.
    const current = doc._font;
    doc.font('Helvetica');
    this.helvetica = doc._font!;
    doc._font = current;
    this.total = doc.ref({ Type: 'XObject', Subtype: 'Form', BBox: [0, -4, 200, 12], Resources: { Font: { [this.helvetica.id]: this.helvetica.ref() } } });
  }

  /** Lays out `content` (pdfmake's layout engine; nothing is drawn) and returns its pages. */
  layout(content: Content[]): unknown[] {
    const { LayoutBuilder, SVGMeasure, tableLayouts, pageSize, margins } = pdfmakeInternals();
    const builder = new LayoutBuilder(pageSize, margins, new SVGMeasure());
    builder.registerTableLayouts(tableLayouts);
    return builder.layoutDocument(content, this.doc, STYLES, DEFAULT_STYLE);
  }

  /** Draws laid-out pages, each with its number at the foot (`numberOf`: pdfkit index → printed number), and writes them out. */
  async draw(pages: unknown[], numberOf: (index: number) => number): Promise<void> {
    new (pdfmakeInternals().Renderer)(this.doc).renderPages(pages);
    const doc = this.doc;
    const { start, count } = doc.bufferedPageRange();
    for (let i = start; i < start + count; i++) {
      doc.switchToPage(i);
      this.footer(numberOf(i));
    }
    doc.flushPages();
    // Let go of this chunk's layout. Its images stay registered (embedded: a name and an object number each), so a
    // later chunk draws the same object.
    doc._pdfMakePages = undefined;
    await new Promise((r) => setImmediate(r));
  }

  /** "n / total" centred on the slash at the foot of the current page. */
  private footer(n: number): void {
    const page = this.doc.page;
    const font = this.helvetica;
    const label = `${n} / `;
    const x = page.width / 2 - font.widthOfString(`${n} /`, 8) + font.widthOfString('/', 8) / 2;
    page.fonts[font.id] = font.ref();
    page.xobjects.CsyncTotal = this.total;
    // pdfkit leaves its coordinate flip in effect at the end of a page: undo it (the matrix is its own inverse).
    this.doc.addContent(`q 1 0 0 -1 0 ${page.height} cm BT /${font.id} 8 Tf ${GREY_RGB} rg ${x.toFixed(2)} 30 Td (${label}) Tj ET 1 0 0 1 ${(x + font.widthOfString(label, 8)).toFixed(2)} 30 cm /CsyncTotal Do Q`);
  }

  /** Moves the last `n` pages to the front (the title page and contents, drawn last once every chapter's page is known). */
  moveToFront(n: number): void {
    const kids = this.doc._root.data.Pages.data.Kids;
    kids.unshift(...kids.splice(kids.length - n, n));
  }

  /** Writes the total, the outline and the rest, and publishes the file. Returns the bytes written. */
  async finish(totalPages: number, outline: PdfRef | undefined): Promise<number> {
    this.total.end(`BT /${this.helvetica.id} 8 Tf ${GREY_RGB} rg 0 0 Td (${totalPages}) Tj ET`);
    if (outline) {
      this.doc._root.data.Outlines = outline;
      this.doc._root.data.PageMode = 'UseOutlines';
    }
    this.doc.end();
    await this.done;
    closeSync(this.fd);
    renameSync(this.tmp, this.file);
    return this.bytes;
  }

  /** After a failure: the temporary file goes. */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* closed */
    }
    rmSync(this.tmp, { force: true });
  }
}

export async function renderPdf(ctx: RenderContext, warn?: (m: string) => void): Promise<number> {
  const switchValue = process.env.CSYNC_PDF_CJK_FONT;
  if (switchValue && switchValue !== 'none') warn?.(`CSYNC_PDF_CJK_FONT=${switchValue} is ignored: only "none" is understood (to name a font use --pdf-font FILE or export.pdf.font)`);
  const hasCjk = new RegExp(CJK.source, 'u'); // CJK is global (stateful with test); this copy is not
  // One read of every body: its size (for the chunks) and whether it holds CJK text.
  const sizes = new Map<ExportItem, number>();
  let cjk = 0;
  for (const it of ctx.items) {
    const body = ctx.body(it).body;
    sizes.set(it, body.length);
    if (hasCjk.test(it.title) || hasCjk.test(body)) cjk++;
  }
  const { fonts, fallback, cjkAvailable } = configure(ctx.spec.pdfFont, cjk > 0 || hasCjk.test(ctx.spec.title));
  if (!cjkAvailable && cjk) {
    warn?.(
      `PDF: ${cjk} item${cjk === 1 ? ' holds' : 's hold'} Chinese, Japanese or Korean text but no CJK font is installed, so those characters are blank; ` +
        'install @expo-google-fonts/noto-sans-sc or name a font with --pdf-font FILE (config export.pdf.font)',
    );
  }
  const d = depths(ctx.items);
  const pictures = new PdfImages();
  const pdf = new PdfWriter(join(ctx.stage, ...PDF_FILE.split('/')), fonts, ctx.spec.title, pictures);
  try {
    // The title page and contents come first but are drawn last (their page numbers are known then); their length
    // does not depend on those numbers (a fixed-width column), so a layout with blank numbers gives it now.
    const frontPages = pdf.layout(frontMatter(ctx, d, undefined, fallback)).length;
    let images = true;
    for (const chunk of chunksOf(ctx.items, (it) => sizes.get(it) ?? 0)) {
      let pages: unknown[];
      try {
        pages = pdf.layout(chapters(ctx, chunk, images ? pictures : undefined, fallback));
      } catch (err) {
        // An image the renderer cannot read must not cost the whole PDF: from here on images are drawn as their alt
        // text. (Images are read while laying out, before anything of the chunk is drawn.)
        if (!images || !/image/i.test(String((err as Error)?.message))) throw err;
        warn?.(`PDF: an image could not be embedded (${(err as Error).message.split('\n')[0]}); images are shown as their names`);
        images = false;
        pages = pdf.layout(chapters(ctx, chunk, images ? pictures : undefined, fallback));
      }
      await pdf.draw(pages, (i) => frontPages + i + 1);
    }
    const chapterPages = pdf.doc.bufferedPageRange().start;
    const front = pdf.layout(frontMatter(ctx, d, (dest) => { const p = pdf.firstPage.get(dest); return p === undefined ? undefined : frontPages + p + 1; }, fallback));
    if (front.length !== frontPages) throw new Error(`PDF: the contents took ${front.length} pages, laid out before as ${frontPages}`);
    await pdf.draw(front, (i) => i - chapterPages + 1);
    pdf.moveToFront(frontPages);
    return await pdf.finish(frontPages + chapterPages, outlineOf(pdf.doc, ctx, pdf.dests));
  } catch (err) {
    pdf.abandon();
    throw err;
  }
}

/** The chapters of one chunk: each item's title (a named destination) on a new page, its metadata and body. */
function chapters(ctx: RenderContext, chunk: readonly ExportItem[], images: PdfImages | undefined, fallback: string | undefined): Content[] {
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
            return file.startsWith(stageRoot + sep) ? images.nameOf(file) : undefined;
          },
        },
        1,
        fallback,
      ),
    );
  });
  return content;
}

/** Title page and contents (title, indented by depth, and page number, both linking to the chapter); `pageOf` absent: numbers left blank. */
function frontMatter(ctx: RenderContext, d: Map<string, number>, pageOf: ((dest: string) => number | undefined) | undefined, fallback: string | undefined): Content[] {
  const rows = ctx.items.map((it) => {
    const dest = anchorOf(it);
    const page = pageOf?.(dest);
    return [
      { text: fontRuns(breakable(it.title), fallback), linkToDestination: dest, margin: [(d.get(it.id) ?? 0) * 12, 0, 0, 0] },
      // A fixed width: the contents' length must not depend on the numbers it shows.
      { text: page === undefined ? '' : String(page), linkToDestination: dest, alignment: 'right', noWrap: true },
    ];
  });
  return [
    { text: fontRuns(ctx.spec.title, fallback), style: 'title', margin: [0, 200, 0, 12] },
    { text: `${countText(ctx.items)} · exported ${new Date().toISOString().slice(0, 10)}`, alignment: 'center', color: GREY },
    { text: 'Contents', style: 'h1', pageBreak: 'before' },
    ...(rows.length ? [{ table: { widths: ['*', 44], body: rows, dontBreakRows: true }, layout: 'noBorders' } as Content] : []),
  ];
}

/** A text string for the outline: UTF-16BE with its byte-order mark (written as a hex string). */
function pdfText(text: string): Buffer {
  const le = Buffer.from(`\ufeff${text}`, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
}

/** The outline (bookmarks) following the page tree: an item's parent is its nearest exported ancestor; closed below the top. */
function outlineOf(doc: PdfKitDoc, ctx: RenderContext, dests: Map<string, unknown[]>): PdfRef | undefined {
  interface Node {
    title: string;
    dest: unknown[];
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
  if (!roots.length) return undefined;
  const root = doc.ref({ Type: 'Outlines' });
  const level = (list: Node[], parent: PdfRef): { first: PdfRef; last: PdfRef } => {
    const refs = list.map(() => doc.ref({}));
    list.forEach((node, i) => {
      const dict = refs[i]!.data;
      dict.Title = pdfText(node.title);
      dict.Parent = parent;
      dict.Dest = node.dest;
      if (i > 0) dict.Prev = refs[i - 1]!;
      if (i + 1 < refs.length) dict.Next = refs[i + 1]!;
      if (node.children.length) {
        const kids = level(node.children, refs[i]!);
        dict.First = kids.first;
        dict.Last = kids.last;
        dict.Count = -node.children.length;
      }
      refs[i]!.end();
    });
    return { first: refs[0]!, last: refs[refs.length - 1]! };
  };
  const top = level(roots, root);
  Object.assign(root.data, { First: top.first, Last: top.last, Count: roots.length });
  root.end();
  return root;
}
