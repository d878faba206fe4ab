import { describe, expect, it } from 'vitest';
import { InvalidEventError } from './errors';
import { IngestStats } from './ingest-stats';

describe('IngestStats', () => {
  it('counts per source and per field and keeps only the latest rejections', () => {
    const stats = new IngestStats(2);
    stats.accept('grpc', 10);
    stats.reject('grpc', [
      new InvalidEventError('price', -1, 'expected > 0'),
      new InvalidEventError('qty', 0, 'x'),
    ]);
    stats.reject('file:a', [new InvalidEventError('kind', 'x', 'unknown')]);
    stats.reject('file:a', [new InvalidEventError('ts', 1.5, 'expected an integer')]);
    const report = stats.report();
    expect(report.sources['grpc']).toEqual({
      accepted: 10,
      rejected: 1,
      rejectedByField: { price: 1, qty: 1 },
    });
    expect(report.sources['file:a']?.rejected).toBe(2);
    expect(report.recent.map((r) => r.error.field)).toEqual(['kind', 'ts']);
    expect(stats.rejectedTotal).toBe(3);
    expect(stats.acceptedTotal).toBe(10);
    stats.clear();
    expect(stats.report().sources).toEqual({});
  });

  it('renders huge or odd values briefly in messages', () => {
    const err = new InvalidEventError('venue', 'x'.repeat(1_000_000), 'too long', 'f:1');
    expect(err.message.length).toBeLessThan(300);
    expect(err.toJSON()).toMatchObject({ field: 'venue', location: 'f:1' });
    expect(new InvalidEventError('price', Number.NaN, 'r').message).toContain('NaN');
  });
});
