// src-ts/shm/layout.ts mirrors src-native/shm/layout.h: every constant must match what the addon
// reports, and the values must be shmipc-go's (checked against its source in the comments).
import { describe, expect, it } from 'vitest';
import { ShmLayout } from '../../src-ts/shm/layout.js';
import { shmNative } from '../../src-ts/shm/native-shm.js';
import { NativeStatus } from '../../src-ts/shm/status.js';
import { nativeDisabled } from './helpers/runtime.js';

describe('shm layout', () => {
  it('has shmipc-go values', () => {
    expect(ShmLayout.controlHeaderSize).toBe(8);
    expect(ShmLayout.controlMagic).toBe(0x7758);
    expect(ShmLayout.sliceHeaderSize).toBe(20);  // cap 4 + size 4 + start 4 + next 4 + flag 4
    expect(ShmLayout.listHeaderSize).toBe(36);
    expect(ShmLayout.queueHeaderSize).toBe(24);
    expect(ShmLayout.queueElementSize).toBe(12);
    if (process.arch === 'x64') {
      expect([ShmLayout.queueHeadOffset, ShmLayout.queueTailOffset, ShmLayout.queueWorkingOffset]).toEqual([4, 12, 20]);
    }
  });

  it.skipIf(nativeDisabled || shmNative === undefined)('matches the addon, constant by constant', () => {
    const fromNative = shmNative!.shmLayout();
    const mirrored = ShmLayout as Record<string, number>;
    for (const [name, value] of Object.entries(fromNative)) expect(mirrored[name], name).toBe(value);
    // Every mirrored constant the addon knows about was compared.
    expect(Object.keys(fromNative).length).toBeGreaterThan(30);
  });

  it('status codes keep their meaning', () => {
    expect(NativeStatus.peerViolation).toBe(-1);
    expect(NativeStatus.connectionLost).toBe(-3);
    expect(NativeStatus.poolExhausted).toBe(1);
  });
});
