const thrift = require('heddle/thrift-compat');   // was: require('thrift')

// Was: require('./gen-nodejs/Calculator') and require('./gen-nodejs/calculator_types').
const idl = thrift.parse(`
  enum Operation { ADD = 1, DIVIDE = 4 }
  struct Work { 1: i32 num1 = 0, 2: i32 num2, 3: Operation op }
  exception InvalidOperation { 1: i32 whatOp, 2: string why }
  service Calculator {
    i32 add(1: i32 num1, 2: i32 num2),
    i32 calculate(1: i32 logid, 2: Work w) throws (1: InvalidOperation ouch),
  }
`);
const Calculator = idl.Calculator;
const ttypes = idl.types;

const server = thrift.createServer(Calculator, {
  add: (a, b) => a + b,                                   // arity 2 = 2 arguments: promise style
  calculate(logid, w, result) {                           // one more: callback style
    if (w.op === ttypes.Operation.DIVIDE && w.num2 === 0) return result(new ttypes.InvalidOperation({ whatOp: w.op, why: 'Cannot divide by 0' }));
    result(null, w.op === ttypes.Operation.ADD ? w.num1 + w.num2 : Math.trunc(w.num1 / w.num2));
  },
}, { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol });

server.listen(0, '127.0.0.1', async () => {
  const connection = thrift.createConnection('127.0.0.1', server.address().port, {
    transport: thrift.TFramedTransport,          // the thrift package's own classes work too
    protocol: thrift.TBinaryProtocol,
    timeout: 1000,
  });
  connection.on('error', (err) => console.error(err));
  const client = thrift.createClient(Calculator, connection);
  console.log('1+1 =', await client.add(1, 1));
  client.calculate(1, new ttypes.Work({ num1: 1, num2: 0, op: ttypes.Operation.DIVIDE }), (err) => {
    console.log(err instanceof ttypes.InvalidOperation, err.name, err.why);
    connection.end();
    server.close();
  });
});
