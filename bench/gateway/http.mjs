// End-to-end HTTP gateway: node:http in front of a heddle echo server (its own process), two
// gateways side by side in this process, driven by a load generator in a third process:
//   fromIDL:      gateway.fromIDL from api.* annotations: the JSON body transcoded straight to
//                 Thrift bytes, client.callRaw, the reply bytes transcoded to JSON (toJSON)
//   parse+encode: a hand-written handler: JSON.parse, the BFF's fix-ups (base64 to bytes, numbers
//                 to bigint; int64s past 2^53 already rounded), client.call, then JSON.stringify of
//                 the decoded reply (bigints as strings, bytes as base64)
// The bodies are e-commerce orders (bench/realistic: Chinese and mixed text, 100-long int64 lists,
// snowflake ids past 2^53, 256-byte thumbnails). Rounds alternate between the gateways; each row
// gives the median requests/s over the rounds, the sustained rate (all requests / all time), the
// gateway process's CPU time per request (user + system, GC threads included: the figure a loaded
// machine disturbs least) and the ratios.
// Run: npm run build && node bench/gateway/http.mjs [--seconds 2] [--rounds 5] [--concurrency 16]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { orders } from '../realistic/records.mjs';
import { realisticThrift } from '../realistic/rows.mjs';

const { thrift, rpc, gateway } = heddle;
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const role = process.argv.includes('--role') ? process.argv[process.argv.indexOf('--role') + 1] : 'gateway';

const IDL = `${readFileSync(realisticThrift, 'utf8')}
struct PlaceOrder {
  1: string shop (api.path = "shop")
  2: string token (api.header = "X-Token")
  3: Order order
}
service OrderGateway {
  Order place(1: PlaceOrder req) (api.post = "/v1/shops/:shop/orders")
}
`;
const doc = thrift.parse(IDL);

