// bench/grpc: heddle/grpc-loader against @grpc/proto-loader. Serialize and deserialize per message
// (codec.mjs), then unary echo QPS through grpc-js client and server in separate processes
// (qps.mjs). See README.md for how to run and read it.
import { runCodec } from './codec.mjs';

/** @param {import('../harness.mjs').Bench} bench */
export async function run(bench) {
  const only = process.env.HEDDLE_BENCH_GRPC;
  if (only === undefined || only === 'codec') await runCodec(bench);
  if (only === undefined || only === 'qps') {
    const { runQps } = await import('./qps.mjs');
    await runQps(bench);
  }
}
