// A ThriftTest server in the shape of Apache Thrift's Node test harness: VARIANT=sync handlers
// return (or throw), VARIANT=async handlers answer through a callback. THRIFT_LIB, GEN_DIR, PORT,
// TRANSPORT and PROTOCOL as in calculator-server.js.
const heddle = process.env.THRIFT_LIB === 'heddle';
const thrift = heddle ? require('heddle/thrift-compat') : require('thrift');
const idl = heddle && thrift.load(`${__dirname}/../idl/ThriftTest.thrift`);
const ThriftTest = heddle ? idl.ThriftTest : require(`${process.env.GEN_DIR}/ThriftTest`);
const ttypes = heddle ? idl.types : require(`${process.env.GEN_DIR}/ThriftTest_types`);

const echo = (name) => (thing) => { console.log(`${name}(${show(thing)})`); return thing; };

function show(value) {
  return JSON.stringify(value, (key, v) => {
    if (v && typeof v === 'object' && typeof v.toOctetString === 'function') return `i64:${v.toOctetString()}`;
    if (v && v.type === 'Buffer' && Array.isArray(v.data)) return `bytes:${Buffer.from(v.data).toString('hex')}`;
    return v;
  });
}

const sync = {
  testVoid() { console.log('testVoid()'); },
  testString: echo('testString'),
  testBool: echo('testBool'),
  testByte: echo('testByte'),
  testI32: echo('testI32'),
  testI64: echo('testI64'),
  testDouble: echo('testDouble'),
  testBinary: echo('testBinary'),
  testStruct: echo('testStruct'),
  testNest: echo('testNest'),
  testMap: echo('testMap'),
  testStringMap: echo('testStringMap'),
  testSet: echo('testSet'),
  testList: echo('testList'),
  testEnum: echo('testEnum'),
  testTypedef: echo('testTypedef'),
  testMapMap(hello) {
    console.log(`testMapMap(${hello})`);
    const pos = {}, neg = {};
    for (let i = 1; i < 5; i++) { pos[i] = i; neg[-i] = -i; }
    return { 4: pos, '-4': neg };
  },
  testInsanity(argument) {
    console.log(`testInsanity(${show(argument)})`);
    const looney = new ttypes.Insanity();
    return { 1: { [ttypes.Numberz.TWO]: argument, [ttypes.Numberz.THREE]: argument }, 2: { [ttypes.Numberz.SIX]: looney } };
  },
  testMulti(arg0, arg1, arg2, arg3, arg4, arg5) {
    console.log(`testMulti(${show([arg0, arg1, arg2, arg3, arg4, arg5])})`);
    return new ttypes.Xtruct({ string_thing: 'Hello2', byte_thing: arg0, i32_thing: arg1, i64_thing: arg2 });
  },
  testException(arg) {
    console.log(`testException(${arg})`);
    if (arg === 'Xception') throw new ttypes.Xception({ errorCode: 1001, message: arg });
    if (arg === 'TException') throw new Error('this is not declared');
  },
  testMultiException(arg0, arg1) {
    console.log(`testMultiException(${arg0}, ${arg1})`);
    if (arg0 === 'Xception') throw new ttypes.Xception({ errorCode: 1001, message: 'This is an Xception' });
    if (arg0 === 'Xception2') throw new ttypes.Xception2({ errorCode: 2002, struct_thing: new ttypes.Xtruct({ string_thing: 'This is an Xception2' }) });
    return new ttypes.Xtruct({ string_thing: arg1 });
  },
  testOneway(seconds) { console.log(`testOneway(${seconds})`); },
};

// The same answers through callbacks, one turn of the event loop later. (The es6 generated
// processor calls a promise-style handler inside Promise.resolve(), so these wrap throws too.)
const async = {};
for (const [name, fn] of Object.entries(sync)) {
  async[name] = (...args) => {
    // The generated processor gives oneway handlers no callback.
    const result = typeof args[args.length - 1] === 'function' ? args.pop() : () => {};
    setImmediate(() => {
      let value;
      try { value = fn(...args); } catch (err) { result(err); return; }
      result(null, value);
    });
  };
  // One more parameter than the method has: the processor's sign of a callback-style handler.
  Object.defineProperty(async[name], 'length', { value: fn.length + 1 });
}
const syncPromises = {};
for (const [name, fn] of Object.entries(sync)) {
  syncPromises[name] = { [name]: async function (...args) { return fn(...args); } }[name];
  Object.defineProperty(syncPromises[name], 'length', { value: fn.length });
}

const options = {
  transport: process.env.TRANSPORT === 'framed' ? thrift.TFramedTransport : thrift.TBufferedTransport,
  protocol: process.env.PROTOCOL === 'compact' ? thrift.TCompactProtocol : thrift.TBinaryProtocol,
};
const server = thrift.createServer(ThriftTest, process.env.VARIANT === 'async' ? async : syncPromises, options);
server.on('listening', () => console.log(`listening ${server.address().port}`));
server.listen(Number(process.env.PORT ?? 0));
