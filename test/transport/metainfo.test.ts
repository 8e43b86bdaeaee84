import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { encodeFrame } from '../../src-ts/transport/frame-writer.js';
import { FrameReader } from '../../src-ts/transport/frame-reader.js';
import type { TTHeaderFrame } from '../../src-ts/transport/frame.js';
import { IntKey, intKeyName, MetaInfo, StrKey } from '../../src-ts/transport/metainfo.js';
import { metaInfoOf } from '../../src-ts/transport/ttheader.js';
import { echoCall } from './helpers/thrift-values.js';

describe('MetaInfo', () => {
  it('names every integer key Kitex defines, 0 through 27', () => {
    expect(intKeyName(0)).toBe('MeshVersion');
    expect(intKeyName(9)).toBe('ToMethod');
    expect(intKeyName(27)).toBe('FrameType');
    expect(intKeyName(28)).toBeUndefined();
    expect(Object.keys(IntKey)).toHaveLength(28);
  });

  it('reads and writes integer keys by name or number', () => {
    const meta = new MetaInfo().setInt('ToMethod', 'echo').setInt(IntKey.MsgType, '1').setInt(300, 'custom');
    expect(meta.intInfo).toEqual(new Map([[9, 'echo'], [22, '1'], [300, 'custom']]));
    expect(meta.getInt('ToMethod')).toBe('echo');
    expect(meta.getInt(22)).toBe('1');
    expect(meta.namedIntInfo()).toEqual({ ToMethod: 'echo', MsgType: '1', 300: 'custom' });
    expect(() => meta.setInt('NoSuchKey' as 'Env', 'x')).toThrow(HeddleError);
  });

  it('adds and strips the transient and persistent prefixes', () => {
    const meta = new MetaInfo().setTransient('trace', 't1').setPersistent('tenant', 'acme').set(StrKey.IDLServiceName, 'EchoService');
    expect([...meta.strInfo.keys()]).toEqual(['RPC_TRANSIT_trace', 'RPC_PERSIST_tenant', 'isn']);
    expect(meta.getTransient('trace')).toBe('t1');
    expect(meta.getPersistent('tenant')).toBe('acme');
    expect(meta.transient()).toEqual(new Map([['trace', 't1']]));
    expect(meta.persistent()).toEqual(new Map([['tenant', 'acme']]));
    expect(meta.get('isn')).toBe('EchoService');
  });

  it('sends backward values as plain reply keys, as Kitex servers do', () => {
    const reply = new MetaInfo().setBackward('served-by', 'node').set(StrKey.BizStatus, '0').setTransient('t', 'x');
    expect([...reply.strInfo.keys()]).toEqual(['served-by', 'biz-status', 'RPC_TRANSIT_t']);
    expect(reply.backward()).toEqual(new Map([['served-by', 'node'], ['biz-status', '0']]));
  });

  it('presents the ACL token as the transient value gdpr-token, and writes that key as the ACL block', () => {
    const meta = new MetaInfo().setTransient('gdpr-token', 'secret').setTransient('trace', 't1');
    const frame = encodeFrame({ kind: 'ttheader', header: { strInfo: meta.strInfo } }, echoCall('x'));
    const [decoded] = new FrameReader().push(frame) as [TTHeaderFrame];
    expect(decoded.header.aclToken).toBe('secret');
    expect([...decoded.header.strInfo.keys()]).toEqual(['RPC_TRANSIT_trace']);
    expect(metaInfoOf(decoded.header).transient()).toEqual(new Map([['trace', 't1'], ['gdpr-token', 'secret']]));
    expect(metaInfoOf(decoded.header).getTransient('gdpr-token')).toBe('secret');
  });

  it('travels in a TTHeader and comes back out of a decoded frame', () => {
    const meta = new MetaInfo().setInt('FromService', 'node-client').setPersistent('tenant', 'acme').setTransient('k', 'v');
    const frame = encodeFrame({ kind: 'ttheader', header: { seqId: 1, intInfo: meta.intInfo, strInfo: meta.strInfo } }, echoCall('x'));
    const [decoded] = new FrameReader().push(frame) as [TTHeaderFrame];
    const received = metaInfoOf(decoded.header);
    expect(received.getInt('FromService')).toBe('node-client');
    expect(received.persistent()).toEqual(new Map([['tenant', 'acme']]));
    expect(received.transient()).toEqual(new Map([['k', 'v']]));
  });
});
