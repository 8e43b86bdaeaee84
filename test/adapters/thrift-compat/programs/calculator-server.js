// A Calculator server in the shape of Apache Thrift's Node tutorial. THRIFT_LIB=thrift runs it on the
// `thrift` package with code from `thrift --gen js:node` (GEN_DIR); THRIFT_LIB=heddle switches only
// the requires. VARIANT=promise|callback picks the handler style; PORT, TRANSPORT, PROTOCOL as named.
const heddle = process.env.THRIFT_LIB === 'heddle';
const thrift = heddle ? require('heddle/thrift-compat') : require('thrift');
const idl = heddle && thrift.load(`${__dirname}/../../../interop/kitex-thrift-compat/calculator.thrift`);
const Calculator = heddle ? idl.Calculator : require(`${process.env.GEN_DIR}/Calculator`);
const ttypes = heddle ? idl.types : require(`${process.env.GEN_DIR}/calculator_types`);
const SharedStruct = heddle ? idl.includes.shared.types.SharedStruct : require(`${process.env.GEN_DIR}/shared_types`).SharedStruct;

const log = {};

function compute(work) {
  switch (work.op) {
    case ttypes.Operation.ADD: return work.num1 + work.num2;
    case ttypes.Operation.SUBTRACT: return work.num1 - work.num2;
    case ttypes.Operation.MULTIPLY: return work.num1 * work.num2;
    case ttypes.Operation.DIVIDE:
      if (work.num2 === 0) throw new ttypes.InvalidOperation({ whatOp: work.op, why: 'Cannot divide by 0' });
      return Math.trunc(work.num1 / work.num2);
    default:
      throw new ttypes.InvalidOperation({ whatOp: work.op, why: 'Invalid operation' });
  }
}

// async, so a throw is a rejection: the es6 generated processor calls a handler inside Promise.resolve().
const promiseHandler = {
  async ping() { console.log('ping()'); },
  async add(n1, n2) { console.log(`add(${n1}, ${n2})`); return n1 + n2; },
  async calculate(logid, work) {
    console.log(`calculate(${logid}, ${JSON.stringify(work)})`);
    const val = compute(work);
    log[logid] = new SharedStruct({ key: logid, value: String(val) });
    return val;
  },
  async getStruct(key) { console.log(`getStruct(${key})`); return log[key]; },
  async zip() { console.log('zip()'); },
};

const callbackHandler = {
  ping(result) { console.log('ping()'); result(null); },
  add(n1, n2, result) { console.log(`add(${n1}, ${n2})`); result(null, n1 + n2); },
  calculate(logid, work, result) {
    console.log(`calculate(${logid}, ${JSON.stringify(work)})`);
    let val;
    try { val = compute(work); } catch (x) { result(x); return; }
    log[logid] = new SharedStruct({ key: logid, value: String(val) });
    setTimeout(() => result(null, val), 5);
  },
  getStruct(key, result) { console.log(`getStruct(${key})`); result(null, log[key]); },
  zip() { console.log('zip()'); }, // oneway: the generated processor passes no callback
};

const options = {
  transport: process.env.TRANSPORT === 'framed' ? thrift.TFramedTransport : thrift.TBufferedTransport,
  protocol: process.env.PROTOCOL === 'compact' ? thrift.TCompactProtocol : thrift.TBinaryProtocol,
};
const server = thrift.createServer(Calculator, process.env.VARIANT === 'callback' ? callbackHandler : promiseHandler, options);
server.on('listening', () => console.log(`listening ${server.address().port}`));
server.listen(Number(process.env.PORT ?? 0));