if (role === 'echo') {
  const server = rpc.createServer({ idl: doc, service: 'OrderGateway', handlers: { place: async ({ req }) => req.order } });
  await server.listen('tcp://127.0.0.1:0');
  process.send({ address: server.address });
  process.on('message', async () => {
    await server.close();
    process.exit(0);
  });
} else if (role === 'load') {
  // Keep-alive requests from `concurrency` workers for `seconds`; every response must be 200.
  process.on('message', async ({ port, path, headers, body: base64, seconds, concurrency, done }) => {
    if (done) process.exit(0);
    const body = Buffer.from(base64, 'base64');
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    let ok = 0;
    let failed = 0;
    const start = process.hrtime.bigint();
    const until = start + BigInt(Math.round(seconds * 1e9));
    const one = () =>
      new Promise((resolve) => {
        const req = http.request({ port, host: '127.0.0.1', path, method: 'POST', headers: { ...headers, 'content-length': body.length }, agent }, (res) => {
          res.on('data', () => {});
          res.on('end', () => {
            if (res.statusCode === 200) ok++;
            else failed++;
            resolve();
          });
        });
        req.on('error', () => {
          failed++;
          resolve();
        });
        req.end(body);
      });
    const worker = async () => {
      while (process.hrtime.bigint() < until) await one();
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    agent.destroy();
    process.send({ ok, failed, elapsed: Number(process.hrtime.bigint() - start) / 1e9 });
  });
} else {
  await main();
}

async function main() {
  const seconds = arg('--seconds', 2);
  const rounds = arg('--rounds', 5);
  const concurrency = arg('--concurrency', 16);
  const self = fileURLToPath(import.meta.url);
  const echo = fork(self, ['--role', 'echo']);
  const [{ address }] = await once(echo, 'message');
  const load = fork(self, ['--role', 'load']);

  const client = rpc.createClient({ idl: doc, service: 'OrderGateway', address });
  const transcoding = gateway.fromIDL({ idl: doc, service: 'OrderGateway', client, maxBodySize: 1 << 20 });
  const parseAndEncode = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let order;
      try {
        order = fixOrder(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: String(error) }));
        return;
      }
      const shop = decodeURIComponent(req.url.split('/')[3]);
      client.call('place', { req: { shop, token: req.headers['x-token'], order } }).then(
        (reply) => {
          const body = JSON.stringify(reply, (_, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.end(body);
        },
        (error) => {
          res.statusCode = 500;
          res.end(JSON.stringify({ error: String(error) }));
        },
      );
    });
  };
  const gateways = [
    { name: 'fromIDL', handler: transcoding },
    { name: 'parse+encode', handler: parseAndEncode },
  ];
  for (const g of gateways) {
    g.server = http.createServer({ keepAliveTimeout: 30_000 }, g.handler);
    g.server.listen(0, '127.0.0.1');
    await once(g.server, 'listening');
    g.port = g.server.address().port;
  }

  const orderCodec = doc.codec('Order');
  const records = orders(40);
  const sized = records.map((o) => ({ o, json: orderCodec.toJSON(orderCodec.encode(o)) })).sort((a, b) => a.json.length - b.json.length);
  const bodies = [
    { name: 'Order small', json: sized[2].json },
    { name: 'Order median', json: sized[20].json },
    { name: 'Order large', json: sized[sized.length - 1].json },
  ];
  // Both gateways must answer every body with the same order before anything is timed.
  for (const b of bodies) {
    b.request = Buffer.concat([Buffer.from('{"order":'), b.json, Buffer.from('}')]);
    const answers = [];
    for (const g of gateways) {
      const res = await fetch(`http://127.0.0.1:${g.port}/v1/shops/%E6%97%97%E8%88%B0%E5%BA%97/orders`, { method: 'POST', headers: { 'x-token': 'tk-1' }, body: b.request });
      if (res.status !== 200) throw new Error(`${g.name} answered ${res.status}: ${await res.text()}`);
      answers.push(await res.text());
    }
    const [viaIdl, viaParse] = answers.map((text) => JSON.parse(text, (_, v) => v));
    if (viaIdl.orderId === undefined || String(viaIdl.items.length) !== String(viaParse.items.length) || viaIdl.buyerNote !== viaParse.buyerNote) {
      throw new Error(`the gateways disagree on ${b.name}`);
    }
  }

  // Warm up both gateways, the client's connections and the JIT before the timed rounds.
  for (const b of bodies) {
    for (const g of gateways) {
      load.send({ port: g.port, path: '/v1/shops/%E6%97%97%E8%88%B0%E5%BA%97/orders', headers: { 'x-token': 'tk-1', 'content-type': 'application/json' }, body: b.request.toString('base64'), seconds: Math.min(seconds, 1), concurrency });
      await once(load, 'message');
    }
  }
  const loads = [];
  const results = new Map(bodies.flatMap((b) => gateways.map((g) => [`${b.name}|${g.name}`, { rates: [], ok: 0, elapsed: 0, cpu: 0, failed: 0 }])));
  for (let round = 0; round < rounds; round++) {
    for (const b of bodies) {
      const order = round % 2 === 0 ? gateways : [...gateways].reverse();
      for (const g of order) {
        const cpu = process.cpuUsage();
        load.send({ port: g.port, path: '/v1/shops/%E6%97%97%E8%88%B0%E5%BA%97/orders', headers: { 'x-token': 'tk-1', 'content-type': 'application/json' }, body: b.request.toString('base64'), seconds, concurrency });
        const [outcome] = await once(load, 'message');
        const used = process.cpuUsage(cpu);
        const r = results.get(`${b.name}|${g.name}`);
        r.rates.push(outcome.ok / outcome.elapsed);
        r.ok += outcome.ok;
        r.failed += outcome.failed;
        r.elapsed += outcome.elapsed;
        r.cpu += (used.user + used.system) / 1e6;
      }
    }
    loads.push(loadavg()[0].toFixed(2));
  }

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const k = (x) => (x >= 10_000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
  console.log(`node ${process.version}, ${rounds} alternating rounds of ${seconds}s per gateway and body, ${concurrency} keep-alive connections; echo server and load generator in their own processes`);
  console.log('req/s: median of rounds and sustained (all requests / all time); CPU: this process (both gateways, one running at a time) per request');
  console.log(`${'body'.padEnd(14)} ${'JSON B'.padStart(7)} | ${'fromIDL req/s'.padStart(13)} ${'sust.'.padStart(7)} ${'µs CPU'.padStart(7)} | ${'parse req/s'.padStart(11)} ${'sust.'.padStart(7)} ${'µs CPU'.padStart(7)} | ${'req/s x'.padStart(7)} ${'CPU x'.padStart(6)}`);
  for (const b of bodies) {
    const a = results.get(`${b.name}|fromIDL`);
    const p = results.get(`${b.name}|parse+encode`);
    const cpuA = (a.cpu / a.ok) * 1e6;
    const cpuP = (p.cpu / p.ok) * 1e6;
    console.log(
      `${b.name.padEnd(14)} ${String(b.request.length).padStart(7)} | ${k(median(a.rates)).padStart(13)} ${k(a.ok / a.elapsed).padStart(7)} ${cpuA.toFixed(0).padStart(7)} | ${k(median(p.rates)).padStart(11)} ${k(p.ok / p.elapsed).padStart(7)} ${cpuP.toFixed(0).padStart(7)} | ${(median(a.rates) / median(p.rates)).toFixed(2).padStart(6)}x ${(cpuP / cpuA).toFixed(2).padStart(5)}x` +
        (a.failed + p.failed > 0 ? `  (${a.failed + p.failed} failed)` : ''),
    );
  }
  console.log(`load average (1 min) after each round: ${loads.join(' ')}`);

  load.send({ done: true });
  echo.send({ done: true });
  for (const g of gateways) g.server.close();
  await client.close();
}

/** What a BFF does after JSON.parse for heddle's encode: base64 to bytes, numbers to bigint. */
function fixOrder(body) {
  const o = body.order;
  const big = (n) => BigInt(Math.trunc(Number(n)));
  o.orderId = big(o.orderId);
  o.buyerId = big(o.buyerId);
  o.totalCents = big(o.totalCents);
  o.createdAt = big(o.createdAt);
  o.priceHistory = o.priceHistory.map(big);
  o.signature = Buffer.from(o.signature, 'base64');
  for (const it of o.items) {
    it.skuId = big(it.skuId);
    it.priceCents = big(it.priceCents);
    it.thumbnail = Buffer.from(it.thumbnail, 'base64');
  }
  return o;
}
