import { beforeEach, describe, expect, it } from 'vitest';
import { aSwap, aTrade, at, resetIds, STUB_POOL } from '../../test/stubs';
import { parseConfigText } from '../config';
import type { Side, Trade } from '../core/events';
import type { Signal } from '../core/signal';
import { createEngine } from '../engine/engine';
import { DexSandwichConfig, dexSandwich } from './dex-sandwich';

const VENUE = `eth:${STUB_POOL}`;

/** A swap of `wallet` against the pool, one block per second of event time. */
function swap(
  wallet: string,
  side: Side,
  qty: number,
  price: number,
  block: number,
  logIndex: number,
): Trade {
  return aSwap(wallet, side, { ts: at(block - 100), qty, price, block, logIndex });
}

function run(events: Trade[], owners: Record<string, string> = {}, config = {}): Signal[] {
  const engine = createEngine({ detectors: [dexSandwich(config)], owners });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  engine.processBatch(events);
  engine.flush();
  return signals;
}

describe('dex-sandwich', () => {
  beforeEach(() => resetIds());

  it('flags a wallet that buys before a victim buy and sells right after it, at a profit', () => {
    const signals = run([
      swap('0xattacker', 'buy', 10, 3000, 101, 0),
      swap('0xvictim', 'buy', 40, 3012, 101, 1),
      swap('0xattacker', 'sell', 10, 3018, 101, 2),
      swap('0xarb', 'sell', 3, 3004, 101, 3),
    ]);
    expect(signals).toHaveLength(1);
    const s = signals[0] as Signal;
    expect(s.typology).toBe('dex_sandwich');
    expect(s.venue).toBe(VENUE);
    expect(s.accounts).toEqual(['0xattacker', '0xvictim']);
    expect(s.metrics).toMatchObject({ block: 101, victims: 1, victimQty: 40, frontQty: 10, backQty: 10 });
    expect(s.metrics.profit).toBeCloseTo(180, 6);
    expect(s.metrics.profitBps).toBeCloseTo(60, 6);
    expect(s.metrics.victimImpactBps).toBeCloseTo(40, 6);
    expect(s.severity).toBe('high');
    expect(s.score).toBe(1);
    expect(s.evidence.map((r) => [r.account, r.side, r.qty])).toEqual([
      ['0xattacker', 'buy', 10],
      ['0xvictim', 'buy', 40],
      ['0xattacker', 'sell', 10],
    ]);
    expect(s.explanation).toBe(
      'Wallet 0xattacker (owner 0xattacker) bought 10 WETH-USDC at 3,000 right before 1 victim swap of 40 ' +
        'in the same direction and sold 10 at 3,018 right after, in block 101 of ' +
        `${VENUE}: a profit of 180 (60 bps), the victims paying 40 bps more than the front-run.`,
    );
  });

  it('flags a sell-first sandwich split over two wallets of one owner around two victims', () => {
    const signals = run(
      [
        swap('0xnoise', 'buy', 1, 3001, 7, 0),
        swap('0xw1', 'sell', 5, 3000, 7, 1),
        swap('0xv1', 'sell', 8, 2994, 7, 2),
        swap('0xv2', 'sell', 2, 2990, 7, 3),
        swap('0xw2', 'buy', 5, 2992, 7, 4),
      ],
      { '0xw1': 'mev-bot', '0xw2': 'mev-bot' },
    );
    expect(signals).toHaveLength(1);
    const s = signals[0] as Signal;
    expect(s.accounts).toEqual(['0xw1', '0xw2', '0xv1', '0xv2']);
    expect(s.owners.slice(0, 2)).toEqual(['mev-bot', 'mev-bot']);
    expect(s.metrics.victims).toBe(2);
    expect(s.metrics.profit).toBeCloseTo(40, 6);
    expect(s.explanation).toContain('Wallets 0xw1 and 0xw2 (owner mev-bot) sold 5 WETH-USDC at 3,000');
  });

  it('examines swaps in log-index order even when they arrive out of order', () => {
    const signals = run([
      swap('0xattacker', 'buy', 10, 3000, 5, 0),
      swap('0xattacker', 'sell', 10, 3018, 5, 2),
      swap('0xvictim', 'buy', 40, 3012, 5, 1),
    ]);
    // The back-run arrived before the victim: at its arrival no victim sat between the legs.
    expect(signals).toHaveLength(0);
    const ordered = run([
      swap('0xvictim', 'buy', 40, 3012, 5, 1),
      swap('0xattacker', 'buy', 10, 3000, 5, 0),
      swap('0xattacker', 'sell', 10, 3018, 5, 2),
    ]);
    expect(ordered).toHaveLength(1);
  });

  it('does not flag an arbitrage swap that closes the block after others traded', () => {
    expect(
      run([
        swap('0xn1', 'buy', 4, 3000, 9, 0),
        swap('0xn2', 'buy', 6, 3006, 9, 1),
        swap('0xarb', 'sell', 7, 3004, 9, 2),
        swap('0xn3', 'sell', 2, 2999, 10, 0),
        swap('0xarb', 'buy', 3, 2998, 10, 1),
      ]),
    ).toEqual([]);
  });

  it('does not flag a wallet trading both ways with nobody in between, or across blocks', () => {
    expect(
      run([
        swap('0xw', 'buy', 5, 3000, 1, 0),
        swap('0xw', 'sell', 5, 3001, 1, 1),
        swap('0xv', 'buy', 9, 3010, 1, 2),
        swap('0xw', 'buy', 5, 3000, 2, 0),
        swap('0xv', 'buy', 9, 3010, 2, 1),
        swap('0xw', 'sell', 5, 3012, 3, 0),
      ]),
    ).toEqual([]);
  });

  it('does not flag two trades around a swap in the other direction, at a loss, or of unrelated size', () => {
    // The swap in between sells: it moved the price against the wallet, not for it.
    expect(
      run([
        swap('0xw', 'buy', 5, 3000, 1, 0),
        swap('0xv', 'sell', 9, 2990, 1, 1),
        swap('0xw', 'sell', 5, 2991, 1, 2),
      ]),
    ).toEqual([]);
    // A loss after fees.
    expect(
      run([
        swap('0xw', 'buy', 5, 3000, 2, 0),
        swap('0xv', 'buy', 1, 3001, 2, 1),
        swap('0xw', 'sell', 5, 2999, 2, 2),
      ]),
    ).toEqual([]);
    // Sizes too different to be one position unwound.
    expect(
      run([
        swap('0xw', 'buy', 1, 3000, 3, 0),
        swap('0xv', 'buy', 9, 3010, 3, 1),
        swap('0xw', 'sell', 8, 3012, 3, 2),
      ]),
    ).toEqual([]);
  });

  it('ignores trades of order-book venues and the same owner as its own victim', () => {
    expect(
      run(
        [
          aTrade({ buyAccount: 'a', sellAccount: 'b', price: 100 }),
          swap('0xw1', 'buy', 5, 3000, 4, 0),
          swap('0xw2', 'buy', 9, 3010, 4, 1),
          swap('0xw1', 'sell', 5, 3012, 4, 2),
        ],
        { '0xw1': 'same', '0xw2': 'same' },
      ),
    ).toEqual([]);
  });

  it('requires the configured profit', () => {
    const events = [
      swap('0xw', 'buy', 10, 3000, 1, 0),
      swap('0xv', 'buy', 40, 3012, 1, 1),
      swap('0xw', 'sell', 10, 3003, 1, 2),
    ];
    expect(run(events)).toHaveLength(1);
    expect(run(events, {}, { minProfitBps: 20 })).toHaveLength(0);
  });

  it('restores from a snapshot taken between the front-run and the back-run', () => {
    const detector = dexSandwich();
    const engine = createEngine({ detectors: [detector] });
    engine.process(swap('0xw', 'buy', 10, 3000, 1, 0));
    engine.process(swap('0xv', 'buy', 40, 3012, 1, 1));
    const saved = JSON.parse(JSON.stringify(engine.snapshot()));
    const other = createEngine({ detectors: [dexSandwich()] });
    other.restore(saved);
    const signals: Signal[] = [];
    other.onSignal((s) => signals.push(s));
    other.process(swap('0xw', 'sell', 10, 3018, 1, 2));
    expect(signals).toHaveLength(1);
    other.reset();
    other.process(swap('0xw', 'sell', 10, 3018, 1, 3));
    expect(signals).toHaveLength(1);
  });

  it('forgets a pool after its idle time', () => {
    const detector = dexSandwich({ idleBlockMs: 1000 });
    const engine = createEngine({ detectors: [detector] });
    engine.process(swap('0xw', 'buy', 10, 3000, 1, 0));
    engine.advanceTo(at(1000));
    expect(engine.snapshot().detectors['dex-sandwich']?.state).toEqual({ pools: [] });
  });

  it('names the YAML path of a bad config value', () => {
    expect(() =>
      parseConfigText('detectors:\n  dex-sandwich:\n    maxQtyMismatch: -1\n', 'tw.yaml'),
    ).toThrowError(
      /tw\.yaml:3:\d+ {2}detectors\.dex-sandwich\.maxQtyMismatch: expected a number >= 0, got -1/,
    );
    expect(DexSandwichConfig.parse({})).toMatchObject({
      minProfitBps: 0,
      maxQtyMismatch: 0.25,
      minVictims: 1,
    });
  });
});
