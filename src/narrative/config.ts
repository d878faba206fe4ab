/**
 * The `narrative:` section of `tapewatch.yaml`: how much evidence moves an instrument's
 * story from normal to emerging to suspected, how fast evidence fades, and how long a state
 * holds before the market is called normal again.
 *
 * @module
 */
import { z } from 'zod';

/**
 * Narrator settings. Evidence is `weight(severity) × score` per signal, summed per
 * (venue, instrument) and halved every `halfLifeMs` of event time.
 */
export const NarrativeConfigSchema = z
  .strictObject({
    /** Whether `serve`/`demo` run the narrator at all. */
    enabled: z.boolean().default(true),
    /** Half-life of evidence in event time. 10 s: a burst of signals outweighs one, a quiet minute forgets it. */
    halfLifeMs: z.number().positive().default(10_000),
    /** Evidence one signal adds per unit of score, by severity: a low signal alone can never reach `emergingAt`. */
    weights: z
      .strictObject({
        low: z.number().min(0).default(0.5),
        medium: z.number().min(0).default(1),
        high: z.number().min(0).default(2),
      })
      .prefault({}),
    /** Evidence at which the story leaves normal: two medium signals, one full-score medium or one strong high one. */
    emergingAt: z.number().positive().default(1),
    /** Evidence at which a typology is called suspected (reached one level per signal, never in one jump). */
    suspectedAt: z.number().positive().default(2.5),
    /** Evidence below which the market may be called normal again; well under `emergingAt` so it does not flap. */
    calmBelow: z.number().positive().default(0.3),
    /** Least event time in emerging or suspected before returning to normal. */
    minDwellMs: z.number().min(0).default(10_000),
    /** Least event time in confirmed (a case is open) before returning to normal. */
    confirmedDwellMs: z.number().min(0).default(30_000),
    /** Event time an instrument trades before the narrator announces its normal market. */
    warmupMs: z.number().min(0).default(5_000),
    /** Attach the educational paragraph of the typology to suspected and confirmed lines. */
    education: z.boolean().default(true),
    /** Narrative lines kept for late subscribers (the viewer's log). */
    historySize: z.number().int().positive().default(500),
  })
  .superRefine((c, ctx) => {
    // Hysteresis needs a gap: the level that ends an episode must sit below the one that starts it.
    if (!(c.calmBelow < c.emergingAt)) {
      ctx.addIssue({
        code: 'custom',
        path: ['calmBelow'],
        message: `calmBelow (${c.calmBelow}) must be below emergingAt (${c.emergingAt})`,
      });
    }
    if (!(c.emergingAt < c.suspectedAt)) {
      ctx.addIssue({
        code: 'custom',
        path: ['suspectedAt'],
        message: `suspectedAt (${c.suspectedAt}) must be above emergingAt (${c.emergingAt})`,
      });
    }
  });

/** Input accepted by {@link NarrativeConfigSchema} (every field optional). */
export type NarrativeConfigInput = z.input<typeof NarrativeConfigSchema>;
/** Narrator settings with defaults filled in. */
export type NarrativeConfig = z.output<typeof NarrativeConfigSchema>;
