/** Builds indented JavaScript source line by line, so generated codecs read like hand-written code. */
export class SourceWriter {
  private readonly lines: string[] = [];
  private indent = 0;

  /** Adds one line (or several, given an array) at the current indentation. */
  line(...texts: string[]): this {
    for (const text of texts) this.lines.push(text === '' ? '' : '  '.repeat(this.indent) + text);
    return this;
  }

  /** Adds `head` and indents what follows, up to the matching {@link close}. */
  open(head: string): this {
    this.line(head);
    this.indent++;
    return this;
  }

  /** Ends a block opened with {@link open}; `tail` is usually `}`. */
  close(tail = '}'): this {
    this.indent--;
    this.line(tail);
    return this;
  }

  /** Ends a block and opens the next at the same depth, e.g. `} else {`. */
  middle(text: string): this {
    this.indent--;
    this.line(text);
    this.indent++;
    return this;
  }

  /** Adds a `//` comment line. */
  comment(text: string): this {
    return this.line(`// ${text.replace(/\n/g, ' ')}`);
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}
