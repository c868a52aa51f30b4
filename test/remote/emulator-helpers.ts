/** Starting the emulator and a client wired to it, for the client's acceptance tests. */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { createConfluenceClient, type ClientOptions, type ConfluenceClient } from '../../src/remote/index.js';
import { storageEquals } from '../../src/format/index.js';

export async function withEmulator<T>(
  emuOptions: EmulatorOptions,
  clientOptions: Partial<ClientOptions>,
  fn: (emu: Emulator, client: ConfluenceClient) => Promise<T>,
): Promise<T> {
  const emu = await startEmulator(emuOptions);
  const client = createConfluenceClient({
    baseUrl: emu.url,
    auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token },
    rate: { requestsPerSecond: 2000, burst: 2000, maxConcurrent: 4 },
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50 },
    timeouts: { connectMs: 2000, responseMs: 5000 },
    breaker: { failureThreshold: 50, halfOpenAfterMs: 1000 },
    sameBody: storageEquals,
    ...clientOptions,
  });
  try {
    return await fn(emu, client);
  } finally {
    await client.close();
    await emu.close();
  }
}

export async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
