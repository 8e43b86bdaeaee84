import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { grpcEchoProtoPath, statusDetails } from './grpc-echo-fixture.js';

/** The echo service loaded the way grpc-js users load it: proto-loader, longs as strings. */
export const grpcJsEcho = (() => {
  const definition = protoLoader.loadSync(grpcEchoProtoPath, { longs: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { grpcecho: { v1: { Echo: grpc.ServiceClientConstructor } } };
  return loaded.grpcecho.v1.Echo;
})();

interface JsRequest {
  msg: string;
  count: number;
  sleepMs: number;
  status: number;
  blob: Buffer;
  id: string;
}

/** Calls the grpc-js server saw cancelled. */
export const grpcJsCancelled: string[] = [];

function sleep(ms: number, call: { cancelled: boolean; on(event: 'cancelled', f: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    call.on('cancelled', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function echoMetadata(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>): void {
  const md = new grpc.Metadata();
  const text = call.metadata.get('x-echo');
  const bin = call.metadata.get('x-echo-bin');
  if (text.length > 0) md.set('x-echo', text[0] as string);
  if (bin.length > 0) md.set('x-echo-bin', bin[0] as Buffer);
  call.sendMetadata(md);
}

function trailers(): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('x-trailer', 'done');
  return md;
}

function statusOf(req: JsRequest): grpc.ServiceError | undefined {
  if (req.status === 0) return undefined;
  const md = new grpc.Metadata();
  md.set('x-error', 'yes');
  md.set('grpc-status-details-bin', Buffer.from(statusDetails(req.status, req.msg)));
  return Object.assign(new Error(req.msg), { code: req.status, details: req.msg, metadata: md }) as grpc.ServiceError;
}

/** grpc-js's implementation of the echo service (the same behaviour as heddleEchoHandlers). */
export const grpcJsEchoImpl: grpc.UntypedServiceImplementation = {
  Unary: async (call: grpc.ServerUnaryCall<JsRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    call.on('cancelled', () => grpcJsCancelled.push('Unary'));
    echoMetadata(call);
    const req = call.request;
    if (req.sleepMs > 0) await sleep(req.sleepMs, call);
    const status = statusOf(req);
    if (status !== undefined) return callback(status);
    callback(null, { msg: req.msg, index: 0, blob: req.blob, id: req.id }, trailers());
  },
  ServerStream: async (call: grpc.ServerWritableStream<JsRequest, unknown>) => {
    call.on('cancelled', () => grpcJsCancelled.push('ServerStream'));
    echoMetadata(call);
    const req = call.request;
    for (let i = 0; i < req.count; i++) {
      if (req.sleepMs > 0) await sleep(req.sleepMs, call);
      if (call.cancelled) return;
      if (!call.write({ msg: req.msg, index: i, blob: req.blob, id: req.id })) await new Promise((resolve) => call.once('drain', resolve));
    }
    const status = statusOf(req);
    if (status !== undefined) return call.emit('error', status);
    call.end(trailers());
  },
  ClientStream: (call: grpc.ServerReadableStream<JsRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    call.on('cancelled', () => grpcJsCancelled.push('ClientStream'));
    echoMetadata(call);
    const msgs: string[] = [];
    let last: JsRequest | undefined;
    let failed = false;
    call.on('data', (req: JsRequest) => {
      if (failed) return;
      const status = statusOf(req);
      if (status !== undefined) {
        failed = true;
        return callback(status);
      }
      msgs.push(req.msg);
      last = req;
    });
    call.on('end', () => {
      if (!failed) callback(null, { msg: msgs.join(','), index: msgs.length, blob: last?.blob ?? Buffer.alloc(0), id: last?.id ?? '0' }, trailers());
    });
  },
  Bidi: (call: grpc.ServerDuplexStream<JsRequest, unknown>) => {
    call.on('cancelled', () => grpcJsCancelled.push('Bidi'));
    echoMetadata(call);
    let i = 0;
    call.on('data', (req: JsRequest) => {
      const status = statusOf(req);
      if (status !== undefined) return call.emit('error', status);
      call.write({ msg: req.msg, index: i++, blob: req.blob, id: req.id });
    });
    call.on('end', () => call.end(trailers()));
  },
};

/** Starts a grpc-js server with the echo service on 127.0.0.1 or a Unix socket path (cleartext
 * unless `credentials` say otherwise). */
export async function startGrpcJsServer(where = '127.0.0.1:0', options: grpc.ServerOptions = {}, credentials = grpc.ServerCredentials.createInsecure()): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server(options);
  server.addService(grpcJsEcho.service, grpcJsEchoImpl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(where.startsWith('/') ? `unix://${where}` : where, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: where.startsWith('/') ? `unix://${where}` : `tcp://127.0.0.1:${port}` };
}
