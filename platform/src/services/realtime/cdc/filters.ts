/**
 * `postgres_changes` filters (`col=op.value`, comma = AND, optional `not.`), the operators hosted
 * Realtime accepts: eq, neq, lt, lte, gt, gte, in, like, ilike, is, match, imatch, isdistinct.
 * Values are compared as the column's type would compare them for the common types (numbers,
 * booleans, timestamps, uuids, text); hosted casts both sides in SQL.
 */

export const FILTER_OPS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'is',
  'match',
  'imatch',
  'isdistinct',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export type Filter = { column: string; op: FilterOp; negate: boolean; value: string; list?: string[] };

export class FilterError extends Error {}

/** Splits on commas that are outside double quotes and parentheses. */
function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && quoted && i + 1 < s.length) {
      cur += ch + s[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (ch === sep && !quoted && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

export function parseFilters(filter: string | undefined | null): Filter[] {
  if (filter === undefined || filter === null || filter.trim() === '') return [];
  return splitTopLevel(filter, ',').map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FilterError(`invalid filter: ${part}`);
    const column = part.slice(0, eq).trim();
    let rest = part.slice(eq + 1);
    let negate = false;
    if (rest.startsWith('not.')) {
      negate = true;
      rest = rest.slice(4);
    }
    const dot = rest.indexOf('.');
    if (dot <= 0) throw new FilterError(`invalid filter: ${part}`);
    const op = rest.slice(0, dot) as FilterOp;
    if (!FILTER_OPS.includes(op)) throw new FilterError(`invalid filter operator: ${op}`);
    const value = rest.slice(dot + 1);
    if (op === 'in') {
      const m = /^\((.*)\)$/s.exec(value.trim());
      if (!m) throw new FilterError(`invalid value for in filter: ${value}`);
      return {
        column,
        op,
        negate,
        value,
        list: m[1].trim() === '' ? [] : splitTopLevel(m[1], ',').map(unquote),
      };
    }
    if (op === 'is' && !['null', 'true', 'false', 'unknown'].includes(value.toLowerCase())) {
      throw new FilterError('invalid value for is filter: must be null, true, false, or unknown');
    }
    return { column, op, negate, value: unquote(value) };
  });
}

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid', 'money']);
const TIME = new Set(['timestamp', 'timestamptz', 'date']);

type Comparable = number | string | boolean;

/** A timestamp, timestamptz or date text as an ISO string Date.parse reads; zone-less values as UTC. */
function timeToIso(typname: string, text: string): string {
  if (typname === 'date') return `${text}T00:00:00Z`;
  const iso = text.replace(' ', 'T');
  if (!iso.includes('T')) return `${iso}T00:00:00Z`;
  const zone = /(?:[zZ]|([+-])(\d\d):?(\d\d)?)$/.exec(iso);
  if (typname === 'timestamp' || !zone) return `${zone ? iso.slice(0, zone.index) : iso}Z`;
  if (!zone[1]) return iso;
  return `${iso.slice(0, zone.index)}${zone[1]}${zone[2]}:${zone[3] ?? '00'}`;
}

function normalize(typname: string, text: string): Comparable | null {
  if (NUMERIC.has(typname)) {
    const n = Number(text);
    return Number.isNaN(n) ? null : n;
  }
  if (typname === 'bool') {
    const t = text.toLowerCase();
    if (['t', 'true', 'y', 'yes', 'on', '1'].includes(t)) return true;
    if (['f', 'false', 'n', 'no', 'off', '0'].includes(t)) return false;
    return null;
  }
  if (TIME.has(typname)) {
    const t = Date.parse(timeToIso(typname, text.trim()));
    return Number.isNaN(t) ? text : t;
  }
  if (typname === 'uuid') return text.toLowerCase();
  return text;
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, flags);
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** One filter against a column's text value (`null` = SQL NULL); SQL's NULL rule: no match. */
export function matchesFilter(f: Filter, typname: string, text: string | null): boolean {
  if (f.op === 'is') {
    const v = f.value.toLowerCase();
    let res: boolean;
    if (v === 'null') res = text === null;
    else if (v === 'unknown') res = text === null;
    else res = text !== null && normalize('bool', text) === (v === 'true');
    return f.negate ? !res : res;
  }
  if (f.op === 'isdistinct') {
    const a = text === null ? null : normalize(typname, text);
    const b = normalize(typname, f.value);
    const distinct = a === null || b === null ? a !== b : compare(a, b) !== 0;
    return f.negate ? !distinct : distinct;
  }
  if (text === null) return false;
  let res: boolean;
  if (f.op === 'like' || f.op === 'ilike')
    res = likeToRegExp(f.value, f.op === 'ilike' ? 'i' : '').test(text);
  else if (f.op === 'match' || f.op === 'imatch') {
    try {
      res = new RegExp(f.value, f.op === 'imatch' ? 'i' : '').test(text);
    } catch {
      return false;
    }
  } else {
    const a = normalize(typname, text);
    if (a === null) return false;
    if (f.op === 'in') {
      res = (f.list ?? []).some((item) => {
        const b = normalize(typname, item);
        return b !== null && compare(a, b) === 0;
      });
    } else {
      const b = normalize(typname, f.value);
      if (b === null) return false;
      const c = compare(a, b);
      res =
        f.op === 'eq'
          ? c === 0
          : f.op === 'neq'
            ? c !== 0
            : f.op === 'lt'
              ? c < 0
              : f.op === 'lte'
                ? c <= 0
                : f.op === 'gt'
                  ? c > 0
                  : c >= 0;
    }
  }
  return f.negate ? !res : res;
}
