/**
 * Money and quantities as exact integers. Amounts are fen (分, 1/100 yuan); unit prices are
 * "e4" (1/10,000 yuan, so 0.4883 元/kWh is 4883); quantities have at most 3 decimals and are
 * carried as milli-units. Arithmetic is BigInt; every line amount is rounded ONCE, half-up
 * (四舍五入), to the fen — the same rule as round(numeric) in the SQL bill run.
 */

/** n / d rounded half-up (away from zero for negatives, as PostgreSQL's round(numeric)). */
export function roundHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('roundHalfUp: the divisor must be positive');
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (2n * abs + d) / (2n * d);
  return negative ? -q : q;
}

/** A quantity with at most 3 decimals as milli-units (89.5 → 89500n). Rejects more precision. */
export function toMilli(quantity: number): bigint {
  if (!Number.isFinite(quantity)) throw new RangeError(`not a quantity: ${quantity}`);
  const milli = Math.round(quantity * 1000);
  if (Math.abs(milli - quantity * 1000) > 1e-6 * Math.max(1, Math.abs(quantity))) {
    throw new RangeError(`quantity ${quantity} has more than 3 decimals`);
  }
  return BigInt(milli);
}

/** Milli-units back to a number (for display and JSON). */
export function fromMilli(milli: bigint): number {
  return Number(milli) / 1000;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string into an integer scaled by 10^scale; rejects more decimals than scale. */
export function parseScaled(text: string, scale: number): bigint {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new RangeError(`not a decimal number: ${text}`);
  const [, sign, whole, frac = ''] = m;
  if (frac.length > scale) throw new RangeError(`${text} has more than ${scale} decimals`);
  const value = BigInt(whole + frac.padEnd(scale, '0'));
  return sign ? -value : value;
}

/** "12.34" (yuan) → 1234 fen. */
export const yuanToFen = (text: string): number => Number(parseScaled(text, 2));
/** "0.4883" (yuan) → 4883 e4. */
export const yuanToE4 = (text: string): number => Number(parseScaled(text, 4));

/** 123456 fen → "1234.56". */
export function fenToYuanText(fen: number | bigint): string {
  const v = BigInt(fen);
  const negative = v < 0n;
  const abs = negative ? -v : v;
  const text = `${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** 4883 e4 → "0.4883" (trailing zeros kept to 2 decimals at least: 25000 → "2.50"). */
export function e4ToYuanText(e4: number | bigint): string {
  const v = BigInt(e4);
  const whole = v / 10000n;
  let frac = String(v % 10000n).padStart(4, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${whole}.${frac}`;
}

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const SMALL_UNITS = ['', '拾', '佰', '仟'];
const GROUP_UNITS = ['', '万', '亿', '万亿'];

/** 0–9999 in capitals, zeros inside collapsed to one 零, trailing zeros dropped. */
function group(n: number): string {
  let out = '';
  let pendingZero = false;
  for (let pos = 3; pos >= 0; pos--) {
    const d = Math.floor(n / 10 ** pos) % 10;
    if (d === 0) {
      if (out !== '') pendingZero = true;
    } else {
      if (pendingZero) out += '零';
      pendingZero = false;
      out += DIGITS[d] + SMALL_UNITS[pos];
    }
  }
  return out;
}

/**
 * An amount in Chinese financial capitals (大写金额) as written on receipts and cheques:
 * 123456 fen → 壹仟贰佰叁拾肆元伍角陆分; 100000 → 壹仟元整; 5 → 伍分; 100500 → 壹仟零伍元整.
 * Rules (《支付结算办法》 practice): 整 when there is no 分; a 零 stands for any run of zeros
 * inside the integer part and between 元 and 分 when 角 is zero.
 */
export function fenToChineseCapitals(fen: number | bigint): string {
  let v = BigInt(fen);
  if (v < 0n) return `负${fenToChineseCapitals(-v)}`;
  const yuan = v / 100n;
  const jiao = Number((v / 10n) % 10n);
  const cents = Number(v % 10n);
  if (yuan >= 10n ** 16n) throw new RangeError('amount too large for capitals');
  v = yuan;
  const groups: number[] = [];
  while (v > 0n) {
    groups.unshift(Number(v % 10000n));
    v /= 10000n;
  }
  let integer = '';
  let needZero = false;
  groups.forEach((g, i) => {
    const unit = GROUP_UNITS[groups.length - 1 - i];
    if (g === 0) {
      if (integer !== '') needZero = true;
      return;
    }
    if (integer !== '' && (needZero || g < 1000)) integer += '零';
    integer += group(g) + unit;
    needZero = false;
  });

  if (yuan === 0n && jiao === 0 && cents === 0) return '零元整';
  let out = yuan > 0n ? `${integer}元` : '';
  if (jiao === 0 && cents === 0) return `${out}整`;
  if (jiao === 0) {
    if (yuan > 0n) out += '零';
    return `${out}${DIGITS[cents]}分`;
  }
  out += `${DIGITS[jiao]}角`;
  return cents === 0 ? `${out}整` : `${out}${DIGITS[cents]}分`;
}
