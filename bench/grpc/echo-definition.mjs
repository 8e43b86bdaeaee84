// The echo service as grpc-js sees it, loaded by @grpc/proto-loader or heddle/grpc-loader with the
// legacy option set, so both processes of a pairing use the same loader.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as heddleLoaderPackage from '../../dist/adapters/grpc-loader/index.js';
import { baselinePath, LEGACY } from './codec.mjs';

const heddleLoader = heddleLoaderPackage.default ?? heddleLoaderPackage;
const echoPath = join(dirname(fileURLToPath(import.meta.url)), 'echo.proto');

/** @param {'proto-loader' | 'heddle'} loader */
export async function loadEcho(loader) {
  const options = { ...LEGACY, includeDirs: [dirname(baselinePath)] };
  const definition = loader === 'heddle' ? await heddleLoader.load(echoPath, options) : await protoLoader.load(echoPath, options);
  return grpc.loadPackageDefinition(definition);
}
