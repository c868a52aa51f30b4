/**
 * zod for the configuration, built only when it has something to say (issue 18: a fast CLI). zod is ~95 modules and
 * building the ~60 setting schemas costs more than the rest of a config load; a valid config needs neither.
 *
 * `z` here records each schema as the chain of calls that makes it (`z.number().int().positive().max(64)`), typed as
 * zod's own `z`. `safeParse` first tries a small checker that knows the simple chains the settings use (string with
 * min/max/regex/url, number with int/positive/nonnegative/min/max, boolean, enum, array of those); only a value it
 * accepts with certainty passes there, with the data zod would give. Anything else (a value it rejects, a chain it
 * does not know: objects, unions, refinements) is parsed by the real zod schema, built from the same chain, so every
 * error is zod's own message as before. test/config/lazy-zod.test.ts checks both paths agree on every setting.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';

type Z = typeof Zod.z;
type Step = readonly [name: string, args: readonly unknown[]];
type Parsed = { success: true; data: unknown } | { success: false; error: unknown };

const CHAIN = Symbol('zod chain');

let real: Z | undefined;
/** Loaded synchronously (loadConfig is synchronous): zod's CommonJS build, used by the configuration only. */
function zod(): Z {
  return (real ??= (createRequire(import.meta.url)('zod') as typeof Zod).z);
}

interface Recorded {
  [CHAIN]: readonly Step[];
}

function chainOf(v: unknown): readonly Step[] | undefined {
  return (typeof v === 'function' || (typeof v === 'object' && v !== null)) && CHAIN in v ? (v as Recorded)[CHAIN] : undefined;
}

function toReal(a: unknown): unknown {
  const chain = chainOf(a);
  if (chain) return build(chain);
  if (Array.isArray(a)) return a.map(toReal);
  if (a !== null && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype) {
    return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, toReal(v)]));
  }
  return a;
}

const built = new WeakMap<readonly Step[], Zod.ZodType>();

function build(chain: readonly Step[]): Zod.ZodType {
  let schema = built.get(chain);
  if (!schema) {
    let cur: unknown = zod();
    for (const [name, args] of chain) cur = (cur as Record<string, (...a: unknown[]) => unknown>)[name]!(...args.map(toReal));
    schema = cur as Zod.ZodType;
    built.set(chain, schema);
  }
  return schema;
}

const NO = Symbol('not certain');
type Fast = unknown;

/** The data zod would give for `v`, or NO when this checker cannot vouch for `v` (zod then decides). */
function fast(chain: readonly Step[], v: unknown): Fast | typeof NO {
  const [head, ...rest] = chain;
  if (!head) return NO;
  const [kind, headArgs] = head;
  switch (kind) {
    case 'string': {
      if (headArgs.length > 0 || typeof v !== 'string') return NO;
      let s = v;
      for (const [name, args] of rest) {
        if (name === 'min' && typeof args[0] === 'number') {
          if (s.length < args[0]) return NO;
        } else if (name === 'max' && typeof args[0] === 'number') {
          if (s.length > args[0]) return NO;
        } else if (name === 'regex' && args[0] instanceof RegExp) {
          args[0].lastIndex = 0;
          if (!args[0].test(s)) return NO;
        } else if (name === 'url' && args.length === 0) {
          // zod's plain url(): the trimmed text must parse as a URL; the value becomes it without tabs and newlines.
          const trimmed = s.trim();
          if (!URL.canParse(trimmed)) return NO;
          s = trimmed.replace(/[\t\n\r]/g, '');
        } else return NO;
      }
      return s;
    }
    case 'number': {
      if (headArgs.length > 0 || typeof v !== 'number' || !Number.isFinite(v)) return NO;
      for (const [name, args] of rest) {
        const n = args[0];
        if (args.length > 1 || (args.length === 1 && typeof n !== 'number')) return NO;
        if (name === 'int' && args.length === 0) {
          if (!Number.isSafeInteger(v)) return NO;
        } else if (name === 'positive' && args.length === 0) {
          if (!(v > 0)) return NO;
        } else if (name === 'nonnegative' && args.length === 0) {
          if (!(v >= 0)) return NO;
        } else if (name === 'min' && typeof n === 'number') {
          if (!(v >= n)) return NO;
        } else if (name === 'max' && typeof n === 'number') {
          if (!(v <= n)) return NO;
        } else return NO;
      }
      return v;
    }
    case 'boolean':
      return headArgs.length === 0 && rest.length === 0 && typeof v === 'boolean' ? v : NO;
    case 'enum': {
      const values = headArgs[0];
      if (headArgs.length !== 1 || !Array.isArray(values) || rest.length > 0) return NO;
      return typeof v === 'string' && values.includes(v) ? v : NO;
    }
    case 'array': {
      const item = chainOf(headArgs[0]);
      if (headArgs.length !== 1 || !item || rest.length > 0 || !Array.isArray(v)) return NO;
      const out: unknown[] = [];
      for (const x of v) {
        const d = fast(item, x);
        if (d === NO) return NO;
        out.push(d);
      }
      return out;
    }
    default:
      return NO;
  }
}

function recorder(chain: readonly Step[]): unknown {
  const target = Object.assign(() => undefined, { [CHAIN]: chain });
  return new Proxy(target, {
    get(t, prop) {
      if (prop === CHAIN) return chain;
      if (prop === 'safeParse') {
        return (value: unknown): Parsed => {
          const data = fast(chain, value);
          return data !== NO ? { success: true, data } : (build(chain).safeParse(value) as Parsed);
        };
      }
      if (prop === 'parse') {
        return (value: unknown): unknown => {
          const data = fast(chain, value);
          return data !== NO ? data : build(chain).parse(value);
        };
      }
      if (typeof prop === 'symbol' || prop === 'then') return (t as unknown as Record<string | symbol, unknown>)[prop];
      return (...args: unknown[]) => recorder([...chain, [prop, args]]);
    },
  });
}

/** zod's `z` for the configuration's schemas (see above); `safeParse` and `parse` behave as zod's. */
export const z = recorder([]) as Z;

/** For tests: the real zod schema a recorded one stands for. */
export function realSchema(schema: unknown): Zod.ZodType {
  const chain = chainOf(schema);
  if (!chain) throw new Error('not a schema made with the lazy z');
  return build(chain);
}

/** For tests: whether zod itself has been loaded by the configuration. */
export function zodLoaded(): boolean {
  return real !== undefined;
}
