/**
 * `heddle call`: one RPC from the shell to any Kitex, Thrift or gRPC endpoint, as kitexcall and
 * grpcurl make them, with the IDL read at run time. The request is JSON (argument or stdin), the
 * reply is printed as JSON with 64-bit integers exact, and the exit status says what went wrong.
 */
import { readFileSync } from 'node:fs';
import { ErrorCode, HeddleError } from '../errors.js';
import { grpcStatusName, isGrpcStatusError } from '../grpc/status.js';
import { createClient } from '../rpc/client.js';
import type { GrpcMetadata } from '../grpc/index.js';
import { ThriftException } from '../thrift/exception.js';
import { buildRequest, findTarget, loadIdl, resolveAddress } from './call-target.js';
import { flagChoice, flagPairs, flagValue, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { parseJson, stringifyJson } from './json-text.js';
import { protobufReply } from './reply-values.js';

/** Exit statuses of `heddle call`. A gRPC status ends the command with 64 + its code, as grpcurl does. */
export const CallExit = {
  OK: 0,
  /** The call did not complete: connection refused or lost, timeout, bad frame, no instance. */
  TRANSPORT: 1,
  /** Bad flags, IDL, method or request JSON: nothing was sent. */
  USAGE: 2,
  /** The server answered with an exception the IDL declares; it is printed as JSON on stderr. */
  DECLARED_EXCEPTION: 3,
  /** The server answered with an application exception or a Kitex business status error. */
  REMOTE: 4,
  /** Added to a gRPC status code (1..16) for a call over gRPC that ends with that status. */
  GRPC_STATUS_BASE: 64,
} as const;

/** The text `heddle call --help` prints. */
export const CALL_USAGE = `usage: heddle call [flags] <address> <Service.method> [json]
       heddle call [flags] --resolver <url> --service-name <name> <Service.method> [json]

Calls one method of a Kitex, Thrift or gRPC service and prints the reply as JSON.
The request is the JSON argument (or -d), or stdin when it is '-' or absent ({} when stdin is empty).
Thrift: an object keyed by parameter name ({"req": {...}}), or the value of the only parameter.
Protobuf: the request message, lowerCamelCase or .proto field names; client and bidi streams
take an array of messages; well-known types (Timestamp, Duration, wrappers, Struct) take
ProtoJSON's forms. 64-bit integers are exact both ways; bytes are base64; enums take names or
numbers. <address> is host:port, tcp://host:port or unix:///path.sock.

flags:
  --idl <file>              Thrift IDL, .proto file or descriptor set (.pb, .protoset) that
                            declares the service (required)
  -I, --include <dir>       directory to search for includes/imports (repeatable)
  --transport <name>        ttheader (default), framed, buffered (Thrift only), grpc (.proto only);
                            a .proto service over ttheader/framed speaks Kitex Protobuf
  --protocol <name>         Thrift protocol: binary (default) or compact
  -d, --data <json|@file>   the request, instead of the json argument (@file reads a file)
  --meta <k=v>              transient metainfo, reaches the next hop (repeatable)
  --persist <k=v>           persistent metainfo, travels the whole call chain (repeatable)
  -H, --header <'k: v'>     gRPC request metadata (repeatable)
  --timeout <duration>      deadline of the call: 500ms, 2s or milliseconds (default 3s)
  --resolver <url>          find the service instead of an address: etcd://host:port (Kitex
                            registry-etcd format) or dns:// / dns://server:port
  --service-name <name>     the registered service name to resolve (with --resolver)
  -h, --help                print this text

exit status:
  0 reply printed    1 transport error (connect, timeout)    2 usage, IDL or JSON error
  3 declared exception (JSON on stderr)    4 application exception or business status
  64+N gRPC status N (e.g. 69 NOT_FOUND)

examples:
  heddle call 127.0.0.1:8888 EchoService.echo '{"req":{"msg":"hi"}}' --idl echo.thrift
  echo '{"msg":"hi"}' | heddle call 127.0.0.1:8888 EchoService.echo --idl echo.thrift --transport framed
  heddle call 127.0.0.1:8888 EchoService.echo '{"req":{"msg":"x"}}' --idl echo.thrift --meta tenant=acme
  heddle call 127.0.0.1:50051 echo.v1.Echo/Echo '{"msg":"hi"}' --idl echo.proto --transport grpc -H 'x-user: 7'
  heddle call --resolver etcd://127.0.0.1:2379 --service-name echo EchoService.echo '{"req":{}}' --idl echo.thrift`;

const FLAGS: FlagSpec[] = [
  { name: 'idl' },
  { name: 'include', short: 'I', repeat: true },
  { name: 'transport' },
  { name: 'protocol' },
  { name: 'meta', repeat: true },
  { name: 'persist', repeat: true },
  { name: 'header', short: 'H', repeat: true },
  { name: 'timeout' },
  { name: 'resolver' },
  { name: 'service-name' },
  { name: 'data', short: 'd' },
  { name: 'help', short: 'h', boolean: true },
];

/** Where `heddle call` reads and writes; the command line passes the process's streams. */
export interface CallIo {
  out(text: string): void;
  err(text: string): void;
  /** The whole of stdin, or undefined when stdin is a terminal. */
  stdin(): Promise<string | undefined>;
}

/** `--timeout` as milliseconds: `250ms`, `1.5s`, or a bare number of milliseconds. */
export function parseTimeout(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (match === null) throw new UsageError(`--timeout must be like 500ms, 2s or 1500; got '${text}'`);
  return Math.round(Number(match[1]) * (match[2] === 's' ? 1000 : 1));
}

/** Runs `heddle call` with `args`; resolves to the exit status. */
export async function runCall(args: readonly string[], io: CallIo): Promise<number> {
  let plan: Awaited<ReturnType<typeof prepare>>;
  try {
    const flags = parseFlags(args, FLAGS);
    if (flags.values.has('help')) {
      io.out(CALL_USAGE + '\n');
      return CallExit.OK;
    }
    plan = await prepare(flags, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`heddle call: ${error.message}\n(heddle call --help for usage)\n`);
      return CallExit.USAGE;
    }
    if (error instanceof HeddleError && error.code !== ErrorCode.ERR_NO_INSTANCE && error.code !== ErrorCode.ERR_DISCOVERY) {
      io.err(`heddle call: ${error.code}: ${error.message}\n`);
      return CallExit.USAGE;
    }
    return reportFailure(error, io);
  }
  try {
    await plan.run();
    return CallExit.OK;
  } catch (error) {
    return reportFailure(error, io);
  } finally {
    await plan.close();
  }
}

