/**
 * Conversion throughput of the Markdown format, both ways, in MB of storage format per CPU-second (so per core;
 * goal ≥ 2 MB/s each way), plus the CommonMark conformance figure.
 *
 * Corpora (storage bodies):
 *   cloud  150 generated ~5 KB Cloud-style pages (bench/format-corpus.ts): formatting, links, tables with colgroups,
 *          code, panels, expand, tasks, status, emoticons, images, layouts, server attributes.
 *   pull   150 pages of the emulator's benchmark space as it serves them (what `pull-10k` converts).
 *   demo   the emulator's demo space (~35 small pages using every construct), converted 10 times per run.
 * Each figure is the median of RUNS runs. The `all` figures pool the corpora (total bytes / total median time).
 * Floors on cloud + pull: what the libraries alone take on the same input (storage XML parse, remark-parse of
 * the Markdown with and without GFM, the converter's own reader (markdown-it, parse-fast.ts), remark-stringify of its
 * tree), to show how close the converter is to them.
 * Before timing, every page is checked once: law 1 (canonical storage comes back) and law 2 (the Markdown is a
 * fixed point); violations are reported, not hidden.
 */
import { Buffer } from 'node:buffer';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { markdownFormat } from '../src/format/markdown/index.js';
import { parseMarkdown, parseMarkdownRemark, stringifyMarkdown } from '../src/format/markdown/processors.js';
import { canonicalStorage } from '../src/format/xml/canonical.js';
import { parseStorage } from '../src/format/xml/parse.js';
import { seedBench, seedDemo } from '../src/emulator/seed.js';
import { Store } from '../src/emulator/store.js';
import { context, corpus, cpuSeconds, median } from './format-corpus.js';
import { commonmarkReport } from './format-commonmark.js';

const RUNS = 5;

/** Median CPU seconds of `fn` over RUNS runs (after one warm-up run). */
function medianSeconds(fn: () => void): number {
  fn();
  return median(Array.from({ length: RUNS }, () => cpuSeconds(fn)));
}

function bytesOf(bodies: readonly string[]): number {
  return bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
}

/** The emulator's benchmark-space bodies, as the emulator serves them (server attributes added). */
function pullBodies(pages: number): string[] {
  const store = new Store();
  seedBench(store, pages + 1);
  return [...store.pages.values()].filter((p) => p.lazyBody !== undefined).map((p) => store.bodyOf(p));
}

function demoBodies(): string[] {
  const store = new Store();
  seedDemo(store);
  return [...store.pages.values()].map((p) => store.bodyOf(p));
}

interface CorpusResult {
  bytes: number;
  toMarkdownSeconds: number;
  toStorageSeconds: number;
  verbatimBlocks: number;
  lawViolations: number;
}

function measure(bodies: readonly string[], repeat = 1): CorpusResult & { markdown: string[] } {
  const markdown = bodies.map((b) => markdownFormat.toLocal(b, context).text);
  let lawViolations = 0;
  markdown.forEach((m, i) => {
    const storage = markdownFormat.toStorage(m, { ...context, base: bodies[i] }).text;
    if (canonicalStorage(storage) !== canonicalStorage(bodies[i] as string)) lawViolations++;
    else if (markdownFormat.toLocal(storage, context).text !== m) lawViolations++;
  });
  const toMarkdownSeconds = medianSeconds(() => {
    for (let r = 0; r < repeat; r++) for (const b of bodies) markdownFormat.toLocal(b, context);
  });
  const toStorageSeconds = medianSeconds(() => {
    for (let r = 0; r < repeat; r++) for (const m of markdown) markdownFormat.toStorage(m, context);
  });
  const verbatimBlocks = markdown.reduce((n, m) => n + (m.match(/```confluence-storage/g)?.length ?? 0), 0);
  return { bytes: bytesOf(bodies) * repeat, toMarkdownSeconds, toStorageSeconds, verbatimBlocks, lawViolations, markdown };
}

/** MB/s of storage for the libraries alone on the same input. */
function floors(bodies: readonly string[], markdown: readonly string[]): Record<string, number> {
  const mb = bytesOf(bodies) / 1e6;
  const commonmark = unified().use(remarkParse);
  const trees = markdown.map((m) => parseMarkdown(m));
  return {
    floorXmlParseMBps: mb / medianSeconds(() => bodies.forEach((b) => parseStorage(b))),
    floorRemarkParseGfmMBps: mb / medianSeconds(() => markdown.forEach((m) => parseMarkdownRemark(m))),
    floorConverterParseMBps: mb / medianSeconds(() => markdown.forEach((m) => parseMarkdown(m))),
    floorRemarkParseCommonmarkMBps: mb / medianSeconds(() => markdown.forEach((m) => commonmark.parse(m))),
    floorRemarkStringifyMBps: mb / medianSeconds(() => trees.forEach((t) => stringifyMarkdown(t))),
  };
}

export async function formatThroughput(): Promise<Record<string, number>> {
  const corpora = { cloud: { bodies: corpus(150), repeat: 1 }, pull: { bodies: pullBodies(150), repeat: 1 }, demo: { bodies: demoBodies(), repeat: 10 } };
  const out: Record<string, number> = {};
  let bytes = 0;
  let toMd = 0;
  let toSt = 0;
  let lawViolations = 0;
  let verbatimBlocks = 0;
  const floorBodies: string[] = [];
  const floorMarkdown: string[] = [];
  for (const [name, c] of Object.entries(corpora)) {
    const r = measure(c.bodies, c.repeat);
    out[`${name}ToMarkdownMBps`] = r.bytes / 1e6 / r.toMarkdownSeconds;
    out[`${name}ToStorageMBps`] = r.bytes / 1e6 / r.toStorageSeconds;
    out[`${name}Bytes`] = r.bytes;
    bytes += r.bytes;
    toMd += r.toMarkdownSeconds;
    toSt += r.toStorageSeconds;
    lawViolations += r.lawViolations;
    verbatimBlocks += r.verbatimBlocks;
    if (name !== 'demo') {
      floorBodies.push(...c.bodies);
      floorMarkdown.push(...r.markdown);
    }
  }
  return {
    storageToMarkdownMBps: bytes / 1e6 / toMd,
    markdownToStorageMBps: bytes / 1e6 / toSt,
    ...out,
    ...floors(floorBodies, floorMarkdown),
    runs: RUNS,
    verbatimBlocks,
    lawViolations,
  };
}

export const scenarios = {
  'format-throughput': async () => formatThroughput(),
  'format-commonmark': async () => {
    const r = commonmarkReport();
    return { commonmarkPassPercent: r.percent, commonmarkPassed: r.passed, commonmarkTotal: r.total };
  },
};
