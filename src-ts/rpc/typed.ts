/**
 * Static types for clients and servers of a service whose method map `heddle types` generated:
 * `rpc.createClient<EchoService>(...)` gives a client whose `call('echo', args)` checks the method
 * name, the arguments and the result; `rpc.createServer<EchoService>(...)` checks the handlers.
 * Without a type argument both stay as untyped as before.
 */
import type { GrpcCallOptions, GrpcResponseStream } from '../grpc/client.js';
import type { RpcContext } from './context.js';
import type { StreamingKind } from './binding.js';

/** One method as `heddle types` declares it: what goes out, what comes back, how they flow. */
export interface MethodTypes {
  /** Thrift: the arguments by parameter name; Protobuf: the request message. */
  request: unknown;
  /** Thrift: the return value (`undefined` for void); Protobuf: the response message. */
  response: unknown;
  streaming: StreamingKind;
  oneway: boolean;
  /** The declared exceptions' values (Thrift `throws`), `never` when there are none. */
  throws: unknown;
}

/** A service's method map, as `heddle types` declares it. */
export type ServiceTypes = { [method: string]: MethodTypes };

type MethodName<S> = Extract<keyof S, string>;
type Request<S, M extends keyof S> = S[M] extends MethodTypes ? S[M]['request'] : never;
type Response<S, M extends keyof S> = S[M] extends MethodTypes ? S[M]['response'] : never;
type Streaming<S, M extends keyof S> = S[M] extends MethodTypes ? S[M]['streaming'] : never;

/** What a call takes: the request, or for client and bidi streams an iterable of requests. */
export type CallRequest<S, M extends keyof S> = Streaming<S, M> extends 'client' | 'bidi' ? Iterable<Request<S, M>> | AsyncIterable<Request<S, M>> : Request<S, M>;

/** The request and options arguments: the request may be left out when it has no required field. */
type CallArgs<S, M extends keyof S, O> = {} extends CallRequest<S, M> ? [request?: CallRequest<S, M>, options?: O] : [request: CallRequest<S, M>, options?: O];

/** A client of `C`'s kind (RpcClient, DiscoveryClient) with `call` checked against `S`. */
export type TypedClient<C extends { call(...args: never[]): unknown }, S, O = Parameters<C['call']>[2]> = [S] extends [never]
  ? C
  : Omit<C, 'call'> & {
      call<M extends MethodName<S>>(method: M, ...args: CallArgs<S, M, O>): Promise<Response<S, M>>;
    };

/** A gRPC client with `call` and `stream` checked against `S`: server and bidi calls return streams. */
export type TypedGrpcClient<C, S> = [S] extends [never]
  ? C
  : Omit<C, 'call' | 'stream'> & {
      call<M extends MethodName<S>>(
        method: M,
        ...args: CallArgs<S, M, GrpcCallOptions>
      ): Streaming<S, M> extends 'server' | 'bidi' ? GrpcResponseStream<Response<S, M>> : Promise<Response<S, M>>;
      stream<M extends MethodName<S>>(method: M, ...args: CallArgs<S, M, GrpcCallOptions>): GrpcResponseStream<Response<S, M>>;
    };

type HandlerRequest<S, M extends keyof S> = Streaming<S, M> extends 'client' | 'bidi' ? AsyncIterable<Request<S, M>> : Request<S, M>;
type HandlerResult<S, M extends keyof S> = Streaming<S, M> extends 'server' | 'bidi'
  ? AsyncIterable<Response<S, M>> | Iterable<Response<S, M>>
  : Response<S, M> | Promise<Response<S, M>>;

/** Handlers of `S`: each takes the method's request (a stream of them for client and bidi
 * streaming) and returns its response (a stream of them for server and bidi streaming). */
export type TypedHandlers<S> = {
  [M in MethodName<S>]?: (request: HandlerRequest<S, M>, ctx: RpcContext) => HandlerResult<S, M>;
};
