import type { Timers } from '../../src-ts/governance/index.js';

/** Timers on a fake clock: `advance(ms)` fires due timers in order. */
export function fakeTimers(): Timers & { advance(ms: number): Promise<void> } {
  let now = 0;
  let nextId = 0;
  const due: Array<{ id: number; at: number; fn: () => void }> = [];
  return {
    now: () => now,
    random: () => 0.5,
    setTimer(fn, ms) {
      const entry = { id: nextId++, at: now + ms, fn };
      due.push(entry);
      return () => {
        const i = due.indexOf(entry);
        if (i >= 0) due.splice(i, 1);
      };
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await flush();
        due.sort((a, b) => a.at - b.at || a.id - b.id);
        const next = due[0];
        if (next === undefined || next.at > end) break;
        due.shift();
        now = next.at;
        next.fn();
      }
      now = end;
      await flush();
    },
  };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
