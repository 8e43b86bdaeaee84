// What one crossing of the Node-API boundary costs, next to a plain JS call. This is the floor
// every native kernel has to beat, and why per-field work stays in generated JavaScript.
import heddle from '../../dist/index.js';
import { nativeAddon } from '../../dist/native.js';

export async function run(bench) {
  if (!heddle.native.loaded) {
    process.stderr.write(`native-boundary: skipped, addon not loaded (${heddle.native.reason})\n`);
    return;
  }
  let counter = 0;
  const jsTwin = () => ++counter;
  await bench.compare('empty call: native vs JS function', {
    native: () => nativeAddon.environmentId(),
    js: jsTwin,
  });
}
