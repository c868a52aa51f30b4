/**
 * A small JQL: what exports send. Grammar (keywords case-insensitive):
 *
 *   query   := [or] [ORDER BY sortKey ("," sortKey)*]
 *   or      := and (OR and)*
 *   and     := not (AND not)*
 *   not     := (NOT | "!") not | "(" or ")" | clause
 *   clause  := field op value | field IS [NOT] EMPTY
 *   op      := = | != | IN | NOT IN | > | >= | < | <=
 *   value   := word | "quoted" | 'quoted' | "(" value ("," value)* ")"
 *   sortKey := field [ASC | DESC]
 *
 * Fields: labels (label), project, key (issuekey, id), status, type (issuetype), priority, assignee, reporter,
 * parent, updated (updatedDate), created (createdDate). Dates: 2026-11-01, "2026-11-01 12:30", 2026/11/01, or
 * relative -7d / -2w / -4h / -30m. Anything else is a JqlError with Jira's wording ("Error in the JQL Query: …").
 */

export class JqlError extends Error {
  /** Every message Jira would list in `errorMessages` (the first is the Error's message). */
  readonly messages: string[];
  constructor(message: string | readonly string[]) {
    const all = typeof message === 'string' ? [message] : [...message];
    super(all[0] ?? 'Error in the JQL Query');
    this.messages = all;
  }
}

/** Every value a `key` / `issuekey` / `id` clause names, in order (the store checks that each one exists). */
export function keyValues(node: JqlNode | undefined): string[] {
  if (!node) return [];
  if (node.kind === 'clause') return node.field === 'key' && node.op !== 'is empty' && node.op !== 'is not empty' ? node.values : [];
  if (node.kind === 'not') return keyValues(node.part);
  return node.parts.flatMap(keyValues);
}

export type Op = '=' | '!=' | 'in' | 'not in' | '>' | '>=' | '<' | '<=' | 'is empty' | 'is not empty';
export type JqlNode =
  | { kind: 'and' | 'or'; parts: JqlNode[] }
  | { kind: 'not'; part: JqlNode }
  | { kind: 'clause'; field: Field; op: Op; values: string[] };
export interface SortKey {
  field: Field;
  desc: boolean;
}
export interface JqlQuery {
  where: JqlNode | undefined;
  order: SortKey[];
}

const FIELDS = {
  labels: 'labels',
  label: 'labels',
  project: 'project',
  key: 'key',
  issuekey: 'key',
  id: 'key',
  status: 'status',
  type: 'type',
  issuetype: 'type',
  priority: 'priority',
  assignee: 'assignee',
  reporter: 'reporter',
  parent: 'parent',
  updated: 'updated',
  updateddate: 'updated',
  created: 'created',
  createddate: 'created',
  summary: 'summary',
} as const;
export type Field = (typeof FIELDS)[keyof typeof FIELDS];

