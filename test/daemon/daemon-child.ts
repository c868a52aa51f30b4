/**
 * A daemon with a fake engine, for test/daemon/daemon.test.ts to drive with files, HTTP and signals.
 * Prints one JSON line per event on stdout. Usage: daemon-child.ts <workspace>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { installSignalHandlers, startDaemon } from '../../src/daemon/daemon.js';
import { createMetrics } from '../../src/obs/metrics.js';

const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');
const workspace = process.argv[2]!;
let polls = 0;
const daemon = await startDaemon({
  workspace,
  callbacks: {
    pushPaths: async (paths) => {
      say({ event: 'push-start', paths });
      await sleep(Number(process.env.CSYNC_TEST_PUSH_MS ?? 300));
      say({ event: 'push-end', paths });
      return { pagesPushed: paths.length };
    },
    pollRemote: async () => {
      polls += 1;
      say({ event: 'poll', polls });
      return { conflicts: 0 };
    },
  },
  loop: { debounceMs: 100, pollSeconds: 3600 },
  listen: { host: '127.0.0.1', port: 0 },
  metrics: createMetrics(),
  breakerState: () => 'closed',
});
installSignalHandlers(daemon, {
  reloadOptions: () => {
    say({ event: 'reload' });
    return { debounceMs: 50, pollSeconds: 3600 };
  },
  onStopped: (r, signal) => {
    say({ event: 'stopped', signal, ...r });
    process.exitCode = 0;
  },
});
say({ event: 'started', url: daemon.url });
