/**
 * markdown-readability: how much of the Markdown people open is still XHTML, and whether the round trip holds.
 *
 * Corpora: `cloud-ids` (test/format/cloud-corpus.ts: 200 ~4 KB pages shaped like what Confluence Cloud's editor
 * saves — local ids on every block, macro ids, tables with widths and <p> in cells, images with captions, status,
 * emoji, tasks, panels, expands, layouts) and `bench-cloud` (bench/format-corpus.ts, the throughput corpus).
 * Reported per corpus: % of Markdown bytes on lines carrying XHTML (verbatim fences, storage markers, attrs
 * comments, `storage:` spans), % of pages equivalent after one round trip (with the base, as a push does) and after
 * two (the second Markdown identical to the first, the storage still equivalent), and throughput both ways on the
 * Cloud-style pages (MB of storage per CPU-second, median of 3).
 */
import { markdownFormat } from '../src/format/markdown/index.js';
import { canonicalStorage } from '../src/format/xml/canonical.js';
import { cloudCorpus, xhtmlShare } from '../test/format/cloud-corpus.js';
import { context, corpus } from './format-corpus.js';

function measure(bodies: readonly string[]): { xhtmlPercent: number; oneTripPercent: number; twoTripPercent: number } {
  const markdown: string[] = [];
  let one = 0;
  let two = 0;
  for (const body of bodies) {
    const md = markdownFormat.toLocal(body, context).text;
    markdown.push(md);
    const back = markdownFormat.toStorage(md, { ...context, base: body }).text;
    const same = canonicalStorage(back) === canonicalStorage(body);
    if (same) one++;
    const md2 = markdownFormat.toLocal(back, context).text;
    if (same && md2 === md && canonicalStorage(markdownFormat.toStorage(md2, { ...context, base: back }).text) === canonicalStorage(body)) two++;
  }
  const pct = (n: number) => (100 * n) / bodies.length;
  return { xhtmlPercent: xhtmlShare(markdown).percent, oneTripPercent: pct(one), twoTripPercent: pct(two) };
}

/** MB of storage per CPU-second of this process, median of 3 runs, each direction (toStorage with the base, as a push). */
function throughput(bodies: readonly string[]): { toMarkdownMBps: number; toStorageMBps: number } {
  const mb = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / 1e6;
  const cpu = (f: () => void) => {
    const t = process.cpuUsage();
    f();
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1e6;
  };
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const mds = bodies.map((b) => markdownFormat.toLocal(b, context).text);
  const down: number[] = [];
  const up: number[] = [];
  for (let run = 0; run < 3; run++) {
    down.push(mb / cpu(() => bodies.forEach((b) => markdownFormat.toLocal(b, context))));
    up.push(mb / cpu(() => mds.forEach((m, i) => markdownFormat.toStorage(m, { ...context, base: bodies[i] }))));
  }
  return { toMarkdownMBps: median(down), toStorageMBps: median(up) };
}

export const scenarios = {
  'markdown-readability': async () => {
    const cloud = measure(cloudCorpus(200));
    const bench = measure(corpus(150));
    const speed = throughput(cloudCorpus(100, 3));
    return {
      cloudIdsXhtmlPercent: cloud.xhtmlPercent,
      cloudIdsOneTripPercent: cloud.oneTripPercent,
      cloudIdsTwoTripPercent: cloud.twoTripPercent,
      benchCloudXhtmlPercent: bench.xhtmlPercent,
      benchCloudOneTripPercent: bench.oneTripPercent,
      benchCloudTwoTripPercent: bench.twoTripPercent,
      cloudIdsToMarkdownMBps: speed.toMarkdownMBps,
      cloudIdsToStorageWithBaseMBps: speed.toStorageMBps,
    };
  },
};
