/**
 * The Jira body converters: ADF → Markdown and wiki markup → Markdown throughput on documents made of the test
 * fixtures (a bug report and a Confluence-style page; an incident and a change request) repeated 300 times, and a
 * pathological line of unmatched wiki markers. Medians of 5 runs.
 */
import { adfToMarkdown } from '../src/format/adf/to-markdown.js';
import { wikiToMarkdown } from '../src/format/wiki/to-markdown.js';
import { bugReport, richPage } from '../test/format/adf/fixtures.js';
import { changeRequest, incident } from '../test/format/wiki/fixtures.js';
import type { Metrics } from './run.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time(fn: () => void, runs = 5): number {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

export const scenarios = {
  'jira-body-converters': async (): Promise<Metrics> => {
    const adf = { type: 'doc', version: 1, content: Array.from({ length: 300 }, () => [...bugReport.content, ...richPage.content]).flat() };
    const adfBytes = Buffer.byteLength(JSON.stringify(adf));
    const wiki = Array.from({ length: 300 }, () => `${incident}\n\n${changeRequest}`).join('\n\n');
    const wikiBytes = Buffer.byteLength(wiki);
    const hostile = '*a '.repeat(20_000);
    const adfMs = time(() => adfToMarkdown(adf));
    const wikiMs = time(() => wikiToMarkdown(wiki));
    const hostileMs = time(() => wikiToMarkdown(hostile));
    return {
      adf_json_mb: +(adfBytes / 1e6).toFixed(2),
      adf_ms_median: Math.round(adfMs),
      adf_mb_per_s: +(adfBytes / 1e6 / (adfMs / 1000)).toFixed(2),
      wiki_mb: +(wikiBytes / 1e6).toFixed(2),
      wiki_ms_median: Math.round(wikiMs),
      wiki_mb_per_s: +(wikiBytes / 1e6 / (wikiMs / 1000)).toFixed(2),
      wiki_unmatched_markers_60kb_ms: Math.round(hostileMs),
    };
  },
};
