import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { native, nativeAddon } from '../../src-ts/native.js';

// Loads the addon in worker threads: each environment must get its own state, and the state must
// be freed (cleanup hook + finalizer) when the worker exits.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.path);
parentPort.postMessage({ id: addon.environmentId(), live: addon.liveEnvironments(), features: addon.cpuFeatures() });
`;

function runWorker(path: string): Promise<{ id: number; live: number; features: string[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, { eval: true, workerData: { path } });
    let message: { id: number; live: number; features: string[] } | undefined;
    worker.once('message', (m) => (message = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 && message ? resolve(message) : reject(new Error(`worker exit ${code}`))));
  });
}

describe.runIf(native.loaded)('native addon in worker threads', () => {
  it('gives each environment its own state and frees it when the worker exits', async () => {
    const addon = nativeAddon!;
    const mainId = addon.environmentId();
    const liveBefore = addon.liveEnvironments();
    const first = await runWorker(native.path!);
    expect(first.id).not.toBe(mainId);
    expect(first.live).toBe(liveBefore + 1);
    expect(first.features).toEqual([...native.features]);
    expect(addon.liveEnvironments()).toBe(liveBefore);
    // Loading twice at once (two workers) and again after exit keeps working.
    const [a, b] = await Promise.all([runWorker(native.path!), runWorker(native.path!)]);
    expect(new Set([mainId, first.id, a.id, b.id]).size).toBe(4);
    expect(addon.liveEnvironments()).toBe(liveBefore);
  });
});
