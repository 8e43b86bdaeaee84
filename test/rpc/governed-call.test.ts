import { describe, expect, it } from 'vitest';
import { ErrorCode, HeddleError } from '../../src-ts/errors.js';
import { Governor, type InstanceChoice } from '../../src-ts/rpc/governed-call.js';

// The governor around a sender that stands in for the instance picking of a discovery client:
// which instance each attempt went to is the sender's to say, and what the breakers hear must
// follow it even when attempts overlap (a backup request).
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Governor', () => {
  it('records each overlapping attempt against its own instance and runs its own settle hook once', async () => {
    const transitions: Array<{ level: string; key: string; to: string }> = [];
    const settledHooks: string[] = [];
    const plan: Array<{ address: string; afterMs: number; fails: boolean }> = [
      // The first try is slow and then loses its connection; the backup answers first.
      { address: 'tcp://10.0.0.1:1', afterMs: 200, fails: true },
      { address: 'tcp://10.0.0.2:1', afterMs: 10, fails: false },
    ];
    let sent = 0;
    const sender = (_method: string, _request: Record<string, unknown>, _options: unknown, choice: InstanceChoice): Promise<unknown> => {
      const step = plan[sent++]!;
      choice.chosen(step.address, () => settledHooks.push(step.address));
      return sleep(step.afterMs).then(() => {
        if (step.fails) throw new HeddleError(ErrorCode.ERR_CONNECTION, `lost ${step.address}`);
        return step.address;
      });
    };
    const governor = new Governor(
      { type: 'backup', delayMs: 40 },
      { service: false, minSamples: 1, errorRate: 0.5, onStateChange: (t) => transitions.push({ level: t.level, key: t.key, to: t.to }) },
      'caller',
      'callee',
      3000,
      sender,
    );
    expect(await governor.call('echo', {}, {})).toBe('tcp://10.0.0.2:1');
    expect(sent).toBe(2);
    // The loser settles later; its failure belongs to its own instance, not to the backup's.
    await sleep(300);
    expect(settledHooks.sort()).toEqual(['tcp://10.0.0.1:1', 'tcp://10.0.0.2:1']);
    expect(transitions).toEqual([{ level: 'instance', key: 'tcp://10.0.0.1:1', to: 'open' }]);
  });

  it('without a retry policy sends one attempt, and a refused service breaker fails fast without sending', async () => {
    let sent = 0;
    const sender = (_m: string, _r: Record<string, unknown>, _o: unknown, choice: InstanceChoice): Promise<unknown> => {
      sent++;
      choice.chosen('tcp://10.0.0.3:1');
      return Promise.reject(new HeddleError(ErrorCode.ERR_TIMEOUT, 'slow'));
    };
    const governor = new Governor(undefined, { minSamples: 2, errorRate: 1, instance: false }, 'caller', 'callee', 3000, sender);
    for (let i = 0; i < 2; i++) await expect(governor.call('echo', {}, {})).rejects.toMatchObject({ code: ErrorCode.ERR_TIMEOUT });
    await expect(governor.call('echo', {}, {})).rejects.toMatchObject({ code: ErrorCode.ERR_CIRCUIT_OPEN });
    expect(sent).toBe(2);
  });
});
