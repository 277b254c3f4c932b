/**
 * Column values as hosted Realtime sends them: it casts each WAL value to its type and takes
 * `to_jsonb(...)` (realtime.cast). pgoutput gives the text output of the type, so this turns that
 * text into what `to_jsonb` would have produced. realtime-js then converts by `columns[].type`.
 */

const NUMBER_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

function toNumberOrString(text: string): number | string {
  // to_jsonb keeps NaN / Infinity as strings: JSON has no such numbers.
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return text;
  return Number(text);
}

/** `2024-01-02 03:04:05.678+08` → `2024-01-02T03:04:05.678+08:00`, as to_jsonb prints timestamps. */
function isoTimestamp(text: string, withZone: boolean): string {
  if (!/^\d{4,}-\d\d-\d\d \d/.test(text)) return text; // infinity, -infinity, BC dates
  let out = text.replace(' ', 'T');
  if (withZone) {
    out = out.replace(
      /([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/,
      (_m, sign: string, hh: string, mm?: string, ss?: string) =>
        `${sign}${hh}:${mm ?? '00'}${ss ? `:${ss}` : ''}`,
    );
  }
  return out;
}

export function textToJson(typname: string, text: string | null): unknown {
  if (text === null) return null;
  if (typname.startsWith('_')) return parseArray(text, typname.slice(1));
  if (NUMBER_TYPES.has(typname)) return toNumberOrString(text);
  switch (typname) {
    case 'bool':
      return text === 't' || text === 'true';
    case 'json':
    case 'jsonb':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    case 'timestamp':
      return isoTimestamp(text, false);
    case 'timestamptz':
      return isoTimestamp(text, true);
    default:
      return text;
  }
}

/**
 * Parses PostgreSQL's array text form (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`, with an
 * optional `[1:2]=` bounds prefix) into nested JS arrays of converted elements.
 */
export function parseArray(text: string, elementType: string): unknown {
  let s = text;
  if (s.startsWith('[')) {
    const eq = s.indexOf('=');
    if (eq < 0) return text;
    s = s.slice(eq + 1);
  }
  if (!s.startsWith('{')) return text;
  let i = 0;
  const parseLevel = (): unknown[] => {
    const out: unknown[] = [];
    i++; // '{'
    if (s[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (s[i] === '{') {
        out.push(parseLevel());
      } else if (s[i] === '"') {
        i++;
        let value = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\') i++;
          value += s[i++];
        }
        i++; // closing quote
        out.push(textToJson(elementType, value));
      } else {
        const start = i;
        while (i < s.length && s[i] !== ',' && s[i] !== '}') i++;
        const raw = s.slice(start, i).trim();
        out.push(raw.toUpperCase() === 'NULL' ? null : textToJson(elementType, raw));
      }
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        return out;
      }
      throw new Error(`malformed array literal: ${text}`);
    }
  };
  try {
    return parseLevel();
  } catch {
    return text;
  }
}
