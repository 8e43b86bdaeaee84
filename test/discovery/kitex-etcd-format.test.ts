import { describe, expect, it } from 'vitest';
import { discovery, ErrorCode } from '../../src-ts/index.js';
import { addressToRegister } from '../../src-ts/discovery/etcd.js';

describe("kitex-contrib/registry-etcd's format", () => {
  it('keys an instance as kitex/registry-etcd/<service>/<host>:<port>, without a leading slash', () => {
    expect(discovery.instanceKey(discovery.KITEX_ETCD_PREFIX, 'echo', '10.0.0.1:8888')).toBe('kitex/registry-etcd/echo/10.0.0.1:8888');
  });

  it("writes compact JSON in Go's field order, tags null when none", () => {
    expect(discovery.encodeInstanceValue('tcp', '10.0.0.1:8888', { weight: 10, tags: null })).toBe('{"network":"tcp","address":"10.0.0.1:8888","weight":10,"tags":null}');
    expect(discovery.encodeInstanceValue('tcp', '10.0.0.1:8888', { weight: 30, tags: { idc: 'hl', cluster: 'a' } })).toBe(
      '{"network":"tcp","address":"10.0.0.1:8888","weight":30,"tags":{"idc":"hl","cluster":"a"}}',
    );
  });

  it("reads values as registry-etcd's resolver does: a weight of 0, less or none becomes 10", () => {
    expect(discovery.decodeInstanceValue('{"network":"tcp","address":"10.0.0.1:8888","weight":30,"tags":{"idc":"hl"}}')).toEqual({
      network: 'tcp',
      address: '10.0.0.1:8888',
      weight: 30,
      tags: { idc: 'hl' },
    });
    expect(discovery.decodeInstanceValue('{"network":"tcp","address":"[::1]:80","weight":0,"tags":null}').weight).toBe(10);
    expect(discovery.decodeInstanceValue('{"network":"tcp","address":"h:80","weight":-3}').weight).toBe(10);
    expect(discovery.decodeInstanceValue('{"network":"tcp","address":"h:80"}')).toEqual({ network: 'tcp', address: 'h:80', weight: 10, tags: null });
  });

  it.each([
    ['not json', /^not JSON/],
    ['[1]', /^not a JSON object$/],
    ['{"network":"udp","address":"h:1"}', /^network "udp" is neither "tcp" nor "unix"$/],
    ['{"network":"tcp"}', /^no address string$/],
    ['{"network":"tcp","address":"nohost"}', /^address "nohost" is not host:port$/],
    ['{"network":"tcp","address":"h:1","weight":1.5}', /^weight 1.5 is not an integer$/],
    ['{"network":"tcp","address":"h:1","weight":"10"}', /^weight "10" is not an integer$/],
    ['{"network":"tcp","address":"h:1","tags":["a"]}', /^tags is neither null nor an object of strings$/],
  ])('rejects %s with a reason', (value, reason) => {
    expect(() => discovery.decodeInstanceValue(value)).toThrow(expect.objectContaining({ code: ErrorCode.ERR_BAD_VALUE, message: expect.stringMatching(reason) }));
  });

  it('registers the bound address, with KITEX_IP_TO_REGISTRY and KITEX_PORT_TO_REGISTRY overriding it', () => {
    expect(addressToRegister('127.0.0.1:8888', {})).toBe('127.0.0.1:8888');
    expect(addressToRegister('[::1]:8888', {})).toBe('[::1]:8888');
    expect(addressToRegister('127.0.0.1:8888', { KITEX_IP_TO_REGISTRY: '10.1.2.3' })).toBe('10.1.2.3:8888');
    expect(addressToRegister('[::]:8888', { KITEX_IP_TO_REGISTRY: '10.1.2.3', KITEX_PORT_TO_REGISTRY: '9999' })).toBe('10.1.2.3:9999');
    expect(() => addressToRegister('127.0.0.1:1', { KITEX_PORT_TO_REGISTRY: 'x' })).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
  });
});

describe('discovery.etcd options', () => {
  it('takes the lease TTL from KITEX_ETCD_REGISTRY_LEASE_TTL, else 60', () => {
    const saved = process.env.KITEX_ETCD_REGISTRY_LEASE_TTL;
    try {
      delete process.env.KITEX_ETCD_REGISTRY_LEASE_TTL;
      expect(discovery.etcd({ endpoints: ['127.0.0.1:2379'] }).leaseTtlSeconds).toBe(60);
      process.env.KITEX_ETCD_REGISTRY_LEASE_TTL = '15';
      expect(discovery.etcd({ endpoints: ['127.0.0.1:2379'] }).leaseTtlSeconds).toBe(15);
      expect(discovery.etcd({ endpoints: ['127.0.0.1:2379'], leaseTtlSeconds: 7 }).leaseTtlSeconds).toBe(7);
    } finally {
      if (saved === undefined) delete process.env.KITEX_ETCD_REGISTRY_LEASE_TTL;
      else process.env.KITEX_ETCD_REGISTRY_LEASE_TTL = saved;
    }
  });

  it('rejects bad endpoints, prefixes and TTLs with ERR_INVALID_ARGUMENT', () => {
    for (const bad of [{ endpoints: [] }, { endpoints: [''] }, { endpoints: ['h:1'], prefix: 'x/' }, { endpoints: ['h:1'], leaseTtlSeconds: 0 }]) {
      expect(() => discovery.etcd(bad as never)).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
    }
  });
});

describe('discovery.static', () => {
  it('resolves every service to its list, weights defaulting to 10', async () => {
    const resolver = discovery.static(['127.0.0.1:1', { address: '127.0.0.1:2', weight: 30, tags: { a: 'b' } }]);
    expect(await resolver.resolve('any')).toEqual([
      { network: 'tcp', address: '127.0.0.1:1', weight: 10, tags: null },
      { network: 'tcp', address: '127.0.0.1:2', weight: 30, tags: { a: 'b' } },
    ]);
  });

  it('rejects entries without an address or with a bad weight', () => {
    expect(() => discovery.static([{ address: '' }])).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
    expect(() => discovery.static([{ address: 'h:1', weight: 0 }])).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
  });
});
