/** Builds indented JavaScript source, so generated codecs read like hand-written code. */
export class SourceBuilder {
  private readonly lines: string[] = [];
  private depth = 0;

  /** Appends one or more lines at the current indentation. */
  line(...text: string[]): this {
    for (const t of text) this.lines.push('  '.repeat(this.depth) + t);
    return this;
  }

  /** Appends `open`, runs `body` one level deeper, then appends `close`. */
  block(open: string, body: () => void, close = '}'): this {
    this.line(open);
    this.depth++;
    body();
    this.depth--;
    if (close !== '') this.line(close);
    return this;
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `obj.name` when `name` is an identifier, else `obj["name"]`. */
export function property(object: string, name: string): string {
  return IDENTIFIER.test(name) ? `${object}.${name}` : `${object}[${JSON.stringify(name)}]`;
}

/** The bytes of a varint, for emitting tags as constants. */
export function varintBytes(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}
