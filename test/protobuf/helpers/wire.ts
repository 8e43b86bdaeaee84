/** Builds protobuf wire bytes by hand, so tests can state exactly what is on the wire. */
export class Wire {
  private readonly bytes: number[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  raw(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }

  fixed32(value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.raw(...b);
  }

  fixed64(value: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return this.raw(...b);
  }

  double(value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return this.raw(...b);
  }

  /** A length-delimited field holding `content`. */
  delimited(field: number, content: Uint8Array | Wire | string): this {
    const body = typeof content === 'string' ? new TextEncoder().encode(content) : content instanceof Wire ? content.build() : content;
    return this.tag(field, 2).varint(body.length).raw(...body);
  }

  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export const wire = (): Wire => new Wire();
