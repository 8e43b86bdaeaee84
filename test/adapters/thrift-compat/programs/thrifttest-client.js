// A ThriftTest client in the shape of Apache Thrift's Node test driver: each call once, with its
// result printed in one normal form (i64 as octets, binary as hex). VARIANT=promise|callback.
const heddle = process.env.THRIFT_LIB === 'heddle';
const thrift = heddle ? require('heddle/thrift-compat') : require('thrift');
const Int64 = require('node-int64');
const idl = heddle && thrift.load(`${__dirname}/../idl/ThriftTest.thrift`);
const ThriftTest = heddle ? idl.ThriftTest : require(`${process.env.GEN_DIR}/ThriftTest`);
const ttypes = heddle ? idl.types : require(`${process.env.GEN_DIR}/ThriftTest_types`);

const transports = { framed: thrift.TFramedTransport, buffered: thrift.TBufferedTransport, ttheader: 'ttheader' };
const connection = thrift.createConnection('127.0.0.1', Number(process.env.PORT), {
  transport: transports[process.env.TRANSPORT ?? 'buffered'],
  protocol: process.env.PROTOCOL === 'compact' ? thrift.TCompactProtocol : thrift.TBinaryProtocol,
});
connection.on('error', (err) => { console.log(`connection error: ${err.message}`); process.exitCode = 1; });
const client = thrift.createClient(ThriftTest, connection);

function show(value) {
  return JSON.stringify(value, (key, v) => {
    if (v && typeof v === 'object' && typeof v.toOctetString === 'function') return `i64:${v.toOctetString()}`;
    if (v && v.type === 'Buffer' && Array.isArray(v.data)) return `bytes:${Buffer.from(v.data).toString('hex')}`;
    return v;
  });
}

const xtruct = new ttypes.Xtruct({ string_thing: 'Zero', byte_thing: 1, i32_thing: -3, i64_thing: new Int64(-5) });
const insanity = new ttypes.Insanity({ userMap: { [ttypes.Numberz.FIVE]: 5, [ttypes.Numberz.EIGHT]: new Int64(8) }, xtructs: [xtruct, new ttypes.Xtruct({ string_thing: 'Goodbye4', byte_thing: 4, i32_thing: 4, i64_thing: 4 })] });
const calls = [
  ['testVoid'],
  ['testString', 'Test'],
  ['testString', 'Chinese 中文 and emoji 🍕, long '.repeat(40)],
  ['testBool', true],
  ['testBool', false],
  ['testByte', 1],
  ['testByte', -1],
  ['testI32', -1],
  ['testI32', 2147483647],
  ['testI64', -34359738368],
  ['testI64', new Int64('7fffffffffffffff')],
  ['testDouble', -5.2098523],
  ['testDouble', 7.012052175215044],
  ['testBinary', Buffer.from([0, 1, 2, 250, 255])],
  ['testStruct', xtruct],
  ['testNest', new ttypes.Xtruct2({ byte_thing: 1, struct_thing: xtruct, i32_thing: 5 })],
  ['testMap', { 0: -10, 1: -9, 2: -8, 3: -7, 4: -6 }],
  ['testStringMap', { a: '2', b: 'blah', 'some': 'thing' }],
  ['testSet', [1, 2, 3, -4]],
  ['testList', [1, 2, 3, -4, 5]],
  ['testEnum', ttypes.Numberz.ONE],
  ['testEnum', ttypes.Numberz.EIGHT],
  ['testTypedef', 309858235082523],
  ['testMapMap', 1],
  ['testInsanity', insanity],
  ['testMulti', 1, 2, 3, { 4: 'four' }, ttypes.Numberz.SIX, 6],
  ['testException', 'Xception'],
  ['testException', 'TException'],
  ['testException', 'no Exception'],
  ['testMultiException', 'Xception', 'ignored'],
  ['testMultiException', 'Xception2', 'ignored'],
  ['testMultiException', 'Normal', 'Hello from the client'],
  ['testOneway', 1],
];

function describeError(err) {
  if (err instanceof ttypes.Xception) return `Xception errorCode=${err.errorCode} message=${err.message} isError=${err instanceof Error} name=${err.name}`;
  if (err instanceof ttypes.Xception2) return `Xception2 errorCode=${err.errorCode} struct_thing=${show(err.struct_thing)} name=${err.name}`;
  if (err instanceof thrift.Thrift.TApplicationException) return `TApplicationException name=${err.name}`;
  return `unexpected ${err && err.stack}`;
}

async function promiseVariant() {
  for (const [name, ...args] of calls) {
    try {
      console.log(`${name} -> ${show(await client[name](...args))}`);
    } catch (err) {
      console.log(`${name} threw ${describeError(err)}`);
    }
  }
}

function callbackVariant(index = 0) {
  if (index === calls.length) return Promise.resolve();
  const [name, ...args] = calls[index];
  return new Promise((resolve) => client[name](...args, (err, result) => {
    console.log(err ? `${name} threw ${describeError(err)}` : `${name} -> ${show(result)}`);
    resolve();
  })).then(() => callbackVariant(index + 1));
}

(process.env.VARIANT === 'callback' ? callbackVariant() : promiseVariant())
  .catch((err) => { console.log(`failed: ${err.stack}`); process.exitCode = 1; })
  .finally(() => connection.end());
