import { closeSync } from 'node:fs';
import net from 'node:net';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { native, nativeAddon } from '../../src-ts/native.js';

// src-native/io/reuse_port.cc: listening sockets that share a port, one per worker thread.
describe.runIf(native.loaded)('listenReusePort', () => {
  const listen = (host: string, port: number) => nativeAddon!.listenReusePort!(host, port, 64);

  it('binds several listening sockets to one port, and the kernel hands connections to each', async () => {
    const [first, port] = listen('127.0.0.1', 0);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(port).toBeGreaterThan(0);
    const [second, samePort] = listen('127.0.0.1', port);
    expect(second).toBeGreaterThanOrEqual(0);
    expect(samePort).toBe(port);
    // Node's net.Server adopts each descriptor (and closes it on close), as a worker does.
    const accepted = [0, 0];
    const servers = [first, second].map((fd, i) => net.createServer((socket) => (accepted[i]!++, socket.end(String(i)))).listen({ fd }));
    try {
      const replies = await Promise.all(
        Array.from({ length: 40 }, () => new Promise<string>((resolve, reject) => {
          let data = '';
          net.connect(port, '127.0.0.1').on('data', (d) => (data += d)).on('end', () => resolve(data)).on('error', reject);
        })),
      );
      expect(replies.filter((r) => r === '0').length).toBe(accepted[0]);
      expect(replies.filter((r) => r === '1').length).toBe(accepted[1]);
      // 40 connections hashed over two sockets: all on one has probability 2^-39.
      expect(accepted[0]).toBeGreaterThan(0);
      expect(accepted[1]).toBeGreaterThan(0);
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it('binds IPv6 literals', () => {
    const [fd, port] = listen('::1', 0);
    if (fd === -constants.errno.EADDRNOTAVAIL || fd === -constants.errno.EAFNOSUPPORT) return; // no IPv6 loopback on this host
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(port).toBeGreaterThan(0);
    closeSync(fd);
  });

  it('returns -errno, not a descriptor, for what it cannot bind', () => {
    expect(listen('localhost', 0)).toEqual([-constants.errno.EINVAL, 0]); // names are resolved in TypeScript
    expect(listen('not an address', 0)).toEqual([-constants.errno.EINVAL, 0]);
    expect(listen('192.0.2.1', 0)).toEqual([-constants.errno.EADDRNOTAVAIL, 0]); // not this host's
    // A port held by a socket without SO_REUSEPORT cannot be shared.
    const plain = net.createServer();
    return new Promise<void>((resolve) => {
      plain.listen(0, '127.0.0.1', () => {
        const { port } = plain.address() as net.AddressInfo;
        expect(listen('127.0.0.1', port)).toEqual([-constants.errno.EADDRINUSE, 0]);
        plain.close(() => resolve());
      });
    });
  });

  it('checks its arguments', () => {
    expect(() => (nativeAddon!.listenReusePort as unknown as (...a: unknown[]) => unknown)(1, 0, 1)).toThrow(TypeError);
    expect(() => listen('127.0.0.1', 65536)).toThrow(RangeError);
    expect(() => nativeAddon!.listenReusePort!('127.0.0.1', 0, 0)).toThrow(RangeError);
  });
});
