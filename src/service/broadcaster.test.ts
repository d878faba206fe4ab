import { describe, expect, it } from 'vitest';
import { Broadcaster } from './broadcaster';

describe('Broadcaster', () => {
  it('delivers published items to each subscriber in order, filtered', async () => {
    const b = new Broadcaster<number>();
    const all = b.subscribe();
    const even = b.subscribe({ filter: (n) => n % 2 === 0 });
    for (let i = 1; i <= 4; i++) b.publish(i);
    const take = async (sub: AsyncIterator<number>, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await sub.next()).value as number);
      return out;
    };
    expect(await take(all, 4)).toEqual([1, 2, 3, 4]);
    expect(await take(even, 2)).toEqual([2, 4]);
  });

  it('drops the oldest items of a subscriber that does not read, and counts them', () => {
    const b = new Broadcaster<number>();
    const slow = b.subscribe({ capacity: 3 });
    const fast = b.subscribe({ capacity: 100 });
    for (let i = 1; i <= 10; i++) b.publish(i);
    expect(slow.dropped).toBe(7);
    expect(slow.buffered).toBe(3);
    expect([slow.poll(), slow.poll(), slow.poll(), slow.poll()]).toEqual([8, 9, 10, undefined]);
    expect(fast.dropped).toBe(0);
    expect(b.dropped).toBe(7);
  });

  it('resolves a waiting reader on publish and ends it on close', async () => {
    const b = new Broadcaster<string>();
    const sub = b.subscribe();
    const pending = sub.next();
    b.publish('x');
    expect(await pending).toEqual({ value: 'x', done: false });
    const waiting = sub.next();
    sub.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(b.subscriberCount).toBe(0);
    b.publish('y');
    expect(sub.buffered).toBe(0);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new Broadcaster().subscribe({ capacity: 0 })).toThrow(/capacity/);
  });
});
