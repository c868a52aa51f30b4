/**
 * Conversion throughput of the Markdown format, both ways, in MB of storage format per second on one core
 * (goal: ≥ 2 MB/s each way), plus the CommonMark conformance figure.
 */
import { Buffer } from 'node:buffer';
import { markdownFormat } from '../src/format/markdown/index.js';
import type { ConvertContext, LinkResolver } from '../src/format/types.js';
import { corpus } from './format-corpus.js';
import { commonmarkReport } from './format-commonmark.js';

const resolver: LinkResolver = {
  pathForPage: (ref) => (ref.title === 'Other Page' ? '../Other Page.md' : undefined),
  pageForPath: (p) => (p === '../Other Page.md' ? { spaceKey: 'DOC', title: 'Other Page' } : undefined),
  pathForAttachment: (f) => `Home/${f}`,
  attachmentForPath: (p) => (p.startsWith('Home/') ? p.slice(5) : undefined),
};
const context: ConvertContext = { spaceKey: 'DOC', title: 'Home', resolver };

/**
 * CPU seconds (user + system) spent in `fn`: "per core" throughput, and stable when other processes compete for
 * the cores (wall time then measures the scheduler, not the converter). The work is single-threaded.
 */
function cpuSeconds(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e6;
}

export async function formatThroughput(pages = 200): Promise<{ storageToMarkdownMBps: number; markdownToStorageMBps: number; bytes: number; pages: number; verbatimBlocks: number }> {
  const bodies = corpus(pages);
  const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
  // Warm up the JIT on a slice of the corpus first.
  for (const b of bodies.slice(0, 20)) markdownFormat.toStorage(markdownFormat.toLocal(b, context).text, context);
  let markdown: string[] = [];
  const toMd = cpuSeconds(() => {
    markdown = bodies.map((b) => markdownFormat.toLocal(b, context).text);
  });
  const toStorage = cpuSeconds(() => {
    for (const m of markdown) markdownFormat.toStorage(m, context);
  });
  const verbatimBlocks = markdown.reduce((n, m) => n + (m.match(/```confluence-storage/g)?.length ?? 0), 0);
  const mb = bytes / 1e6;
  return { storageToMarkdownMBps: mb / toMd, markdownToStorageMBps: mb / toStorage, bytes, pages, verbatimBlocks };
}

export const scenarios = {
  'format-throughput': async () => {
    const r = await formatThroughput();
    return { storageToMarkdownMBps: r.storageToMarkdownMBps, markdownToStorageMBps: r.markdownToStorageMBps, bytes: r.bytes };
  },
  'format-commonmark': async () => {
    const r = commonmarkReport();
    return { commonmarkPassPercent: r.percent, commonmarkPassed: r.passed, commonmarkTotal: r.total };
  },
};
