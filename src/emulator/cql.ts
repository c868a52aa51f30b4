/**
 * The CQL subset the emulator understands: fields space, ancestor, parent, label, type, title, id, lastmodified,
 * created; operators = != > >= < <= ~ (title contains) and IN (...); AND, OR, NOT, parentheses; ORDER BY
 * lastmodified|created|title|id [ASC|DESC]. Dates as "yyyy/MM/dd HH:mm" or "yyyy-MM-dd" (UTC here). Parsed into a
 * predicate over a neutral record, so the server can apply it to pages and attachments alike.
 */
export interface CqlRecord {
  id: string;
  type: 'page' | 'attachment';
  title: string;
  spaceKey: string;
  parentId: string | null;
  ancestors: string[];
  labels: string[];
  lastModified: number;
  created: number;
}

export class CqlError extends Error {}

type Tok = { t: 'word' | 'str' | 'op' | 'lp' | 'rp' | 'comma'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      out.push({ t: 'lp', v: c });
      i++;
    } else if (c === ')') {
      out.push({ t: 'rp', v: c });
      i++;
    } else if (c === ',') {
      out.push({ t: 'comma', v: c });
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j];
        j++;
      }
      if (j >= src.length) throw new CqlError(`unterminated string starting at ${i}`);
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (/[!<>=~]/.test(c)) {
      const two = src.slice(i, i + 2);
      if (['!=', '>=', '<=', '!~'].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else {
      let j = i;
      while (j < src.length && /[^\s()",'=!<>~]/.test(src[j]!)) j++;
      if (j === i) throw new CqlError(`unexpected character ${c}`);
      out.push({ t: 'word', v: src.slice(i, j) });
      i = j;
    }
  }
  return out;
}

export interface CqlQuery {
  test(r: CqlRecord): boolean;
  order?: { field: 'lastmodified' | 'created' | 'title' | 'id'; desc: boolean };
}

const FIELDS = new Set(['space', 'ancestor', 'parent', 'label', 'type', 'title', 'id', 'lastmodified', 'created', 'space.key']);

function parseDate(s: string): number {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})(?:[ T](\d{2}):(\d{2}))?$/.exec(s.trim());
  if (!m) throw new CqlError(`invalid date "${s}": use "yyyy/MM/dd HH:mm"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
}

export function parseCql(src: string): CqlQuery {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const next = () => toks[pos++];
  const isWord = (w: string) => peek()?.t === 'word' && peek()!.v.toLowerCase() === w;

  function value(): string {
    const t = next();
    if (!t || (t.t !== 'str' && t.t !== 'word')) throw new CqlError('expected a value');
    return t.v;
  }

  function compare(field: string, op: string, vals: string[]): (r: CqlRecord) => boolean {
    const f = field.toLowerCase();
    if (!FIELDS.has(f)) throw new CqlError(`unsupported field ${field}`);
    const anyEq = (actual: string | string[] | null, v: string): boolean => (Array.isArray(actual) ? actual.includes(v) : actual === v);
    const get = (r: CqlRecord): string | string[] | null => {
      switch (f) {
        case 'space':
        case 'space.key':
          return r.spaceKey;
        case 'ancestor':
          return r.ancestors;
        case 'parent':
          return r.parentId;
        case 'label':
          return r.labels;
        case 'type':
          return r.type;
        case 'title':
          return r.title;
        case 'id':
          return r.id;
        default:
          return null;
      }
    };
    if (f === 'lastmodified' || f === 'created') {
      const t = parseDate(vals[0]!);
      return (r) => {
        const x = f === 'created' ? r.created : r.lastModified;
        switch (op) {
          case '=':
            return Math.floor(x / 60000) === Math.floor(t / 60000);
          case '!=':
            return Math.floor(x / 60000) !== Math.floor(t / 60000);
          case '>':
            return x > t;
          case '>=':
            return x >= t;
          case '<':
            return x < t;
          case '<=':
            return x <= t;
          default:
            throw new CqlError(`operator ${op} not supported for ${field}`);
        }
      };
    }
    switch (op) {
      case '=':
      case 'in':
        return (r) => vals.some((v) => anyEq(get(r), v));
      case '!=':
      case 'not in':
        return (r) => !vals.some((v) => anyEq(get(r), v));
      case '~':
        return (r) => String(get(r) ?? '').toLowerCase().includes(vals[0]!.toLowerCase());
      case '!~':
        return (r) => !String(get(r) ?? '').toLowerCase().includes(vals[0]!.toLowerCase());
      default:
        throw new CqlError(`operator ${op} not supported for ${field}`);
    }
  }

  function primary(): (r: CqlRecord) => boolean {
    if (isWord('not')) {
      next();
      const inner = primary();
      return (r) => !inner(r);
    }
    if (peek()?.t === 'lp') {
      next();
      const e = orExpr();
      if (next()?.t !== 'rp') throw new CqlError('expected )');
      return e;
    }
    const f = next();
    if (!f || f.t !== 'word') throw new CqlError('expected a field');
    let op: string;
    if (isWord('in')) {
      next();
      op = 'in';
    } else if (isWord('not')) {
      next();
      if (!isWord('in')) throw new CqlError('expected IN after NOT');
      next();
      op = 'not in';
    } else {
      const o = next();
      if (!o || o.t !== 'op') throw new CqlError(`expected an operator after ${f.v}`);
      op = o.v;
    }
    if (op === 'in' || op === 'not in') {
      if (next()?.t !== 'lp') throw new CqlError('expected ( after IN');
      const vals = [value()];
      while (peek()?.t === 'comma') {
        next();
        vals.push(value());
      }
      if (next()?.t !== 'rp') throw new CqlError('expected ) after IN list');
      return compare(f.v, op, vals);
    }
    return compare(f.v, op, [value()]);
  }

  function andExpr(): (r: CqlRecord) => boolean {
    let left = primary();
    while (isWord('and')) {
      next();
      const l = left;
      const r = primary();
      left = (x) => l(x) && r(x);
    }
    return left;
  }

  function orExpr(): (r: CqlRecord) => boolean {
    let left = andExpr();
    while (isWord('or')) {
      next();
      const l = left;
      const r = andExpr();
      left = (x) => l(x) || r(x);
    }
    return left;
  }

  const test = toks.length && !isWord('order') ? orExpr() : () => true;
  let order: CqlQuery['order'];
  if (isWord('order')) {
    next();
    if (!isWord('by')) throw new CqlError('expected BY after ORDER');
    next();
    const field = next()?.v.toLowerCase();
    if (field !== 'lastmodified' && field !== 'created' && field !== 'title' && field !== 'id') throw new CqlError(`cannot order by ${field}`);
    let desc = false;
    if (isWord('desc')) {
      next();
      desc = true;
    } else if (isWord('asc')) next();
    order = { field, desc };
  }
  if (pos < toks.length) throw new CqlError(`unexpected "${toks[pos]!.v}"`);
  return { test, ...(order ? { order } : {}) };
}