type Tok = { t: 'word' | 'str' | 'op' | 'punct'; v: string; at: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        v += src[j];
        j++;
      }
      if (j >= src.length) throw new JqlError(`Error in the JQL Query: The quoted string starting at character ${i + 1} is not terminated.`);
      out.push({ t: 'str', v, at: i });
      i = j + 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: 'punct', v: c, at: i });
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '!=' || two === '>=' || two === '<=') {
      out.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '>' || c === '<') {
      out.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    if (c === '!') {
      out.push({ t: 'word', v: 'not', at: i });
      i++;
      continue;
    }
    const m = /^[^\s"'(),=!<>]+/.exec(src.slice(i));
    if (!m) throw new JqlError(`Error in the JQL Query: The character '${c}' is a reserved JQL character (at character ${i + 1}).`);
    out.push({ t: 'word', v: m[0], at: i });
    i += m[0].length;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private isWord(w: string, offset = 0): boolean {
    const t = this.toks[this.i + offset];
    return t?.t === 'word' && t.v.toLowerCase() === w;
  }
  private fail(expected: string): never {
    const t = this.peek();
    throw new JqlError(t ? `Error in the JQL Query: Expecting ${expected} but got '${t.v}' at character ${t.at + 1}.` : `Error in the JQL Query: Expecting ${expected} but reached the end of the query.`);
  }

  query(): JqlQuery {
    const where = this.peek() && !(this.isWord('order') && this.isWord('by', 1)) ? this.or() : undefined;
    const order: SortKey[] = [];
    if (this.isWord('order')) {
      this.i++;
      if (!this.isWord('by')) this.fail("'BY'");
      this.i++;
      do {
        const f = this.field();
        let desc = false;
        if (this.isWord('asc') || this.isWord('desc')) desc = this.toks[this.i++]!.v.toLowerCase() === 'desc';
        order.push({ field: f, desc });
      } while (this.peek()?.v === ',' && ++this.i);
    }
    if (this.peek()) this.fail("'AND', 'OR' or 'ORDER BY'");
    return { where, order };
  }

  private or(): JqlNode {
    const parts = [this.and()];
    while (this.isWord('or')) {
      this.i++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
  }

  private and(): JqlNode {
    const parts = [this.not()];
    while (this.isWord('and')) {
      this.i++;
      parts.push(this.not());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
  }

  private not(): JqlNode {
    if (this.isWord('not')) {
      this.i++;
      return { kind: 'not', part: this.not() };
    }
    if (this.peek()?.v === '(' && this.peek()?.t === 'punct') {
      this.i++;
      const inner = this.or();
      if (this.peek()?.v !== ')') this.fail("')'");
      this.i++;
      return inner;
    }
    return this.clause();
  }

  private field(): Field {
    const t = this.peek();
    if (!t || (t.t !== 'word' && t.t !== 'str')) this.fail('a field name');
    const f = FIELDS[t.v.toLowerCase() as keyof typeof FIELDS];
    if (!f) throw new JqlError(`Field '${t.v}' does not exist or you do not have permission to view it.`);
    this.i++;
    return f;
  }

  private clause(): JqlNode {
    const field = this.field();
    const t = this.peek();
    let op: Op;
    if (t?.t === 'op') {
      op = t.v as Op;
      this.i++;
    } else if (this.isWord('in')) {
      op = 'in';
      this.i++;
    } else if (this.isWord('not') && this.isWord('in', 1)) {
      op = 'not in';
      this.i += 2;
    } else if (this.isWord('is')) {
      this.i++;
      const negated = this.isWord('not');
      if (negated) this.i++;
      if (!this.isWord('empty') && !this.isWord('null')) this.fail("'EMPTY'");
      this.i++;
      return { kind: 'clause', field, op: negated ? 'is not empty' : 'is empty', values: [] };
    } else this.fail("an operator ('=', '!=', 'IN', 'NOT IN', '>', '>=', '<', '<=', 'IS')");
    const values = op === 'in' || op === 'not in' ? this.list() : [this.value()];
    if ((op === '>' || op === '>=' || op === '<' || op === '<=') && field !== 'updated' && field !== 'created') {
      throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
    }
    return { kind: 'clause', field, op, values };
  }

  private value(): string {
    const t = this.peek();
    if (!t || (t.t !== 'word' && t.t !== 'str')) this.fail('a value');
    this.i++;
    return t.v;
  }

  private list(): string[] {
    if (this.peek()?.v !== '(') this.fail("'('");
    this.i++;
    const out = [this.value()];
    while (this.peek()?.v === ',') {
      this.i++;
      out.push(this.value());
    }
    if (this.peek()?.v !== ')') this.fail("')'");
    this.i++;
    return out;
  }
}

export function parseJql(src: string): JqlQuery {
  return new Parser(tokenize(src)).query();
}

/** What a clause looks at in an issue (the emulator's store implements it). */
export interface JqlSubject {
  key: string;
  project: string;
  projectName: string;
  labels: readonly string[];
  status: string;
  type: string;
  priority: string | undefined;
  assignee: string | undefined;
  reporter: string | undefined;
  parent: string | undefined;
  summary: string;
  updated: number;
  created: number;
}

/** A JQL date: absolute (day or minute) or relative to now; ms since the epoch. */
export function jqlDate(value: string, now: number): number {
  const rel = /^([-+]?)(\d+)([wdhm])$/i.exec(value.trim());
  if (rel) {
    const unit = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[3]!.toLowerCase() as 'w' | 'd' | 'h' | 'm'];
    return now + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * unit;
  }
  const abs = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:\s+(\d{2}):(\d{2}))?$/.exec(value.trim());
  if (abs) {
    const [, y, mo, d, h, mi] = abs;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0));
  }
  throw new JqlError(`Date value '${value}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`);
}

