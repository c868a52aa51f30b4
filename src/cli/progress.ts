/**
 * Progress for long runs: a bar with counts and ETA on a terminal (cli-progress), JSON lines on stderr every few
 * seconds otherwise (so CI logs and journald show a run is alive without drowning in lines). Off with
 * --no-progress, --json or --quiet.
 */
import cliProgress from 'cli-progress';

export interface ProgressEvent {
  phase: string;
  done: number;
  total?: number | undefined;
  bytes?: number | undefined;
  [key: string]: unknown;
}

export interface ProgressReporter {
  update(event: ProgressEvent): void;
  stop(): void;
}

export function createProgress(options: {
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  intervalMs?: number;
  now?: () => number;
}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled) return { update: () => {}, stop: () => {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{phase} [{bar}] {value}/{total} | {percentage}% | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let phase = '';
    return {
      update(e) {
        const total = e.total ?? Math.max(e.done, 1);
        if (!started || e.phase !== phase) {
          if (started) bar.stop();
          bar.start(total, e.done, { phase: e.phase.padEnd(10) });
          started = true;
          phase = e.phase;
        } else {
          bar.setTotal(total);
          bar.update(e.done, { phase: e.phase.padEnd(10) });
        }
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  const interval = options.intervalMs ?? 3000;
  const now = options.now ?? Date.now;
  const startedAt = now();
  let last = 0;
  let lastEvent: ProgressEvent | undefined;
  const emit = (e: ProgressEvent) => {
    const elapsed = (now() - startedAt) / 1000;
    const eta = e.total && e.done > 0 ? Math.round((elapsed / e.done) * (e.total - e.done)) : null;
    stream.write(JSON.stringify({ progress: { ...e, elapsedSeconds: Math.round(elapsed), etaSeconds: eta } }) + '\n');
  };
  return {
    update(e) {
      lastEvent = e;
      const t = now();
      if (t - last >= interval) {
        last = t;
        emit(e);
      }
    },
    stop() {
      // The final state is reported by the summary; a last line only when one was pending for a while.
      if (lastEvent && now() - last >= interval) emit(lastEvent);
    },
  };
}
