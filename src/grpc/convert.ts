/**
 * Conversions between the generated protobuf types and the domain types. Incoming events
 * become plain objects that still go through validation; outgoing domain objects become
 * protobuf messages.
 *
 * @module
 */
import type { EventRef, MarketEvent, Side } from '../core/events';
import type { Signal } from '../core/signal';
import type { SimulationStatus } from '../service/simulation-service';
import type { Episode } from '../simulator/index';
import * as pb from './gen/tapewatch/v1/events';
import type * as pbs from './gen/tapewatch/v1/signals';
import type * as pbsim from './gen/tapewatch/v1/simulation';

function sideOf(side: pb.Side): Side | undefined {
  return side === pb.Side.SIDE_BUY ? 'buy' : side === pb.Side.SIDE_SELL ? 'sell' : undefined;
}

function sideToProto(side: Side): pb.Side {
  return side === 'buy' ? pb.Side.SIDE_BUY : pb.Side.SIDE_SELL;
}

/**
 * A decoded protobuf event as a raw object in the shape of the event model, for
 * validation. Unset enums become undefined, so validation reports them as missing; an
 * event with no body gets no `kind` and is rejected as such.
 */
export function eventFromProto(e: pb.Event): Record<string, unknown> {
  const raw: Record<string, unknown> = { ts: e.ts, venue: e.venue, instrument: e.instrument };
  if (e.seq !== undefined) raw.seq = e.seq;
  if (e.orderNew !== undefined) {
    const o = e.orderNew;
    raw.kind = 'order_new';
    raw.orderId = o.orderId;
    raw.account = o.account;
    raw.side = sideOf(o.side);
    raw.price = o.price;
    raw.qty = o.qty;
    raw.type =
      o.type === pb.OrderType.ORDER_TYPE_LIMIT
        ? 'limit'
        : o.type === pb.OrderType.ORDER_TYPE_MARKET
          ? 'market'
          : undefined;
  } else if (e.orderCancel !== undefined) {
    raw.kind = 'order_cancel';
    raw.orderId = e.orderCancel.orderId;
    raw.account = e.orderCancel.account;
  } else if (e.orderReplace !== undefined) {
    const o = e.orderReplace;
    raw.kind = 'order_replace';
    raw.orderId = o.orderId;
    raw.account = o.account;
    raw.price = o.price;
    raw.qty = o.qty;
  } else if (e.trade !== undefined) {
    const t = e.trade;
    raw.kind = 'trade';
    raw.tradeId = t.tradeId;
    raw.price = t.price;
    raw.qty = t.qty;
    raw.aggressor = sideOf(t.aggressor);
    if (t.buyAccount !== undefined) raw.buyAccount = t.buyAccount;
    if (t.sellAccount !== undefined) raw.sellAccount = t.sellAccount;
    if (t.buyOrderId !== undefined) raw.buyOrderId = t.buyOrderId;
    if (t.sellOrderId !== undefined) raw.sellOrderId = t.sellOrderId;
    if (t.txHash !== undefined) raw.txHash = t.txHash;
    if (t.block !== undefined) raw.block = t.block;
    if (t.logIndex !== undefined) raw.logIndex = t.logIndex;
  } else if (e.quote !== undefined) {
    const q = e.quote;
    raw.kind = 'quote';
    raw.bid = q.bid;
    raw.bidQty = q.bidQty;
    raw.ask = q.ask;
    raw.askQty = q.askQty;
  }
  return raw;
}

/** A domain event as a protobuf message. */
export function eventToProto(e: MarketEvent): pb.Event {
  const out: pb.Event = { ts: e.ts, venue: e.venue, instrument: e.instrument };
  if (e.seq !== undefined) out.seq = e.seq;
  switch (e.kind) {
    case 'order_new':
      out.orderNew = {
        orderId: e.orderId,
        account: e.account,
        side: sideToProto(e.side),
        price: e.price,
        qty: e.qty,
        type: e.type === 'limit' ? pb.OrderType.ORDER_TYPE_LIMIT : pb.OrderType.ORDER_TYPE_MARKET,
      };
      break;
    case 'order_cancel':
      out.orderCancel = { orderId: e.orderId, account: e.account };
      break;
    case 'order_replace':
      out.orderReplace = { orderId: e.orderId, account: e.account, price: e.price, qty: e.qty };
      break;
    case 'trade': {
      const t: pb.Trade = {
        tradeId: e.tradeId,
        price: e.price,
        qty: e.qty,
        aggressor: sideToProto(e.aggressor),
      };
      if (e.buyAccount !== undefined) t.buyAccount = e.buyAccount;
      if (e.sellAccount !== undefined) t.sellAccount = e.sellAccount;
      if (e.buyOrderId !== undefined) t.buyOrderId = e.buyOrderId;
      if (e.sellOrderId !== undefined) t.sellOrderId = e.sellOrderId;
      if (e.txHash !== undefined) t.txHash = e.txHash;
      if (e.block !== undefined) t.block = e.block;
      if (e.logIndex !== undefined) t.logIndex = e.logIndex;
      out.trade = t;
      break;
    }
    case 'quote':
      out.quote = { bid: e.bid, bidQty: e.bidQty, ask: e.ask, askQty: e.askQty };
      break;
  }
  return out;
}

