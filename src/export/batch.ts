/**
 * `csync export --batch FILE`: several named definitions run concurrently (p-queue) through one Confluence client,
 * so they share the site's one rate limiter; each is a job of its own. One row per definition for the summary.
 */
import PQueue from 'p-queue';
import { isCsyncError } from '../core/errors.js';
import { specFromDefinition, type BatchEntry } from './definitions.js';
import { startJob, type RunnerDeps } from './runner.js';

export interface BatchRow {
  name: string;
  jobId: string | null;
  state: 'completed' | 'partial' | 'failed';
  items: number;
  failures: number;
  bundle: string | null;
  error?: string | undefined;
}

/** Definitions run at once; the limiter, not this, paces the requests. */
export const BATCH_CONCURRENCY = 3;

export async function runBatch(entries: readonly BatchEntry[], deps: (name: string) => RunnerDeps, options: { spaces: readonly string[]; useCache?: boolean; concurrency?: number; pdfFont?: string | undefined }): Promise<BatchRow[]> {
  const queue = new PQueue({ concurrency: options.concurrency ?? BATCH_CONCURRENCY });
  const rows = await Promise.all(
    entries.map((e) =>
      queue.add(async (): Promise<BatchRow> => {
        const d = deps(e.def.name);
        let jobId: string | null = null;
        try {
          const spec = specFromDefinition(e.def, { base: e.base, spaces: options.spaces, pdfFont: options.pdfFont }, { useCache: options.useCache });
          const r = await startJob({ ...d, onJob: (id) => (jobId = id) }, spec);
          return { name: e.def.name, jobId: r.job.id, state: r.failed.length ? 'partial' : 'completed', items: r.items, failures: r.failed.length, bundle: r.target };
        } catch (err) {
          const message = isCsyncError(err) ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
          const job = jobId ? d.store.get(jobId) : undefined;
          return { name: e.def.name, jobId, state: 'failed', items: job?.progress.items ?? 0, failures: job?.progress.failed ?? 0, bundle: null, error: message };
        }
      }),
    ),
  );
  return rows;
}

/** The summary table (fixed columns, widths from the content). */
export function batchTable(rows: readonly BatchRow[]): string {
  const head = ['NAME', 'JOB', 'STATE', 'ITEMS', 'FAILURES', 'BUNDLE'];
  const body = rows.map((r) => [r.name, r.jobId ?? '-', r.state, String(r.items), String(r.failures), r.bundle ?? (r.error ? `- (${r.error})` : '-')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (i < 5 ? b[i]!.length : 0))));
  const line = (cells: string[]) => cells.map((c, i) => (i < 5 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}
