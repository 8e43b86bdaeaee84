/**
 * `FieldDescriptorProto.default_value` is text in protoc's own formats: C's `%g` with the fewest
 * digits that round-trip for floating point (`1e+10`, `0.1`, `inf`, `nan`), decimal for integers,
 * C escapes for bytes. heddle writes the same text so its descriptors equal protoc's, and reads it
 * back into values for the codecs.
 */

/** protoc's SimpleDtoa: `%.15g`, or `%.17g` when 15 digits do not round-trip. */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  const short = formatG(value, 15);
  return Number(short) === value ? short : formatG(value, 17);
}

const FLOAT_MIN_NORMAL = 1.1754943508222875e-38;

/** protoc's SimpleFtoa: `%.6g`, or `%.9g` when 6 digits do not round-trip through float. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  // protoc's round-trip check uses strtof, which reports ERANGE for subnormals: they always get 9 digits.
  if (value !== 0 && Math.abs(value) < FLOAT_MIN_NORMAL) return formatG(value, 9);
  const short = formatG(value, 6);
  return Math.fround(Number(short)) === value ? short : formatG(value, 9);
}

/** C's `printf("%.<precision>g", value)` for finite values. */
function formatG(value: number, precision: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential(precision - 1).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= precision) {
    const digits = stripZeros(mantissa);
    const sign = exponent < 0 ? '-' : '+';
    const magnitude = Math.abs(exponent);
    return `${digits}e${sign}${magnitude < 10 ? '0' : ''}${magnitude}`;
  }
  return stripZeros(value.toFixed(Math.max(0, precision - 1 - exponent)));
}

function stripZeros(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

/** protoc's CEscape: printable ASCII as is, `\n \r \t \" \' \\` by name, the rest as 3-digit octal. */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    switch (b) {
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      case 34: out += '\\"'; break;
      case 39: out += "\\'"; break;
      case 92: out += '\\\\'; break;
      default:
        out += b < 0x20 || b >= 0x7f ? '\\' + b.toString(8).padStart(3, '0') : String.fromCharCode(b);
    }
  }
  return out;
}

const NAMED_ESCAPES: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63,
};

/** The inverse of {@link escapeBytes}, accepting every escape protoc's CUnescape does. */
export function unescapeBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\') {
      out.push(text.charCodeAt(i) & 0xff);
      continue;
    }
    const e = text[++i] ?? '';
    if (NAMED_ESCAPES[e] !== undefined) out.push(NAMED_ESCAPES[e]);
    else if (e >= '0' && e <= '7') {
      let digits = e;
      while (digits.length < 3 && (text[i + 1] ?? '') >= '0' && (text[i + 1] ?? '') <= '7') digits += text[++i];
      out.push(parseInt(digits, 8) & 0xff);
    } else if (e === 'x' || e === 'X') {
      let digits = '';
      while (digits.length < 2 && /[0-9a-fA-F]/.test(text[i + 1] ?? '')) digits += text[++i];
      out.push(parseInt(digits || '0', 16));
    } else out.push(e.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}
