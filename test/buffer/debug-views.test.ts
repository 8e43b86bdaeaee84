import { describe, expect, it, vi } from 'vitest';
import { assertLiveView } from '../../src-ts/buffer/debug-views.js';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { HeddleError } from '../../src-ts/errors.js';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('LinkBuffer debug mode', () => {
  it('detaches next/peek/until views on release and names their later use', () => {
    const buffer = LinkBuffer.from(Buffer.from('hello\nworld'), { debug: true });
    const line = buffer.until(0x0a) as Uint8Array;
    const peeked = buffer.peek(2);
    const taken = buffer.next(3);
    expect(Buffer.from(line).toString()).toBe('hello\n');
    expect(Buffer.from(peeked).toString()).toBe('wo');
    expect(Buffer.from(taken).toString()).toBe('wor');
    assertLiveView(taken);

    buffer.release();
    for (const view of [line, peeked, taken]) {
      expect(view.length).toBe(0);
      const error = errorOf(() => assertLiveView(view));
      expect(error).toBeInstanceOf(HeddleError);
      expect((error as HeddleError).code).toBe('ERR_USE_AFTER_RELEASE');
    }
  });

  it('refuses a released view passed back into writeBinary', () => {
    const source = LinkBuffer.from(Uint8Array.of(1, 2, 3), { debug: true });
    const view = source.next(3);
    source.release();
    const target = new LinkBuffer({ debug: true });
    expect((errorOf(() => target.writeBinary(view)) as HeddleError).code).toBe('ERR_USE_AFTER_RELEASE');
  });

  it('leaves views valid until release', () => {
    const buffer = LinkBuffer.from(Uint8Array.of(1, 2, 3, 4), { debug: true });
    const first = buffer.next(2);
    buffer.next(2);
    expect([...first]).toEqual([1, 2]);
  });

  it('turns on for every buffer with HEDDLE_DEBUG_BUFFERS=1', async () => {
    vi.stubEnv('HEDDLE_DEBUG_BUFFERS', '1');
    vi.resetModules();
    try {
      const fresh = await import('../../src-ts/buffer/link-buffer.js');
      const buffer = fresh.LinkBuffer.from(Uint8Array.of(1, 2));
      const view = buffer.next(2);
      buffer.release();
      expect(buffer.debug).toBe(true);
      expect(view.length).toBe(0);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