async function prepare(flags: ReturnType<typeof parseFlags>, io: CallIo) {
  const idlFile = flagValue(flags, 'idl');
  if (idlFile === undefined) throw new UsageError('--idl <file> is required');
  const resolver = flagValue(flags, 'resolver');
  const serviceName = flagValue(flags, 'service-name');
  if ((resolver === undefined) !== (serviceName === undefined)) throw new UsageError('--resolver and --service-name go together');
  const positional = [...flags.positional];
  const address = resolver === undefined ? positional.shift() : undefined;
  const methodName = positional.shift();
  if (methodName === undefined) throw new UsageError(resolver === undefined ? 'expected <address> <Service.method> [json]' : 'expected <Service.method> [json]');
  if (positional.length > 1) throw new UsageError(`unexpected argument '${positional[1]}'`);
  const transport = flagChoice(flags, 'transport', ['ttheader', 'framed', 'buffered', 'grpc'] as const, 'ttheader');
  const protocol = flagValue(flags, 'protocol') === undefined ? undefined : flagChoice(flags, 'protocol', ['binary', 'compact'] as const, 'binary');
  const timeoutText = flagValue(flags, 'timeout');
  const timeoutMs = timeoutText === undefined ? 3000 : parseTimeout(timeoutText);
  const transient = flagPairs(flags, 'meta', '=');
  const persistent = flagPairs(flags, 'persist', '=');
  const headers = flagPairs(flags, 'header', ':');
  if (headers !== undefined && transport !== 'grpc') throw new UsageError('-H sets gRPC metadata: use it with --transport grpc (--meta/--persist for TTHeader metainfo)');

  const idl = loadIdl(idlFile, flags.values.get('include') ?? []);
  const target = findTarget(idl, methodName);
  if (target.kind === 'thrift' && transport === 'grpc') throw new UsageError("--transport grpc carries Protobuf services: give a .proto --idl");
  if (target.kind === 'protobuf' && protocol !== undefined) throw new UsageError('--protocol applies to Thrift services');
  if (target.kind === 'protobuf' && target.streaming !== 'unary' && transport !== 'grpc') {
    throw new UsageError(`${methodName} is a ${target.streaming}-streaming method: call it with --transport grpc`);
  }

  const data = flagValue(flags, 'data');
  if (data !== undefined && positional[0] !== undefined) throw new UsageError('give the request once: as the json argument or with -d');
  const given = data ?? positional[0];
  let json: string;
  if (given === undefined || given === '-') json = ((await io.stdin()) ?? '').trim() || '{}';
  else if (given.startsWith('@')) json = readRequestFile(given.slice(1));
  else json = given;
  const request = buildRequest(target, parseJson(json));
  const where = address ?? (await resolveAddress(resolver!, serviceName!));
  const url = /^[a-z]+:\/\//.test(where) ? where : `tcp://${where}`;
  const metainfo = transient === undefined && persistent === undefined ? undefined : { ...(transient && { transient }), ...(persistent && { persistent }) };
  const common = { idl, service: target.service, address: url, timeoutMs, telemetry: false as const };
  // Protobuf replies print well-known types in their JSON form, as grpcurl does.
  const print = (reply: unknown) => io.out(stringifyJson(target.kind === 'protobuf' ? protobufReply(target.output, reply) : reply) + '\n');

  if (transport === 'grpc') {
    const client = createClient({ ...common, transport: 'grpc', ...(headers && { metadata: headers as GrpcMetadata }) });
    return {
      close: () => client.close(),
      run: async () => {
        const options = metainfo === undefined ? {} : { metainfo };
        if (target.kind === 'protobuf' && (target.streaming === 'server' || target.streaming === 'bidi')) {
          for await (const message of client.stream(target.method, request, options)) print(message);
        } else {
          print(await client.call(target.method, request, options));
        }
      },
    };
  }
  const client = createClient({ ...common, transport, ...(protocol && { protocol }) });
  return {
    close: () => client.close(),
    run: async () => {
      const result = await client.call(target.method, request as Record<string, unknown>, metainfo === undefined ? {} : { metainfo });
      print(result === undefined ? null : result);
    },
  };
}

/** The request JSON in file `path` (`-d @path`, as curl reads it). */
function readRequestFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the request from ${path}: ${(error as Error).message}`);
  }
}

/** Prints why the call failed and picks the exit status. */
function reportFailure(error: unknown, io: CallIo): number {
  if (error instanceof ThriftException) {
    io.err(stringifyJson({ exception: error.type, value: error.value }) + '\n');
    return CallExit.DECLARED_EXCEPTION;
  }
  if (isGrpcStatusError(error)) {
    io.err(`ERROR:\n  Code: ${grpcStatusName(error.grpcStatus)} (${error.grpcStatus})\n  Message: ${error.grpcMessage}\n`);
    return CallExit.GRPC_STATUS_BASE + error.grpcStatus;
  }
  if (error instanceof HeddleError) {
    io.err(`heddle call: ${error.code}: ${error.message}\n`);
    return error.code === ErrorCode.ERR_REMOTE || error.code === ErrorCode.ERR_BIZ_STATUS ? CallExit.REMOTE : CallExit.TRANSPORT;
  }
  io.err(`heddle call: ${error instanceof Error ? error.message : String(error)}\n`);
  return CallExit.TRANSPORT;
}
