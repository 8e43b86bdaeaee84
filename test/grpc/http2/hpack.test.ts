import http2 from 'node:http2';
import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src-ts/errors.js';
import { CLIENT_PREFACE, encodeFrame, Flag, FrameType, settingsPayload } from '../../../src-ts/grpc/http2/frames.js';
import { HpackDecoder, HpackEncoder } from '../../../src-ts/grpc/http2/hpack.js';
import { huffmanCodes, huffmanDecode, huffmanEncode, huffmanEncodedLength } from '../../../src-ts/grpc/http2/hpack-huffman.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const pairs = (flat: string[]) => Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);
const flat = (list: string[][]) => list.flat();

// RFC 7541 Appendix C: the header lists and the dynamic tables after each block (newest first).
const REQUEST_ONE = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']];
const REQUEST_TWO = [...REQUEST_ONE, ['cache-control', 'no-cache']];
const REQUEST_THREE = [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']];
const REQUEST_TABLES = [
  [[':authority', 'www.example.com']],
  [['cache-control', 'no-cache'], [':authority', 'www.example.com']],
  [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']],
];
const REQUEST_SIZES = [57, 110, 164];
const DATE_1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const DATE_2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const RESPONSE_ONE = [[':status', '302'], ['cache-control', 'private'], ['date', DATE_1], ['location', 'https://www.example.com']];
const RESPONSE_TWO = [[':status', '307'], ...RESPONSE_ONE.slice(1)];
const RESPONSE_THREE = [[':status', '200'], ['cache-control', 'private'], ['date', DATE_2], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', COOKIE]];
const RESPONSE_TABLES = [
  [['location', 'https://www.example.com'], ['date', DATE_1], ['cache-control', 'private'], [':status', '302']],
  [[':status', '307'], ['location', 'https://www.example.com'], ['date', DATE_1], ['cache-control', 'private']],
  [['set-cookie', COOKIE], ['content-encoding', 'gzip'], ['date', DATE_2]],
];
const RESPONSE_SIZES = [222, 222, 215];

const CHAINS: Record<string, { tableSize: number; huffman: boolean; blocks: string[]; lists: string[][][]; tables: string[][][]; sizes: number[] }> = {
  'C.3': {
    tableSize: 4096,
    huffman: false,
    blocks: ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 84be 5808 6e6f 2d63 6163 6865', '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'],
    lists: [REQUEST_ONE, REQUEST_TWO, REQUEST_THREE],
    tables: REQUEST_TABLES,
    sizes: REQUEST_SIZES,
  },
  'C.4': {
    tableSize: 4096,
    huffman: true,
    blocks: ['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf', '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'],
    lists: [REQUEST_ONE, REQUEST_TWO, REQUEST_THREE],
    tables: REQUEST_TABLES,
    sizes: REQUEST_SIZES,
  },
  'C.5': {
    tableSize: 256,
    huffman: false,
    blocks: [
      '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
      '4803 3330 37c1 c0bf',
      '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
    ],
    lists: [RESPONSE_ONE, RESPONSE_TWO, RESPONSE_THREE],
    tables: RESPONSE_TABLES,
    sizes: RESPONSE_SIZES,
  },
  'C.6': {
    tableSize: 256,
    huffman: true,
    blocks: [
      '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
      '4883 640e ffc1 c0bf',
      '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
    ],
    lists: [RESPONSE_ONE, RESPONSE_TWO, RESPONSE_THREE],
    tables: RESPONSE_TABLES,
    sizes: RESPONSE_SIZES,
  },
};

describe('HPACK Huffman code (RFC 7541 Appendix B)', () => {
  it('rebuilds the RFC table codes from its lengths', () => {
    // Rows of Appendix B's "code as hex" column, across every code length.
    const rows: [number, number, number][] = [
      [0, 0x1ff8, 13], [1, 0x7fffd8, 23], [9, 0xffffea, 24], [10, 0x3ffffffc, 30], [32, 0x14, 6], [38, 0xf8, 8], [48, 0x0, 5],
      [58, 0x5c, 7], [60, 0x7ffc, 15], [92, 0x7fff0, 19], [94, 0x3ffc, 14], [97, 0x3, 5], [124, 0x7fc, 11], [127, 0xffffffc, 28],
      [128, 0xfffe6, 20], [153, 0x1fffdc, 21], [192, 0x3ffffe0, 26], [199, 0x1ffffec, 25], [203, 0x7ffffde, 27], [220, 0xffffffd, 28],
      [255, 0x3ffffee, 26], [256, 0x3fffffff, 30],
    ];
    for (const [symbol, code, length] of rows) expect([symbol, huffmanCodes.codes[symbol], huffmanCodes.lengths[symbol]]).toEqual([symbol, code, length]);
  });

  it('encodes and decodes the Appendix C strings byte-exact', () => {
    const strings: [string, string][] = [
      ['www.example.com', 'f1e3 c2e5 f23a 6ba0 ab90 f4ff'],
      ['no-cache', 'a8eb 1064 9cbf'],
      ['custom-key', '25a8 49e9 5ba9 7d7f'],
      ['custom-value', '25a8 49e9 5bb8 e8b4 bf'],
      ['302', '6402'],
      ['private', 'aec3 771a 4b'],
      [DATE_1, 'd07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff'],
      ['https://www.example.com', '9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3'],
      ['gzip', '9bd9 ab'],
      [COOKIE, '94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07'],
    ];
    for (const [text, coded] of strings) {
      const raw = Buffer.from(text, 'latin1');
      const out = Buffer.alloc(huffmanEncodedLength(raw));
      expect(huffmanEncode(raw, out, 0)).toBe(out.length);
      expect(out.toString('hex')).toBe(hex(coded).toString('hex'));
      expect(huffmanDecode(hex(coded))).toBe(text);
    }
  });

  it('round-trips every byte value, alone and in random strings', () => {
    for (let symbol = 0; symbol < 256; symbol++) {
      const raw = Buffer.from([symbol, symbol, 0x61, symbol]);
      const out = Buffer.alloc(huffmanEncodedLength(raw));
      huffmanEncode(raw, out, 0);
      expect(huffmanDecode(out)).toBe(raw.toString('latin1'));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const out = Buffer.alloc(huffmanEncodedLength(bytes));
        huffmanEncode(bytes, out, 0);
        expect(Buffer.from(huffmanDecode(out), 'latin1').equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('refuses EOS in the data, padding over 7 bits, and padding that is not EOS', () => {
    const fail = (bytes: number[]) => {
      try {
        huffmanDecode(Uint8Array.from(bytes));
      } catch (error) {
        return (error as { code: string }).code;
      }
      return 'decoded';
    };
    expect(fail([0xff, 0xff, 0xff, 0xff])).toBe(ErrorCode.ERR_BAD_FRAME); // EOS (30 ones) inside
    expect(fail([0x1f, 0xff])).toBe(ErrorCode.ERR_BAD_FRAME); // 'a' (00011) then 11 bits of padding
    expect(fail([0x18])).toBe(ErrorCode.ERR_BAD_FRAME); // 'a' then padding 000
    expect(fail([0x1f])).toBe('decoded'); // 'a' then padding 111
  });
});

describe('HpackDecoder (RFC 7541 Appendix C)', () => {
  it('decodes the C.2 single representations', () => {
    const cases: [string, string[], string[][]][] = [
      ['400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572', ['custom-key', 'custom-header'], [['custom-key', 'custom-header']]],
      ['040c 2f73 616d 706c 652f 7061 7468', [':path', '/sample/path'], []],
      ['1008 7061 7373 776f 7264 0673 6563 7265 74', ['password', 'secret'], []],
      ['82', [':method', 'GET'], []],
    ];
    for (const [block, fields, table] of cases) {
      const decoder = new HpackDecoder();
      expect(decoder.decode(hex(block))).toEqual({ fields, tooLarge: false });
      expect(decoder.tableEntries()).toEqual(table);
    }
  });

  for (const [name, chain] of Object.entries(CHAINS)) {
    it(`decodes the ${name} chain on one table, with the RFC's table after each block`, () => {
      const decoder = new HpackDecoder(chain.tableSize);
      chain.blocks.forEach((block, i) => {
        expect(pairs(decoder.decode(hex(block)).fields)).toEqual(chain.lists[i]);
        expect(decoder.tableEntries()).toEqual(chain.tables[i]);
        expect(decoder.tableSize).toBe(chain.sizes[i]);
      });
    });
  }

  it('applies a table size update at the start of a block and refuses one after a field or over the limit', () => {
    const decoder = new HpackDecoder();
    decoder.decode(hex(CHAINS['C.3']!.blocks[0]!));
    expect(decoder.decode(hex('20 82')).fields).toEqual([':method', 'GET']);
    expect(decoder.tableEntries()).toEqual([]);
    expect(() => new HpackDecoder().decode(hex('82 20'))).toThrow(/size update after a header field/);
    expect(() => new HpackDecoder().decode(hex('3fe21f'))).toThrow(/exceeds the 4096 allowed/);
  });

  it('refuses index 0, indexes past the table, truncated strings and endless integers with ERR_BAD_FRAME and an offset', () => {
    for (const block of ['80', 'be', '400a6375', '41', '7f', 'ff ff ff ff ff ff 0f', '00 7f ff ff ff ff 0f']) {
      let caught: { code?: string; offset?: number } | undefined;
      try {
        new HpackDecoder().decode(hex(block));
      } catch (error) {
        caught = error as { code: string; offset: number };
      }
      expect(caught?.code, block).toBe(ErrorCode.ERR_BAD_FRAME);
      expect(typeof caught?.offset, block).toBe('number');
    }
  });

  it('decodes random bytes to fields or ERR_BAD_FRAME, nothing else, with bounded output', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const { fields } = new HpackDecoder().decode(bytes, 16_384);
          expect(fields.reduce((n, text) => n + text.length, 0)).toBeLessThanOrEqual(16_384);
        } catch (error) {
          expect((error as { code?: string }).code).toBe(ErrorCode.ERR_BAD_FRAME);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('stops keeping fields past the list size limit but keeps its table in step', () => {
    const decoder = new HpackDecoder();
    const big = decoder.decode(hex(CHAINS['C.3']!.blocks[0]!), 60);
    expect(big.tooLarge).toBe(true);
    expect(pairs(big.fields)).toEqual(REQUEST_ONE.slice(0, 1));
    // The next block refers to the entry added while over the limit.
    expect(pairs(decoder.decode(hex(CHAINS['C.3']!.blocks[1]!)).fields)).toEqual(REQUEST_TWO);
  });
});

describe('HpackEncoder', () => {
  for (const name of ['C.3', 'C.4']) {
    it(`encodes the ${name} requests byte-exact when it indexes every literal`, () => {
      const chain = CHAINS[name]!;
      const encoder = new HpackEncoder({ huffman: chain.huffman, indexAll: true });
      chain.lists.forEach((list, i) => expect(encoder.encode(flat(list)).toString('hex')).toBe(hex(chain.blocks[i]!).toString('hex')));
    });
  }

  it('indexes a gRPC call\'s repeated headers: the second call is a few bytes', () => {
    const encoder = new HpackEncoder();
    const call = [':method', 'POST', ':scheme', 'http', ':path', '/echo.v1.Echo/Say', ':authority', 'localhost:50051', 'content-type', 'application/grpc', 'te', 'trailers', 'grpc-timeout', '2999m'];
    const first = encoder.encode(call).length;
    const second = encoder.encode(call).length;
    expect(second).toBeLessThan(16);
    expect(first).toBeGreaterThan(second * 3);
  });

  it('signals the smallest table size first when the peer shrank it and grew it back between blocks', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    decoder.decode(encoder.encode([':path', '/a']));
    encoder.setMaxTableSize(0);
    encoder.setMaxTableSize(100);
    const block = encoder.encode([':path', '/a']);
    // 0x20: size update to 0; 0x3f 0x45: size update to 100; then the literal, indexed again.
    expect(block.subarray(0, 3).toString('hex')).toBe('203f45');
    expect(decoder.decode(block).fields).toEqual([':path', '/a']);
    expect(decoder.tableEntries()).toEqual([[':path', '/a']]);
  });

  const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
  const headerValue = fc.oneof(fc.stringMatching(/^[\x20-\x7e]{0,60}$/), fc.constantFrom('application/grpc', 'trailers', '/a.B/C', 'gzip'));
  const headerList = fc.array(fc.tuple(fc.oneof(headerName, fc.constantFrom(':path', 'content-type', 'te', 'user-agent', 'grpc-encoding', 'accept')), headerValue), { maxLength: 12 });

  it('round-trips random header lists through its own decoder across many blocks and table sizes', () => {
    fc.assert(
      fc.property(fc.array(headerList, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.boolean(), fc.constantFrom(0, 64, 256, 4096), (lists, huffman, indexAll, tableSize) => {
        const encoder = new HpackEncoder({ huffman, indexAll });
        const decoder = new HpackDecoder();
        encoder.setMaxTableSize(tableSize);
        for (const list of lists) expect(pairs(decoder.decode(encoder.encode(flat(list))).fields)).toEqual(list);
      }),
    );
  });

  it("is read right by a real decoder: node:http2's server receives the same headers", async () => {
    const received: Record<string, string>[] = [];
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      const custom: Record<string, string> = {};
      for (const [key, value] of Object.entries(headers)) if (key.startsWith('x-')) custom[key] = String(value);
      received.push(custom);
      stream.respond({ ':status': 200 });
      stream.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const lists = fc.sample(fc.array(fc.tuple(fc.stringMatching(/^x-[a-z0-9]{1,12}$/), fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,40}[\x21-\x7e])?$/)), { maxLength: 8 }), { numRuns: 60, seed: 7 });
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const encoder = new HpackEncoder({ huffman: true, indexAll: true });
      const frames: Buffer[] = [CLIENT_PREFACE, encodeFrame(FrameType.SETTINGS, 0, 0, settingsPayload([]))];
      const expected: Record<string, string>[] = [];
      lists.forEach((list, i) => {
        // Names are unique per request so node:http2's object form keeps each one.
        const unique = [...new Map(list).entries()];
        expected.push(Object.fromEntries(unique));
        const block = encoder.encode([':method', 'GET', ':scheme', 'http', ':path', `/${i}`, ':authority', 'localhost', ...unique.flat()]);
        frames.push(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 2 * i + 1, Buffer.from(block)));
      });
      socket.write(Buffer.concat(frames));
      const deadline = Date.now() + 10_000;
      while (received.length < lists.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
      expect(received).toEqual(expected);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
