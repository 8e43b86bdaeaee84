// What the bench/rpc drivers share: servers in their own processes, and closed-loop callers.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

/** CPU time (µs, user + system) a process has used, from /proc (clock ticks, 10 ms each on Linux). */
export function processCpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * Starts `command args` and resolves once its stdout matches `ready` (whose first group is the
 * address it serves), to `{ address, pid, stop }`; `stop` closes its stdin and waits for it to exit.
 */
export function startProcess(command, args, ready = /READY (\S+)/, label = args[0]) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({ address: m[1], pid: child.pid, stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }) });
      }
    });
  });
}

/**
 * Runs `concurrency` callers of `call`: `warmMs` unmeasured, then `measureMs` measured. Returns
 * QPS over the measured wall time, latency percentiles in nanoseconds, and `gcShare`: the part of
 * the measured wall time this process spent in V8's collector pauses (scavenges, mark-compacts),
 * the usual source of a tail far above p50.
 */
export async function drive(call, concurrency, measureMs, warmMs = 0) {
  let stop = false;
  let measuring = false;
  const latencies = [];
  const worker = async () => {
    while (!stop) {
      const t0 = process.hrtime.bigint();
      await call();
      if (measuring) latencies.push(Number(process.hrtime.bigint() - t0));
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  if (warmMs > 0) await new Promise((r) => setTimeout(r, warmMs));
  const pauses = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  measuring = true;
  const start = process.hrtime.bigint();
  const windowStart = performance.now();
  await new Promise((r) => setTimeout(r, measureMs));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - start);
  const windowEnd = performance.now();
  stop = true;
  await Promise.all(workers);
  // Observers hear of pauses a turn late: the window's are all in by now.
  gcObserver.disconnect();
  let gcMs = 0;
  for (const pause of pauses) if (pause.startTime >= windowStart && pause.startTime < windowEnd) gcMs += pause.duration;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { qps: (latencies.length * 1e9) / elapsed, p50: at(0.5), p99: at(0.99), gcShare: (gcMs * 1e6) / elapsed };
}
