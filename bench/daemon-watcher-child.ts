/**
 * Child process of bench/daemon.ts: runs the daemon's watcher alone on a workspace and measures its idle CPU and
 * memory, so the harness's own work does not count. Prints one JSON line. Does nothing when merely imported
 * (bench/run.ts imports every bench/*.ts to discover scenarios).
 *   node --expose-gc --import tsx bench/daemon-watcher-child.ts <workspace> <idleSeconds>
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

async function main(workspace: string, idleSeconds: number): Promise<void> {
  const { startWatcher } = await import('../src/daemon/watcher.js');
  let events = 0;
  const t0 = performance.now();
  const w = startWatcher({ workspace, sink: { markDirty: () => void (events += 1) } });
  await w.ready;
  const readyMs = performance.now() - t0;
  // Start-up garbage (the initial directory walk) is not the daemon's steady state: collect it before measuring.
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(2000);
  const eventsBefore = events;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await sleep(idleSeconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const idleEvents = events - eventsBefore;
  const mem = process.memoryUsage();
  // A change after the idle period must still be seen: the watcher was idle, not dead.
  writeFileSync(join(workspace, 'content', 'S', 'd0', 'p0.md'), `changed ${Date.now()}\n`);
  for (let i = 0; i < 100 && events === eventsBefore + idleEvents; i++) await sleep(50);
  const result = {
    readyMs: Math.round(readyMs),
    idleSeconds: Math.round(wallMs / 100) / 10,
    idleCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    idleEvents,
    changeSeen: events > eventsBefore + idleEvents,
    watchedEntries: w.watchedCount(),
    rssMB: mem.rss / 2 ** 20,
    heapUsedMB: mem.heapUsed / 2 ** 20,
    heapTotalMB: mem.heapTotal / 2 ** 20,
    externalMB: mem.external / 2 ** 20,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  await w.close();
  process.stdout.write(JSON.stringify(result) + '\n');
}

const self = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : '';
if (self === import.meta.url) {
  const [workspace, seconds] = process.argv.slice(2);
  if (!workspace) throw new Error('usage: daemon-watcher-child.ts <workspace> <idleSeconds>');
  await main(workspace, Number(seconds ?? 60));
}