export function refToProto(r: EventRef): pbs.EventRef {
  const out: pbs.EventRef = { kind: r.kind, ts: r.ts, venue: r.venue, instrument: r.instrument };
  if (r.id !== undefined) out.id = r.id;
  if (r.seq !== undefined) out.seq = r.seq;
  if (r.account !== undefined) out.account = r.account;
  if (r.side !== undefined) out.side = r.side;
  if (r.price !== undefined) out.price = r.price;
  if (r.qty !== undefined) out.qty = r.qty;
  return out;
}

export function refFromProto(r: pbs.EventRef): EventRef {
  const out: EventRef = {
    kind: r.kind as EventRef['kind'],
    ts: r.ts,
    venue: r.venue,
    instrument: r.instrument,
  };
  if (r.id !== undefined) out.id = r.id;
  if (r.seq !== undefined) out.seq = r.seq;
  if (r.account !== undefined) out.account = r.account;
  if (r.side !== undefined) out.side = r.side as Side;
  if (r.price !== undefined) out.price = r.price;
  if (r.qty !== undefined) out.qty = r.qty;
  return out;
}

/** A signal as a protobuf message. */
export function signalToProto(s: Signal): pbs.Signal {
  return {
    id: s.id,
    detector: s.detector,
    version: s.version,
    typology: s.typology,
    venue: s.venue,
    instrument: s.instrument,
    accounts: s.accounts,
    owners: s.owners,
    windowStart: s.window.start,
    windowEnd: s.window.end,
    score: s.score,
    severity: s.severity,
    metrics: s.metrics,
    evidence: s.evidence.map(refToProto),
    explanation: s.explanation,
    emittedAt: Number.isFinite(s.emittedAt) ? s.emittedAt : 0,
  };
}

/** A protobuf signal as the domain type (used by the client SDK). */
export function signalFromProto(s: pbs.Signal): Signal {
  return {
    id: s.id,
    detector: s.detector,
    version: s.version,
    typology: s.typology,
    venue: s.venue,
    instrument: s.instrument,
    accounts: s.accounts,
    owners: s.owners,
    window: { start: s.windowStart, end: s.windowEnd },
    score: s.score,
    severity: s.severity === 'high' || s.severity === 'medium' ? s.severity : 'low',
    metrics: s.metrics,
    evidence: s.evidence.map(refFromProto),
    explanation: s.explanation,
    emittedAt: s.emittedAt,
  };
}

/** An injection request as the simulator's parameters (unset fields keep the scenario's defaults). */
export function injectParams(r: pbsim.InjectScenarioRequest): Record<string, unknown> {
  const params: Record<string, unknown> = { ...r.extra };
  if (r.instrument !== undefined) params.instrument = r.instrument;
  if (r.intensity !== undefined) params.intensity = r.intensity;
  if (r.durationS !== undefined) params.durationS = r.durationS;
  if (r.accounts.length > 0) params.accounts = r.accounts;
  if (r.startInS !== undefined) params.startInS = r.startInS;
  return params;
}

/** An episode as a protobuf message. */
export function episodeToProto(e: Episode): pbsim.Episode {
  return {
    episodeId: e.episodeId,
    scenario: e.scenario,
    typology: e.typology ?? '',
    venue: e.venue,
    instrument: e.instrument,
    accounts: [...e.accounts],
    owners: [...e.owners],
    startTs: e.startTs,
    endTs: e.endTs,
    events: e.events,
  };
}

/** The simulator's status as a protobuf message. */
export function simulationStatusToProto(s: SimulationStatus): pbsim.SimulationStatus {
  return {
    seed: s.seed,
    now: s.now,
    events: s.events,
    state: s.state,
    speed: s.speed,
    episodes: s.episodeList.map(episodeToProto),
  };
}
