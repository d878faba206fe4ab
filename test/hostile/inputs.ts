/**
 * Hostile inputs shared by every entry point's suite: each one names the field that must be
 * reported when it arrives as one event among valid ones.
 */
import { aCancel, anOrder, aTrade, at } from '../stubs';

const MB = 'x'.repeat(1 << 20);

/** A raw event (JSON-representable) and the field its rejection must name. */
export interface HostileEvent {
  name: string;
  raw: Record<string, unknown>;
  field: string;
}

export const HOSTILE_EVENTS: HostileEvent[] = [
  { name: 'price as a string', raw: { ...aTrade(), price: '100' }, field: 'price' },
  { name: 'negative quantity', raw: { ...aTrade(), qty: -1 }, field: 'qty' },
  { name: 'huge price', raw: { ...anOrder(), price: 1e300 }, field: 'price' },
  { name: 'ts beyond 2^53', raw: { ...aTrade(), ts: 2 ** 60 }, field: 'ts' },
  { name: 'negative ts', raw: { ...aTrade(), ts: -5 }, field: 'ts' },
  { name: 'fractional ts', raw: { ...aTrade(), ts: at(1) + 0.5 }, field: 'ts' },
  { name: '1 MB instrument', raw: { ...aTrade(), instrument: MB }, field: 'instrument' },
  { name: '1 MB account', raw: { ...anOrder(), account: MB }, field: 'account' },
  { name: 'unknown side', raw: { ...anOrder(), side: 'sideways' }, field: 'side' },
  { name: 'unknown kind', raw: { ...aTrade(), kind: 'teleport' }, field: 'kind' },
  { name: 'unknown order type', raw: { ...anOrder(), type: 'iceberg' }, field: 'type' },
  { name: 'missing order id', raw: { ...aCancel({ orderId: 'x' }), orderId: undefined }, field: 'orderId' },
  { name: 'object as venue', raw: { ...aTrade(), venue: { $ne: null } }, field: 'venue' },
];

/** Valid events around the hostile one, which must all be processed. */
export function validAround(): Record<string, unknown>[] {
  return [{ ...anOrder({ orderId: 'good-1', ts: at(1) }) }, { ...aTrade({ tradeId: 'good-2', ts: at(2) }) }];
}
