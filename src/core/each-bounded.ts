/**
 * Runs a task per item through p-queue, at most `concurrency` at once, adding tasks only as places free up: the queue
 * holds a few closures at a time, not one per item (a scan of 100,000 pages made 100,000 closures and promises up
 * front when every task was queued at once). The first failure stops further adds and is thrown once the tasks in
 * flight have ended (none is left running behind the caller's back).
 */
import PQueue from 'p-queue';

export async function eachBounded<T>(items: Iterable<T>, concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = new PQueue({ concurrency: Math.max(1, concurrency) });
  let failed: { error: unknown } | undefined;
  for (const item of items) {
    if (failed) break;
    await queue.onSizeLessThan(queue.concurrency);
    if (failed) break;
    queue
      .add(() => task(item))
      .catch((error: unknown) => {
        failed ??= { error };
      });
  }
  await queue.onIdle();
  if (failed) throw failed.error;
}
