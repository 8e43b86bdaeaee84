// A Calculator client in the shape of Apache Thrift's Node tutorial (see calculator-server.js for
// the environment). VARIANT=promise awaits each call, VARIANT=callback nests callbacks.
const heddle = process.env.THRIFT_LIB === 'heddle';
const thrift = heddle ? require('heddle/thrift-compat') : require('thrift');
const idl = heddle && thrift.load(`${__dirname}/../../../interop/kitex-thrift-compat/calculator.thrift`);
const Calculator = heddle ? idl.Calculator : require(`${process.env.GEN_DIR}/Calculator`);
const ttypes = heddle ? idl.types : require(`${process.env.GEN_DIR}/calculator_types`);

const transports = { framed: thrift.TFramedTransport, buffered: thrift.TBufferedTransport, ttheader: 'ttheader' };
const connection = thrift.createConnection('127.0.0.1', Number(process.env.PORT), {
  transport: transports[process.env.TRANSPORT ?? 'buffered'],
  protocol: process.env.PROTOCOL === 'compact' ? thrift.TCompactProtocol : thrift.TBinaryProtocol,
});
connection.on('error', (err) => { console.log(`connection error: ${err.message}`); process.exitCode = 1; });
const client = thrift.createClient(Calculator, connection);

console.log(`INT32CONSTANT=${ttypes.INT32CONSTANT} MAPCONSTANT=${JSON.stringify(ttypes.MAPCONSTANT)} BIGCONSTANT=${ttypes.BIGCONSTANT.toOctetString()}`);
console.log(`Operation=${JSON.stringify(ttypes.Operation)} new Work()=${JSON.stringify(new ttypes.Work())}`);
const describe = (err) => `${err.name}: whatOp=${err.whatOp} why=${err.why} instanceof=${err instanceof ttypes.InvalidOperation} isError=${err instanceof Error}`;

function divide() {
  const work = new ttypes.Work();
  work.op = ttypes.Operation.DIVIDE;
  work.num1 = 1;
  work.num2 = 0;
  return work;
}

function subtract() {
  return new ttypes.Work({ op: ttypes.Operation.SUBTRACT, num1: 15, num2: 10, comment: 'fifteen minus ten' });
}

async function promiseVariant() {
  await client.ping();
  console.log('ping()');
  console.log(`1+1=${await client.add(1, 1)}`);
  try {
    await client.calculate(1, divide());
    console.log('Whoa? You know how to divide by zero?');
  } catch (err) {
    console.log(`InvalidOperation ${describe(err)}`);
  }
  console.log(`15-10=${await client.calculate(1, subtract())}`);
  const struct = await client.getStruct(1);
  console.log(`Check log: ${struct.value} ${JSON.stringify(struct)}`);
  await client.zip();
  console.log('zip sent');
  connection.end();
}

function callbackVariant() {
  client.ping((err) => {
    console.log('ping()');
    client.add(1, 1, (err, sum) => {
      console.log(`1+1=${sum}`);
      client.calculate(1, divide(), (err, message) => {
        if (err) console.log(`InvalidOperation ${describe(err)}`);
        else console.log('Whoa? You know how to divide by zero?');
        client.calculate(1, subtract(), (err, diff) => {
          console.log(`15-10=${diff}`);
          client.getStruct(1, (err, struct) => {
            console.log(`Check log: ${struct.value} ${JSON.stringify(struct)}`);
            client.zip((err) => {
              console.log('zip sent');
              connection.end();
            });
          });
        });
      });
    });
  });
}

connection.on('connect', () => console.log('connected'));
if (process.env.VARIANT === 'callback') callbackVariant();
else promiseVariant().catch((err) => { console.log(`failed: ${err.stack}`); process.exitCode = 1; });
