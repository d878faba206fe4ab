/**
 * Spoofing: one large order (or several at one price) placed near the touch with no
 * intention to trade, cancelled within moments while its owner trades on the other side.
 *
 * Follows the definitions of spoofing in the U.S. Commodity Exchange Act §4c(a)(5)(C)
 * (added by Dodd-Frank §747: "bidding or offering with the intent to cancel the bid or
 * offer before execution") and of EU MAR Art. 12(1)(a) and Annex I A(f)/(g) (orders that
 * change the representation of the order book and are removed before execution); see
 * docs/DETECTORS.md for the exact rule and the reason for every default.
 *
 * @example
 * ```ts
 * import { createEngine, spoofing } from 'tapewatch';
 * const engine = createEngine({ detectors: [spoofing({ minSideImbalance: 5 })] });
 * ```
 * @see {@link layering} for the same behaviour over several price levels
 * @module
 */
import { z } from 'zod';
import type { Detector, DetectorContext } from '../engine/detector';
import { defineDetector } from '../engine/registry';
import { describeEpisode, OrderPressureTracker, orderPressureShape } from './order-pressure';
import { parseDetectorConfig, ramp } from './shared';

/** Configuration of {@link spoofing}; every field has a documented default. */
export const SpoofingConfig = z.strictObject({
  ...orderPressureShape({
    // A spoof must stand out on its own: twice a normal level.
    minOrderSizeToLevel: 2,
    minSizeToLevel: 2,
    // One large order cancelled after trading the other side is the pattern itself.
    minOrders: 1,
  }),
  /**
   * Most distinct price levels in one episode; more is layering's. Default 1, so the two
   * detectors split episodes between them instead of both reporting one.
   */
  maxLevels: z.number().int().min(1).max(100).default(1),
});

/** Input of {@link spoofing}: any subset of the fields, defaults fill the rest. */
export type SpoofingConfigInput = z.input<typeof SpoofingConfig>;

/** Detector version: bumps when the rule changes. */
export const SPOOFING_VERSION = '1';

/**
 * The spoofing detector.
 *
 * @param config - overrides of {@link SpoofingConfig}'s defaults
 * @throws {@link ConfigError} naming `detectors.spoofing.<field>` of every invalid field
 */
export function spoofing(config: SpoofingConfigInput = {}): Detector {
  const cfg = parseDetectorConfig('spoofing', SpoofingConfig, config);
  const tracker = new OrderPressureTracker(
    cfg,
    (episode) => episode.levels <= cfg.maxLevels,
    (episode, ctx: DetectorContext) => {
      const d = describeEpisode(episode, cfg, 'spoofing', [ramp(episode.orders.length, 1, 5)]);
      ctx.emit({
        typology: 'spoofing',
        venue: episode.venue,
        instrument: episode.instrument,
        accounts: d.accounts,
        window: d.window,
        score: d.score,
        severity: d.severity,
        metrics: d.metrics,
        evidence: d.evidence,
        explanation: d.explanation,
      });
    },
  );
  return {
    id: 'spoofing',
    version: SPOOFING_VERSION,
    onEvent: (e, ctx) => tracker.onEvent(e, ctx),
    onTime: (now, ctx) => tracker.onTime(now, ctx),
    snapshot: () => tracker.snapshot(),
    restore: (state) => tracker.restore(state),
    reset: () => tracker.reset(),
  };
}

/** `detectors.spoofing` in tapewatch.yaml. */
export const spoofingDefinition = defineDetector({
  id: 'spoofing',
  description: 'large one-sided orders near the touch, cancelled young while the owner trades the other side',
  configSchema: SpoofingConfig,
  create: (config) => spoofing(config),
});
