// What the bench/gateway drivers share: one timed round of a transcoder call.

/** Calls per second of `fn` over about `seconds`, and the calls, wall and CPU time it took. */
export function timedRound(fn, seconds) {
  let n = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < until) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rate: n / elapsed, n, elapsed, cpu: (used.user + used.system) / 1e6 };
}
