import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discovery, ErrorCode } from '../../src-ts/index.js';
import { defaultHostIdentity, HOST_IDENTITY_FILES } from '../../src-ts/discovery/host-identity.js';
import { combineRatio, localShare, ShareSplitter } from '../../src-ts/discovery/merged-split.js';

describe('the whitepaper split', () => {
  it('K = R\'/R with R = m/n, R\' = m\'/n\'; all local up to K = 1.1, else local : remote = 1 : (K - 1)', () => {
    // 4 callers and 4 callees, one of each on this host: K = 1.
    expect(combineRatio({ callers: 4, localCallers: 1, callees: 4, localCallees: 1 })).toBe(1);
    expect(localShare({ callers: 4, localCallers: 1, callees: 4, localCallees: 1 })).toBe(1);
    // 20 callers, 10 callees; here 11 callers and 5 callees: K = (11/5)/(20/10) = 1.1, still all local.
    expect(combineRatio({ callers: 20, localCallers: 11, callees: 10, localCallees: 5 })).toBeCloseTo(1.1, 12);
    expect(localShare({ callers: 20, localCallers: 11, callees: 10, localCallees: 5 })).toBe(1);
    // Just above: 12 callers here: K = 1.2, local : remote = 1 : 0.2.
    expect(localShare({ callers: 20, localCallers: 12, callees: 10, localCallees: 5 })).toBeCloseTo(1 / 1.2, 12);
    // K = 3: a third local.
    expect(localShare({ callers: 4, localCallers: 3, callees: 4, localCallees: 1 })).toBeCloseTo(1 / 3, 12);
    // Few callers here and many callees: K < 1, all local.
    expect(localShare({ callers: 10, localCallers: 1, callees: 4, localCallees: 2 })).toBe(1);
  });

  it('sends nothing local without a local callee, and counts the caller itself at least once', () => {
    expect(localShare({ callers: 4, localCallers: 1, callees: 3, localCallees: 0 })).toBe(0);
    expect(combineRatio({ callers: 0, localCallers: 0, callees: 2, localCallees: 1 })).toBe(2);
  });

  it('the splitter matches its share to within one call on any run', () => {
    for (const share of [1, 0, 0.5, 1 / 3, 0.625, 0.9]) {
      const splitter = new ShareSplitter(share);
      let local = 0;
      for (let i = 1; i <= 1000; i++) {
        if (splitter.next()) local++;
        expect(Math.abs(local - i * share)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('a hash key always lands on the same side, and keys overall follow the share', () => {
    for (const share of [0.25, 0.5, 0.8]) {
      const splitter = new ShareSplitter(share);
      let local = 0;
      for (let k = 0; k < 4000; k++) {
        const key = `user-${k}`;
        const side = splitter.next(key);
        // Interleaved keyless calls move the credit, never a keyed call's side.
        splitter.next();
        expect(splitter.next(key)).toBe(side);
        if (side) local++;
      }
      expect(Math.abs(local / 4000 - share)).toBeLessThan(0.03);
    }
    expect(new ShareSplitter(1).next('k')).toBe(true);
    expect(new ShareSplitter(0).next('k')).toBe(false);
  });
});

describe('defaultHostIdentity', () => {
  it('takes the Kubernetes node name first, then a host IP, then the first file that names the host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-machine-id-'));
    const machineId = join(dir, 'machine-id');
    writeFileSync(machineId, 'abc123\n');
    try {
      expect(defaultHostIdentity({ KUBERNETES_NODE_NAME: 'node-7', NODE_NAME: 'other', HOST_IP: '10.0.0.3' }, [machineId])).toBe('node-7');
      expect(defaultHostIdentity({ MY_NODE_NAME: 'node-8', HOST_IP: '10.0.0.3' }, [machineId])).toBe('node-8');
      expect(defaultHostIdentity({ HOST_IP: '10.0.0.3' }, [machineId])).toBe('10.0.0.3');
      expect(defaultHostIdentity({ NODE_NAME: '  ' }, [join(dir, 'absent'), machineId])).toBe('abc123');
      expect(() => defaultHostIdentity({}, [join(dir, 'absent')])).toThrow(expect.objectContaining({ code: ErrorCode.ERR_DISCOVERY }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("reads the kernel's boot id before /etc/machine-id, which images copy between hosts", () => {
    expect(HOST_IDENTITY_FILES[0]).toBe('/proc/sys/kernel/random/boot_id');
    expect(defaultHostIdentity({})).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  });
});

describe('caller entries in etcd', () => {
  it("go under <prefix>-callers by default, and never under the prefix registry-etcd's resolver reads", () => {
    expect(discovery.etcd({ endpoints: ['127.0.0.1:1'] }).callerPrefix).toBe('kitex/registry-etcd-callers');
    expect(discovery.etcd({ endpoints: ['127.0.0.1:1'], prefix: 'team/reg' }).callerPrefix).toBe('team/reg-callers');
    for (const callerPrefix of ['kitex/registry-etcd/callers', 'kitex/registry-etcd', 'x/']) {
      expect(() => discovery.etcd({ endpoints: ['127.0.0.1:1'], callerPrefix })).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
    }
  });
});
