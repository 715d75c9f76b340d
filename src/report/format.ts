// Number formatting and ordering shared by the report tables (HTML and text): one format per column, float
// noise shown as 0, names with numbers in them sorted by value.

/** A table cell before formatting. */
export type TableCell = string | number | boolean | null;

/** Values smaller than this fraction of the largest magnitude they are shown with are rounding noise: printed 0. */
export const NOISE_RELATIVE = 1e-12;

/**
 * Decimal places that give `digits` significant digits to a magnitude `scale` (the largest |x| of a column),
 * or null when fixed decimals would not do (scale ≥ 1e6 or below 1e-3: use exponent notation).
 */
export function decimalsFor(scale: number, digits = 4): number | null {
  if (!Number.isFinite(scale) || scale === 0) return digits - 1;
  if (scale >= 1e6 || scale < 1e-3) return null;
  // Round first so that 0.99996 (which prints as 1.000) counts as magnitude 1.
  const exponent = Math.floor(Math.log10(Number(scale.toPrecision(digits))));
  return Math.max(0, digits - 1 - exponent);
}

/**
 * Formats `x` for a column whose largest magnitude is `scale`: fixed decimals (see `decimalsFor`) or exponent
 * notation; |x| ≤ NOISE_RELATIVE · scale prints as 0 and a rounded zero never carries a minus sign.
 */
export function formatScaled(x: number, scale: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const value = Math.abs(x) <= NOISE_RELATIVE * Math.abs(scale) ? 0 : x;
  const decimals = decimalsFor(Math.abs(scale), digits);
  const text = decimals === null ? (value === 0 ? '0' : value.toExponential(digits - 1)) : value.toFixed(decimals);
  // -0.00001 → "-0.0000": a rounded zero is shown unsigned.
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** One number on its own: integers as they are, others with `digits` significant digits (fixed notation where readable). */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return formatScaled(x, Math.abs(x), digits);
}

/** The largest finite |x| among the numbers. */
export function maxMagnitude(values: readonly number[]): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/**
 * Formats a table column by column: a column of integers prints them as they are; any other numeric column
 * prints every number with the same decimals (`digits` significant digits for its largest magnitude), float
 * noise as 0. Strings pass through, booleans print yes/no, null prints as an em dash.
 */
export function formatColumns(rows: readonly (readonly TableCell[])[], digits = 4): string[][] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const scales: (number | 'integers')[] = [];
  for (let j = 0; j < width; j++) {
    const numbers = rows.map((r) => r[j]).filter((v): v is number => typeof v === 'number');
    scales.push(numbers.every((v) => Number.isInteger(v)) ? 'integers' : maxMagnitude(numbers));
  }
  return rows.map((r) =>
    r.map((v, j) => {
      if (v === null || v === undefined) return '—';
      if (typeof v === 'boolean') return v ? 'yes' : 'no';
      if (typeof v === 'string') return v;
      const scale = scales[j];
      return scale === 'integers' ? String(v) : formatScaled(v, scale, digits);
    }),
  );
}

/** Formats a measured value and its interval with one set of decimals (from the largest of the three): `0.5693 [0.5465, 0.5951]`. */
export function formatInterval(value: number, low: number, high: number, digits = 4): { value: string; interval: string } {
  const scale = maxMagnitude([value, low, high]);
  return { value: formatScaled(value, scale, digits), interval: `[${formatScaled(low, scale, digits)}, ${formatScaled(high, scale, digits)}]` };
}

/** Compares strings with runs of digits taken as numbers (`N-1e6` < `N-1e10`, `item2` < `item10`); ties fall back to code-unit order. */
export function naturalCompare(a: string, b: string): number {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i];
    const y = cb[i];
    if (x === y) continue;
    const xd = /^\d/.test(x);
    const yd = /^\d/.test(y);
    if (xd && yd) {
      // Compare as integers of any length: strip leading zeros, then by length, then lexically.
      const xs = x.replace(/^0+(?=\d)/, '');
      const ys = y.replace(/^0+(?=\d)/, '');
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ca.length !== cb.length) return ca.length - cb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
