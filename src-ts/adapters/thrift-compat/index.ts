/**
 * heddle/thrift-compat: the `thrift` npm package's entry points and `thrift --gen js:node`'s
 * modules over heddle's run-time codecs and transports. Replace the generated requires with
 * `load()` and `require('thrift')` with this module:
 *
 * ```js
 * const thrift = require('heddle/thrift-compat');
 * const tutorial = thrift.load(__dirname + '/tutorial.thrift');
 * const Calculator = tutorial.Calculator;          // was require('./gen-nodejs/Calculator')
 * const ttypes = tutorial.types;                   // was require('./gen-nodejs/tutorial_types')
 * const connection = thrift.createConnection('localhost', 9090, { transport: thrift.TFramedTransport });
 * const client = thrift.createClient(Calculator, connection);
 * await client.add(1, 1);
 * ```
 */
import { Connection } from './connection.js';
import { TApplicationException, TApplicationExceptionType, TException } from './exceptions.js';
import { serviceInfoOf } from './service-module.js';

export { load, parse, modulesOf } from './load.js';
export type { CompatModule, ValueOptions } from './load.js';
export { createConnection, createUDSConnection, Connection } from './connection.js';
export type { ConnectionOptions } from './connection.js';
export { createServer, Server } from './server.js';
export type { ServerOptions } from './server.js';
export { GEN_NODEJS_VALUES, TBinaryProtocol, TBufferedTransport, TCompactProtocol, TFramedTransport } from './options.js';
export { TApplicationException, TApplicationExceptionType, TException } from './exceptions.js';
export type { ServiceModule } from './service-module.js';

/** The package's `Thrift` namespace object, as generated code imports it. */
export const Thrift = { TException, TApplicationException, TApplicationExceptionType };

/** `thrift.createClient(service, connection)`: a client of `service` whose calls go over `connection`. */
export function createClient(service: unknown, connection: Connection): Record<string, (...args: unknown[]) => any> {
  serviceInfoOf(service, 'createClient');
  if (!(connection instanceof Connection)) throw new TypeError('createClient: connection must come from createConnection');
  return new (service as { Client: new (c: Connection) => Record<string, (...args: unknown[]) => any> }).Client(connection);
}
