/**
 * Fault injection, by probability and by script. Kinds:
 * - http500 / http502 / http503: an error status (503 also in a Retry-After flavour: http503-retry)
 * - stall: headers never come (the client's timeout must fire); the socket is closed after stallMs
 * - reset: the connection is destroyed before any answer
 * - truncated: 200 with half a JSON body, then the connection ends
 * - malformed: 200 with a whole JSON body that breaks the API's schema (ids as numbers, no title): an API change
 *   (only by script, or when listed explicitly)
 * - reset-after / stall-after: the request IS applied, then the answer is lost (a write that happened but whose
 *   answer never arrived: the case that makes naive retries duplicate pages)
 */
export const FAULT_KINDS = ['http500', 'http502', 'http503', 'http503-retry', 'stall', 'reset', 'truncated', 'reset-after', 'stall-after', 'malformed'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds drawn by the probability setting (the "-after" kinds and malformed only by script, or when listed explicitly). */
export const RANDOM_KINDS: readonly FaultKind[] = ['http500', 'http502', 'http503', 'http503-retry', 'stall', 'reset', 'truncated'];

export interface ScriptedFault {
  kind: FaultKind;
  /** Only requests with this method (GET, POST, ...). */
  method?: string;
  /** Only paths containing this string or matching this pattern. */
  path?: string | RegExp;
  /** How many matching requests fail (default 1). */
  count?: number;
  /** Retry-After seconds for http503-retry (default 1). */
  retryAfter?: number;
}

export interface FaultSettings {
  probability: number;
  kinds: readonly FaultKind[];
  stallMs: number;
  random: () => number;
}

export class Faults {
  settings: FaultSettings;
  private script: Array<ScriptedFault & { left: number }> = [];
  injected = 0;

  constructor(settings: Partial<FaultSettings> = {}) {
    this.settings = { probability: 0, kinds: RANDOM_KINDS, stallMs: 30_000, random: Math.random, ...settings };
  }

  set(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  add(faults: ScriptedFault[]): void {
    for (const f of faults) this.script.push({ ...f, left: f.count ?? 1 });
  }

  clear(): void {
    this.script = [];
    this.settings = { ...this.settings, probability: 0 };
  }

  pending(): number {
    return this.script.reduce((n, f) => n + f.left, 0);
  }

  /** The fault for this request, if any (consumes a scripted one). */
  pick(method: string, path: string): (ScriptedFault & { kind: FaultKind }) | undefined {
    for (const f of this.script) {
      if (f.left <= 0) continue;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (f.path && !(typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))) continue;
      f.left--;
      this.script = this.script.filter((x) => x.left > 0);
      this.injected++;
      return f;
    }
    const { probability, kinds, random } = this.settings;
    if (probability > 0 && kinds.length > 0 && random() < probability) {
      this.injected++;
      return { kind: kinds[Math.floor(random() * kinds.length)]! };
    }
    return undefined;
  }
}
