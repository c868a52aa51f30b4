/**
 * `markdown-to-storage`: Markdown → storage throughput, MB per CPU-second (user + system of this process, so per
 * core), median of RUNS runs, with the converter's reader (markdown-it through parse-fast.ts, remark where it falls
 * back) and with remark-parse + remark-gfm alone (the reader before), interleaved run by run so that both see the
 * same machine load.
 *
 * Corpus: the Markdown of 150 Cloud-style pages (test/format/cloud-corpus.ts, local ids, images with sizes, rich
 * tables, macros with parameters) and of 150 pages of the throughput corpus (bench/format-corpus.ts), as pull
 * writes them. Three cases: no base (a new page); with the base (what push converts for a page: the base's storage
 * puts back the server attributes), unedited; with the base and one paragraph added (an edited page).
 * Rates are given per MB of storage (as format-throughput counts) and per MB of Markdown. Also: the share of
 * documents the fast reader handed to remark, and the parse alone.
 */
import { Buffer } from 'node:buffer';
import type { Root } from 'mdast';
import { markdownFormat } from '../src/format/markdown/index.js';
import { markdownToStorageWith } from '../src/format/markdown/markdown-to-storage.js';
import { fastParse } from '../src/format/markdown/parse-fast.js';
import { parseMarkdown, parseMarkdownRemark } from '../src/format/markdown/processors.js';
import { cloudCorpus } from '../test/format/cloud-corpus.js';
import { context, corpus, cpuSeconds, median } from './format-corpus.js';

const RUNS = 5;

type Parse = (markdown: string) => Root;

export async function markdownToStorageThroughput(): Promise<Record<string, number>> {
  const storage = [...cloudCorpus(150), ...corpus(150)];
  const markdown = storage.map((s) => markdownFormat.toLocal(s, context).text);
  const edited = markdown.map((m) => `${m}\nEdited by the markdown-to-storage benchmark.\n`);
  const storageMB = storage.reduce((n, s) => n + Buffer.byteLength(s), 0) / 1e6;
  const markdownMB = markdown.reduce((n, s) => n + Buffer.byteLength(s), 0) / 1e6;
  const cases: Record<string, (parse: Parse) => void> = {
    noBase: (parse) => markdown.forEach((m) => markdownToStorageWith(parse, m, context)),
    base: (parse) => markdown.forEach((m, i) => markdownToStorageWith(parse, m, { ...context, base: storage[i] })),
    baseEdited: (parse) => edited.forEach((m, i) => markdownToStorageWith(parse, m, { ...context, base: storage[i] })),
    parseOnly: (parse) => markdown.forEach((m) => parse(m)),
  };
  const readers: Record<string, Parse> = { fast: parseMarkdown, remark: parseMarkdownRemark };
  const out: Record<string, number> = { documents: markdown.length, storageMB: Number(storageMB.toFixed(3)), markdownMB: Number(markdownMB.toFixed(3)) };
  for (const [name, run] of Object.entries(cases)) {
    const times: Record<string, number[]> = { fast: [], remark: [] };
    for (const parse of Object.values(readers)) run(parse); // warm-up
    for (let r = 0; r < RUNS; r++) for (const [reader, parse] of Object.entries(readers)) times[reader]?.push(cpuSeconds(() => run(parse)));
    for (const reader of Object.keys(readers)) {
      const s = median(times[reader] as number[]);
      if (name !== 'parseOnly') out[`${name}_${reader}_storageMBps`] = Number((storageMB / s).toFixed(2));
      out[`${name}_${reader}_markdownMBps`] = Number((markdownMB / s).toFixed(2));
    }
  }
  out.fellBackToRemarkPercent = Number(((100 * markdown.filter((m) => fastParse(m) === undefined).length) / markdown.length).toFixed(1));
  out.runs = RUNS;
  return out;
}

export const scenarios = {
  'markdown-to-storage': markdownToStorageThroughput,
};
