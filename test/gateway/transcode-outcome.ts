// What the native-against-twin transcoder tests compare: the bytes a call gives, or the error it
// throws (code, message, offset, path).

export type Outcome = { bytes: string } | { code: string; message: string; offset: number | undefined; path: string | undefined };

export function outcome(run: () => Uint8Array): Outcome {
  try {
    const b = run();
    return { bytes: Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') };
  } catch (error) {
    const e = error as { code: string; message: string; offset?: number; path?: string };
    if (typeof e.code !== 'string') throw error;
    return { code: e.code, message: e.message, offset: e.offset, path: e.path };
  }
}
