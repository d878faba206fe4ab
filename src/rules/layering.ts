/**
 * Layering: non-bona-fide orders resting on several price levels of one side at once,
 * building a wall that suggests supply or demand, cancelled within moments while their
 * owner trades on the other side.
 *
 * Follows EU MAR Art. 12(2)(c) and Commission Delegated Regulation (EU) 2016/522 Annex II
 * (placing multiple orders, often away from the touch, on one side of the book with the
 * intention of executing a trade on the other side, then removing them), and the
 * spoofing definition of the U.S. Commodity Exchange Act §4c(a)(5)(C); see
 * docs/DETECTORS.md for the exact rule and the reason for every default.
 *
 * @example
 * ```ts
 * import { createEngine, layering } from 'tapewatch';
 * const engine = createEngine({ detectors: [layering({ minLevels: 3 })] });
 * ```
 * @see {@link spoofing} for the single-level form
 * @module
 */
import { z } from 'zod';
import type { Detector, DetectorContext } from '../engine/detector';
import { defineDetector } from '../engine/registry';
import { describeEpisode, OrderPressureTracker, orderPressureShape } from './order-pressure';
import { parseDetectorConfig, ramp } from './shared';

/** Configuration of {@link layering}; every field has a documented default. */
export const LayeringConfig = z.strictObject({
  ...orderPressureShape({
    // Each layer may be an ordinary-looking size; the wall they make together must not be.
    minOrderSizeToLevel: 1,
    minSizeToLevel: 4,
    minOrders: 2,
  }),
  /** Fewest distinct price levels resting at once in one episode. Default 2: "several". */
  minLevels: z.number().int().min(2).max(100).default(2),
});

/** Input of {@link layering}: any subset of the fields, defaults fill the rest. */
export type LayeringConfigInput = z.input<typeof LayeringConfig>;

/** Detector version: bumps when the rule changes. */
export const LAYERING_VERSION = '1';

/**
 * The layering detector.
 *
 * @param config - overrides of {@link LayeringConfig}'s defaults
 * @throws {@link ConfigError} naming `detectors.layering.<field>` of every invalid field
 */
export function layering(config: LayeringConfigInput = {}): Detector {
  const cfg = parseDetectorConfig('layering', LayeringConfig, config);
  const tracker = new OrderPressureTracker(
    cfg,
    (episode) => episode.levels >= cfg.minLevels,
    (episode, ctx: DetectorContext) => {
      const d = describeEpisode(episode, cfg, 'layering', [
        ramp(episode.levels, cfg.minLevels, cfg.minLevels + 3),
      ]);
      ctx.emit({
        typology: 'layering',
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
    id: 'layering',
    version: LAYERING_VERSION,
    onEvent: (e, ctx) => tracker.onEvent(e, ctx),
    onTime: (now, ctx) => tracker.onTime(now, ctx),
    snapshot: () => tracker.snapshot(),
    restore: (state) => tracker.restore(state),
    reset: () => tracker.reset(),
  };
}

/** `detectors.layering` in tapewatch.yaml. */
export const layeringDefinition = defineDetector({
  id: 'layering',
  description:
    'one-sided orders on several price levels at once, cancelled young while the owner trades the other side',
  configSchema: LayeringConfig,
  create: (config) => layering(config),
});
