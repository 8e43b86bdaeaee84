import { describe, expect, it } from 'vitest';
import { ErrorCode, HeddleError } from '../../src-ts/errors.js';
import { Governor, refused, type AttemptWatcher, type InstanceChoice } from '../../src-ts/rpc/governed-call.js';
import { fakeTimers } from '../helpers/fake-timers.js';

// The governor around a sender that stands in for the instance picking of a discovery client:
// which instance each attempt went to is the sender's to say, and what the breakers hear must
// follow it even when attempts overlap (a backup request). Attempts and the backup delay run on
// one fake clock, so their order does not depend on how busy the machine is.

describe('Governor', () => {
  it('records each overlapping attempt against its own instance and runs its own settle hook once', async () => {
    const transitions: Array<{ level: string; key: string; to: string }> = [];
    const settledHooks: string[] = [];
    const plan: Array<{ address: string; afterMs: number; fails: boolean }> = [
      // The first try is slow and then loses its connection; the backup answers first.
      { address: 'tcp://10.0.0.1:1', afterMs: 200, fails: true },
      { address: 'tcp://10.0.0.2:1', afterMs: 10, fails: false },
    ];
    const timers = fakeTimers();
    const sleep = (ms: number) => new Promise<void>((resolve) => timers.setTimer(resolve, ms));
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
      timers,
    );
    let outcome: unknown;
    const call = governor.call('echo', {}, {}).then((value) => (outcome = value));
    // The backup goes at 40 ms and answers at 50 ms: the call is the backup's.
    await timers.advance(60);
    await call;
    expect(outcome).toBe('tcp://10.0.0.2:1');
    expect(sent).toBe(2);
    expect(transitions).toEqual([]);
    // The loser settles at 200 ms; its failure belongs to its own instance, not to the backup's.
    await timers.advance(200);
    expect(settledHooks.sort()).toEqual(['tcp://10.0.0.1:1', 'tcp://10.0.0.2:1']);
    expect(transitions).toEqual([{ level: 'instance', key: 'tcp://10.0.0.1:1', to: 'open' }]);
  });

  it('without a retry policy sends one attempt, and a refused service breaker fails fast without sending', async () => {
    let sent = 0;
    // A call of one attempt hands the sender a watcher, which the sender's client tells the
    // outcome before the attempt's promise settles: the breaker must already count it then.
    const sender = (_m: string, _r: Record<string, unknown>, _o: unknown, choice: InstanceChoice, watcher: AttemptWatcher | undefined): Promise<unknown> => {
      sent++;
      expect(watcher).toBeDefined();
      choice.chosen('tcp://10.0.0.3:1');
      return refused(new HeddleError(ErrorCode.ERR_TIMEOUT, 'slow'), watcher);
    };
    const governor = new Governor(undefined, { minSamples: 2, errorRate: 1, instance: false }, 'caller', 'callee', 3000, sender);
    const first = governor.call('echo', {}, {});
    const second = governor.call('echo', {}, {});
    // Both failures were heard as the attempts settled, before anyone awaited them.
    const third = governor.call('echo', {}, {});
    await expect(first).rejects.toMatchObject({ code: ErrorCode.ERR_TIMEOUT });
    await expect(second).rejects.toMatchObject({ code: ErrorCode.ERR_TIMEOUT });
    await expect(third).rejects.toMatchObject({ code: ErrorCode.ERR_CIRCUIT_OPEN });
    expect(sent).toBe(2);
  });
});
