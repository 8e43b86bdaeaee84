/**
 * Exact integers from decimal text with a fraction or an exponent (`1e3`, `-5.000`, `12E+1`),
 * which ProtoJSON accepts for integer fields: never through a double, so 64-bit values stay exact.
 */

/** Whole values beyond this many digits are out of every integer range, so they need no exact value. */
const MAX_DIGITS = 25;

/**
 * The integer the JSON number `text` denotes, or undefined when it is not whole. Magnitudes far
 * beyond 64 bits come back as ±10^25, which every range check rejects, without building a huge bigint.
 */
export function exactInteger(text: string): bigint | undefined {
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (match === null) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  let digits = (whole! + fraction).replace(/^0+/, '');
  if (digits === '') return 0n;
  // Value = digits * 10^scale.
  const exponent = Number(exponentText);
  let scale = exponent - fraction.length;
  if (scale < 0) {
    const cut = digits.length + scale;
    const dropped = cut <= 0 ? digits : digits.slice(cut);
    if (!/^0*$/.test(dropped)) return undefined;
    digits = cut <= 0 ? '0' : digits.slice(0, cut);
    scale = 0;
  }
  const big = digits.length + scale > MAX_DIGITS ? 10n ** BigInt(MAX_DIGITS) : BigInt(digits) * 10n ** BigInt(scale);
  return sign === '-' ? -big : big;
}
