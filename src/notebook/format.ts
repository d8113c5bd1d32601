// Numbers for people: a few significant digits, exponent notation for very small or large values.

const needsExponent = (magnitude: number) => magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6);

export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const magnitude = Math.abs(value);
  if (needsExponent(magnitude)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

/**
 * A column of numbers printed alike, so that they can be compared down the column: whole numbers
 * as they are; otherwise every value with the same significant digits (trailing zeros kept, 0.9500
 * beside 0.9512), in exponent notation for all of them as soon as one needs it.
 */
export function formatColumn(values: number[], digits = 4): string[] {
  const finite = values.filter(Number.isFinite);
  if (finite.every((v) => Number.isInteger(v) && Math.abs(v) < 1e9)) return values.map(String);
  const exponent = finite.some((v) => needsExponent(Math.abs(v)));
  return values.map((v) => {
    if (!Number.isFinite(v)) return String(v);
    if (v === 0) return '0';
    return exponent ? v.toExponential(digits - 1) : v.toPrecision(digits);
  });
}
