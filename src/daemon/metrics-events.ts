/** Loop events → metrics: the one place that knows both shapes, so neither the loop nor obs imports the other. */
import type { Metrics } from '../obs/metrics.js';
import type { LoopEvents } from './loop.js';

export function loopMetricsEvents(metrics: Metrics, next: Partial<LoopEvents> = {}): LoopEvents {
  return {
    onRun: (e) => {
      metrics.observeSync(e.kind, e.ok ? 'ok' : 'error', e.durationMs, e.ok ? undefined : e.error instanceof Error ? e.error.message : e.error === undefined ? undefined : String(e.error));
      if (e.outcome?.pagesPushed) metrics.addPages('pushed', e.outcome.pagesPushed);
      if (e.outcome?.pagesPulled) metrics.addPages('pulled', e.outcome.pagesPulled);
      next.onRun?.(e);
    },
    onSaveToRemote: (ms) => {
      metrics.observeSaveToRemote(ms);
      next.onSaveToRemote?.(ms);
    },
    onQueueDepth: (depth) => {
      metrics.setQueueDepth(depth);
      next.onQueueDepth?.(depth);
    },
  };
}
