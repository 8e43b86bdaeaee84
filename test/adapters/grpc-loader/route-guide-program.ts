import * as grpc from '@grpc/grpc-js';
import { PROTOS } from './helpers.js';

/**
 * A route guide server and client written the way grpc-node's route_guide example uses
 * proto-loader and grpc-js (one call of each streaming kind), and a helloworld greeter. Each side
 * loads its protos through the loader it is given; `run` returns what the client saw.
 */
export interface Loader {
  loadSync(file: string, options: object): object;
}

const OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

const FEATURES = [
  { name: 'Patriots Path, Mendham, NJ 07945, USA', location: { latitude: 407838351, longitude: -746143763 } },
  { name: '101 New Jersey 10, Whippany, NJ 07981, USA', location: { latitude: 408122808, longitude: -743999179 } },
  { name: '', location: { latitude: 416851321, longitude: -742674555 } },
  { name: '北京市朝阳区 — 測試', location: { latitude: 410248224, longitude: -747127767 } },
];

function routeGuideService(loader: Loader): any {
  const definition = loader.loadSync(`${PROTOS}/route_guide.proto`, OPTIONS);
  return (grpc.loadPackageDefinition(definition as grpc.GrpcObject & never) as any).routeguide;
}

function greeterService(loader: Loader): any {
  const definition = loader.loadSync(`${PROTOS}/helloworld.proto`, OPTIONS);
  return (grpc.loadPackageDefinition(definition as never) as any).helloworld;
}

const same = (a: any, b: any) => a.latitude === b.latitude && a.longitude === b.longitude;

function startServer(loader: Loader): Promise<{ server: grpc.Server; port: number }> {
  const routeguide = routeGuideService(loader);
  const helloworld = greeterService(loader);
  const server = new grpc.Server();
  server.addService(routeguide.RouteGuide.service, {
    getFeature(call: any, callback: any) {
      callback(null, FEATURES.find((f) => same(f.location, call.request)) ?? { name: '', location: call.request });
    },
    listFeatures(call: any) {
      const { lo, hi } = call.request;
      for (const f of FEATURES) {
        const { latitude, longitude } = f.location;
        if (latitude >= lo.latitude && latitude <= hi.latitude && longitude >= lo.longitude && longitude <= hi.longitude) call.write(f);
      }
      call.end();
    },
    recordRoute(call: any, callback: any) {
      let pointCount = 0, featureCount = 0, distance = 0, previous: any;
      call.on('data', (point: any) => {
        pointCount++;
        if (FEATURES.some((f) => f.name !== '' && same(f.location, point))) featureCount++;
        if (previous !== undefined) distance += Math.abs(point.latitude - previous.latitude) + Math.abs(point.longitude - previous.longitude);
        previous = point;
      });
      call.on('end', () => callback(null, { point_count: pointCount, feature_count: featureCount, distance: distance % 2 ** 31, elapsed_time: 0 }));
    },
    routeChat(call: any) {
      const notes: any[] = [];
      call.on('data', (note: any) => {
        for (const earlier of notes) if (same(earlier.location, note.location)) call.write(earlier);
        notes.push(note);
      });
      call.on('end', () => call.end());
    },
  });
  server.addService(helloworld.Greeter.service, {
    sayHello(call: any, callback: any) {
      callback(null, { message: `Hello ${call.request.name}` });
    },
    sayHelloStreamReply(call: any) {
      for (const greeting of ['Hello', 'Bonjour', '你好']) call.write({ message: `${greeting} ${call.request.name}` });
      call.end();
    },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve({ server, port })));
  });
}

function collect(stream: any): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const items: unknown[] = [];
    stream.on('data', (item: unknown) => items.push(item));
    stream.on('end', () => resolve(items));
    stream.on('error', reject);
  });
}

async function runClient(loader: Loader, port: number): Promise<Record<string, unknown>> {
  const routeguide = routeGuideService(loader);
  const helloworld = greeterService(loader);
  const client = new routeguide.RouteGuide(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const greeter = new helloworld.Greeter(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const unary = (c: any, method: string, request: unknown) =>
    new Promise((resolve, reject) => c[method](request, (error: unknown, reply: unknown) => (error ? reject(error) : resolve(reply))));
  try {
    const transcript: Record<string, unknown> = {};
    transcript.getFeature = await unary(client, 'getFeature', FEATURES[3]!.location);
    transcript.getMissing = await unary(client, 'getFeature', { latitude: 1, longitude: 2 });
    transcript.listFeatures = await collect(client.listFeatures({ lo: { latitude: 400000000, longitude: -750000000 }, hi: { latitude: 420000000, longitude: -730000000 } }));
    transcript.recordRoute = await new Promise((resolve, reject) => {
      const call = client.recordRoute((error: unknown, summary: unknown) => (error ? reject(error) : resolve(summary)));
      for (const f of [...FEATURES, FEATURES[0]!]) call.write(f.location);
      call.end();
    });
    const chat = client.routeChat();
    const replies = collect(chat);
    for (const [i, message] of ['First message', 'Second message', 'Third message', 'Fourth message'].entries()) {
      chat.write({ location: { latitude: i % 2, longitude: 1 }, message });
    }
    chat.end();
    transcript.routeChat = await replies;
    transcript.sayHello = await unary(greeter, 'sayHello', { name: 'world' });
    transcript.sayHelloStreamReply = await collect(greeter.sayHelloStreamReply({ name: 'heddle' }));
    return transcript;
  } finally {
    client.close();
    greeter.close();
  }
}

/** Runs every call with a server on `serverLoader` and a client on `clientLoader`. */
export async function run(serverLoader: Loader, clientLoader: Loader): Promise<Record<string, unknown>> {
  const { server, port } = await startServer(serverLoader);
  try {
    return await runClient(clientLoader, port);
  } finally {
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }
}
