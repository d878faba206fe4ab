import { describe, expect, it } from 'vitest';
import { fnv1a32, partitionOf, stableId } from './ids';
import { formatDurationUs, formatTs } from './time';

describe('ids', () => {
  it('computes FNV-1a 32 as published (test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('partitions instruments stably into range', () => {
    for (const s of ['BTC-USDT', 'ETH-USDT', 'PEPE-USDT']) {
      const p = partitionOf(s, 4);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(4);
      expect(partitionOf(s, 4)).toBe(p);
    }
  });

  it('derives ids from content only, separating parts unambiguously', () => {
    expect(stableId('C-', ['spoofing', 'BTC', 1])).toBe(stableId('C-', ['spoofing', 'BTC', 1]));
    expect(stableId('C-', ['ab', 'c'])).not.toBe(stableId('C-', ['a', 'bc']));
    expect(stableId('C-', ['x'], 8)).toMatch(/^C-[0-9a-f]{8}$/);
  });
});

describe('time', () => {
  it('formats epoch microseconds as ISO-8601 with microseconds', () => {
    expect(formatTs(1_700_000_000_123_456)).toBe('2023-11-14T22:13:20.123456Z');
    expect(formatTs(0)).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('formats durations with a unit', () => {
    expect(formatDurationUs(850)).toBe('850 µs');
    expect(formatDurationUs(12_500)).toBe('12.5 ms');
    expect(formatDurationUs(1_800_000)).toBe('1.80 s');
    expect(formatDurationUs(180_000_000)).toBe('3.0 min');
  });
});