function keyParts(key: string): [string, number] {
  const m = /^(.*)-(\d+)$/.exec(key);
  return m ? [m[1]!, Number(m[2])] : [key, 0];
}

/** Jira orders keys by project, then number (DEMO-2 before DEMO-10). */
export function compareKeys(a: string, b: string): number {
  const [pa, na] = keyParts(a);
  const [pb, nb] = keyParts(b);
  return pa < pb ? -1 : pa > pb ? 1 : na - nb;
}

function clauseMatches(c: Extract<JqlNode, { kind: 'clause' }>, s: JqlSubject, now: number): boolean {
  if (c.field === 'updated' || c.field === 'created') {
    const at = s[c.field];
    const v = jqlDate(c.values[0] ?? '', now);
    switch (c.op) {
      case '>':
        return at > v;
      case '>=':
        return at >= v;
      case '<':
        return at < v;
      case '<=':
        return at <= v;
      case '=':
        return at === v;
      case '!=':
        return at !== v;
      default:
        throw new JqlError(`The operator '${c.op.toUpperCase()}' is not supported by the '${c.field}' field.`);
    }
  }
  const lower = (x: string) => x.toLowerCase();
  let have: string[];
  switch (c.field) {
    case 'labels':
      have = [...s.labels];
      break;
    case 'project':
      have = [lower(s.project), lower(s.projectName)];
      break;
    case 'key':
      have = [lower(s.key)];
      break;
    default: {
      const v = s[c.field];
      have = v === undefined ? [] : [lower(v)];
    }
  }
  const wanted = c.field === 'labels' ? c.values : c.values.map(lower);
  switch (c.op) {
    case 'is empty':
      return have.length === 0;
    case 'is not empty':
      return have.length > 0;
    case '=':
    case 'in':
      return wanted.some((w) => have.includes(w));
    case '!=':
    case 'not in':
      return !wanted.some((w) => have.includes(w));
    default:
      return false;
  }
}

export function matches(node: JqlNode | undefined, s: JqlSubject, now: number): boolean {
  if (!node) return true;
  switch (node.kind) {
    case 'and':
      return node.parts.every((p) => matches(p, s, now));
    case 'or':
      return node.parts.some((p) => matches(p, s, now));
    case 'not':
      return !matches(node.part, s, now);
    case 'clause':
      return clauseMatches(node, s, now);
  }
}

/** Sorts by the ORDER BY keys, then by key descending (Jira's tie-break: newest issue first). */
export function sortSubjects<T extends JqlSubject>(items: T[], order: readonly SortKey[]): T[] {
  const val = (s: JqlSubject, f: Field): string | number => (f === 'updated' || f === 'created' ? s[f] : f === 'key' ? 0 : (s[f as keyof JqlSubject] as string | undefined) ?? '');
  return items.sort((a, b) => {
    for (const o of order) {
      const d = o.field === 'key' ? compareKeys(a.key, b.key) : ((x, y) => (x < y ? -1 : x > y ? 1 : 0))(val(a, o.field), val(b, o.field));
      if (d !== 0) return o.desc ? -d : d;
    }
    return compareKeys(b.key, a.key);
  });
}
