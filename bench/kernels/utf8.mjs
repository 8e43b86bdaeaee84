// UTF-8 kernels: validation, and strict decoding to a string, on ASCII and on mixed text.
import { createRequire } from 'node:module';
import { SIZES } from './crossover.mjs';

const require = createRequire(import.meta.url);
const kernels = require('../../dist/kernels/index.js');
const twin = require('../../dist/kernels/utf8.js');
const native = require('../../dist/kernels/native-kernels.js');

const OFFSET = 7;
const SAMPLES = {
  ascii: 'The quick brown fox jumps over the lazy dog; 0123456789. ',
  mixed: 'Grüße, 東京 — naïve café 🚀 Ελληνικά Кириллица ',
  // Product-title text: what the multi-byte routing (text/utf8-read.ts) is for.
  chinese: '华为Mate60 Pro雅川青 12GB+512GB 卫星通话 官方旗舰店正品保障，支持移动联通电信5G双卡双待手机',
};

/** `size` bytes of the sample text, cut back to a character boundary. */
function text(kind, size) {
  const bytes = Buffer.from(SAMPLES[kind].repeat(Math.ceil(size / 10) + 1), 'utf8');
  let end = Math.min(size, bytes.length);
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  const src = new Uint8Array(OFFSET + end + 3);
  src.set(bytes.subarray(0, end), OFFSET);
  return { src, end: OFFSET + end };
}

const fatal = new TextDecoder('utf-8', { fatal: true });

/** @param {import('./crossover.mjs').Crossover} crossover */
export async function run(crossover) {
  for (const kind of Object.keys(SAMPLES)) {
    for (const size of SIZES) {
      const { src, end } = text(kind, size);
      await crossover.measure(`validateUtf8 ${kind}`, size, {
        heddle: () => kernels.validateUtf8(src, OFFSET, end),
        native: () => native.nativeValidateUtf8(src, OFFSET, end),
        ts: () => twin.validateUtf8(src, OFFSET, end),
      }, end - OFFSET);
      await crossover.measure(`decodeUtf8 ${kind}`, size, {
        heddle: () => kernels.decodeUtf8(src, OFFSET, end),
        native: () => native.nativeDecodeUtf8(src, OFFSET, end),
        ts: () => twin.decodeUtf8(src, OFFSET, end),
        'js loop': () => twin.decodeUtf8Short(src, OFFSET, end),
        'js units loop': () => twin.decodeUtf8Units(src, OFFSET, end),
        'TextDecoder fatal': () => fatal.decode(src.subarray(OFFSET, end)),
        'ts validate+utf8Slice': () => {
          if (twin.validateUtf8(src, OFFSET, end) !== -1) throw new Error('invalid');
          return Buffer.prototype.utf8Slice.call(src, OFFSET, end);
        },
        'utf8Slice+U+FFFD scan': () => {
          const text = Buffer.prototype.utf8Slice.call(src, OFFSET, end);
          if (text.indexOf('\uFFFD') !== -1) throw new Error('invalid');
          return text;
        },
      }, end - OFFSET);
    }
  }
}
