/**
 * Small builders of events for tests, exported as `tapewatch/testing` so users can test
 * their own detectors the same way.
 *
 * @example
 * ```ts
 * import { anOrder, aTrade, aCancel } from 'tapewatch/testing';
 * engine.process(anOrder({ orderId: 'o1', side: 'sell', price: 101, qty: 50 }));
 * engine.process(aCancel({ orderId: 'o1', ts: 1_500_000 }));
 * ```
 *
 * @module
 */
import type { OrderCancel, OrderNew, OrderReplace, Quote, Trade } from '../src/core/events';
import type { Signal } from '../src/core/signal';

/** Defaults every builder starts from. */
export const STUB_DEFAULTS = {
  ts: 1_700_000_000_000_000,
  venue: 'testex',
  instrument: 'BTC-USDT',
  account: 'acct-1',
} as const;

let counter = 0;
/** A fresh ID with a prefix (`o-1`, `t-2`); deterministic within a test file run. */
export function nextId(prefix: string): string {
  counter++;
  return `${prefix}-${counter}`;
}

/** Restarts {@link nextId}'s counter (call in `beforeEach` for stable IDs). */
export function resetIds(): void {
  counter = 0;
}

/** A resting limit buy order of 1 @ 100 unless overridden. */
export function anOrder(overrides: Partial<OrderNew> = {}): OrderNew {
  return {
    kind: 'order_new',
    ts: STUB_DEFAULTS.ts,
    venue: STUB_DEFAULTS.venue,
    instrument: STUB_DEFAULTS.instrument,
    orderId: overrides.orderId ?? nextId('o'),
    account: STUB_DEFAULTS.account,
    side: 'buy',
    price: 100,
    qty: 1,
    type: 'limit',
    ...overrides,
  };
}

/** A cancel of `orderId` (required) by the default account unless overridden. */
export function aCancel(overrides: Partial<OrderCancel> & { orderId: string }): OrderCancel {
  return {
    kind: 'order_cancel',
    ts: STUB_DEFAULTS.ts,
    venue: STUB_DEFAULTS.venue,
    instrument: STUB_DEFAULTS.instrument,
    account: STUB_DEFAULTS.account,
    ...overrides,
  };
}

/** A replace of `orderId` (required) to 1 @ 100 unless overridden. */
export function aReplace(overrides: Partial<OrderReplace> & { orderId: string }): OrderReplace {
  return {
    kind: 'order_replace',
    ts: STUB_DEFAULTS.ts,
    venue: STUB_DEFAULTS.venue,
    instrument: STUB_DEFAULTS.instrument,
    account: STUB_DEFAULTS.account,
    price: 100,
    qty: 1,
    ...overrides,
  };
}

/** A trade of 1 @ 100, buyer aggressor, unless overridden. */
export function aTrade(overrides: Partial<Trade> = {}): Trade {
  return {
    kind: 'trade',
    ts: STUB_DEFAULTS.ts,
    venue: STUB_DEFAULTS.venue,
    instrument: STUB_DEFAULTS.instrument,
    tradeId: overrides.tradeId ?? nextId('t'),
    price: 100,
    qty: 1,
    aggressor: 'buy',
    ...overrides,
  };
}

/** Pool address of {@link aSwap}'s default venue. */
export const STUB_POOL = '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640';

/**
 * A DEX swap as DEX ingestion publishes it: a trade on venue `eth:<pool>` whose aggressor
 * side is `wallet` and whose other side is the pool, with a block and log index. Block 1,
 * log index 0, 1 WETH-USDC @ 3000 unless overridden.
 *
 * @example
 * ```ts
 * engine.process(aSwap('0xattacker', 'buy', { qty: 10, price: 3000, block: 101, logIndex: 0 }));
 * ```
 */
export function aSwap(wallet: string, side: Trade['aggressor'], overrides: Partial<Trade> = {}): Trade {
  const block = overrides.block ?? 1;
  const logIndex = overrides.logIndex ?? 0;
  return aTrade({
    venue: `eth:${STUB_POOL}`,
    instrument: 'WETH-USDC',
    aggressor: side,
    price: 3000,
    buyAccount: side === 'buy' ? wallet : STUB_POOL,
    sellAccount: side === 'buy' ? STUB_POOL : wallet,
    txHash: `0x${block.toString(16)}${logIndex.toString(16).padStart(4, '0')}`,
    block,
    logIndex,
    ...overrides,
  });
}

/** A quote 99.9 / 100.1, 5 on each side, unless overridden. */
export function aQuote(overrides: Partial<Quote> = {}): Quote {
  return {
    kind: 'quote',
    ts: STUB_DEFAULTS.ts,
    venue: STUB_DEFAULTS.venue,
    instrument: STUB_DEFAULTS.instrument,
    bid: 99.9,
    bidQty: 5,
    ask: 100.1,
    askQty: 5,
    ...overrides,
  };
}

/** `base + seconds` in epoch µs, for readable timelines: `at(1.5)`. */
export function at(seconds: number, base: number = STUB_DEFAULTS.ts): number {
  return base + Math.round(seconds * 1_000_000);
}

/**
 * A high-severity spoofing signal on the default instrument for `acct-1` (owner `owner-1`),
 * window `[ts, ts + 2 s]`, with one evidence order, unless overridden. For case-management tests.
 */
export function aSignal(overrides: Partial<Signal> = {}): Signal {
  const ts = overrides.window?.start ?? STUB_DEFAULTS.ts;
  const account = overrides.accounts?.[0] ?? STUB_DEFAULTS.account;
  return {
    id: nextId('sig'),
    detector: 'spoofing',
    version: '1',
    typology: 'spoofing',
    venue: STUB_DEFAULTS.venue,
    instrument: STUB_DEFAULTS.instrument,
    accounts: [account],
    owners: ['owner-1'],
    window: { start: ts, end: ts + 2_000_000 },
    score: 0.8,
    severity: 'high',
    metrics: { cancelRatio: 0.96 },
    evidence: [
      {
        kind: 'order_new',
        ts,
        venue: STUB_DEFAULTS.venue,
        instrument: overrides.instrument ?? STUB_DEFAULTS.instrument,
        id: nextId('o'),
        account,
        side: 'sell',
        price: 101,
        qty: 50,
      },
    ],
    explanation: `Account ${account} placed 12 sell orders of 50 above the ask and cancelled 96% within 1.8 s.`,
    emittedAt: ts + 2_000_000,
    ...overrides,
  };
}
