import { describe, expect, it } from 'vitest';
import { aTrade, at } from '../../test/stubs';
import { MarketStats } from './market-stats';

describe('MarketStats', () => {
  it('aggregates trades over the last seconds of event time', () => {
    const stats = new MarketStats();
    stats.addTrade(aTrade({ ts: at(0.1), price: 100, qty: 1 }));
    stats.addTrade(aTrade({ ts: at(0.7), price: 102, qty: 3 }));
    stats.addTrade(aTrade({ ts: at(2.2), price: 99, qty: 2 }));
    const all = stats.window(at(2.5), 3);
    expect(all).toMatchObject({ trades: 3, volume: 6, open: 100, close: 99, high: 102, low: 99 });
    expect(all.vwap).toBeCloseTo((100 + 306 + 198) / 6);
    expect(stats.window(at(2.5), 1)).toMatchObject({ trades: 1, volume: 2 });
    expect(stats.lastPrice).toBe(99);
  });

  it('forgets buckets older than a minute and skips quiet seconds', () => {
    const stats = new MarketStats();
    stats.addTrade(aTrade({ ts: at(0), qty: 5 }));
    stats.addTrade(aTrade({ ts: at(61), qty: 1 }));
    expect(stats.window(at(61), 60).volume).toBe(1);
    stats.addTrade(aTrade({ ts: at(200), qty: 2 }));
    expect(stats.window(at(200), 60)).toMatchObject({ trades: 1, volume: 2 });
    expect(stats.tradeCount).toBe(3);
    expect(stats.window(at(1000), 60).trades).toBe(0);
  });

  it('counts a late trade in the totals without moving the last price', () => {
    const stats = new MarketStats();
    stats.addTrade(aTrade({ ts: at(10), price: 100 }));
    stats.addTrade(aTrade({ ts: at(9), price: 90 }));
    expect(stats.lastPrice).toBe(100);
    expect(stats.window(at(10), 5).trades).toBe(2);
    stats.addTrade(aTrade({ ts: at(-100), price: 80 }));
    expect(stats.tradeCount).toBe(3);
    expect(stats.window(at(10), 60).trades).toBe(2);
  });
});
