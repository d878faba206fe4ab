/**
 * The educational paragraph the narrator attaches to a suspected or confirmed typology:
 * what the practice is, how tapewatch recognised it, and what an investigator checks next.
 *
 * @module
 */
import type { Typology } from '../core/signal';

/** One typology explained for a student or a new analyst. */
export interface TypologyLesson {
  /** Human name (`Spoofing`). */
  title: string;
  /** What the practice is and why it harms the market. */
  whatItIs: string;
  /** What tapewatch looked at to recognise it. */
  howRecognised: string;
  /** What an investigator checks next. */
  nextSteps: string;
}

const LESSONS: Record<string, TypologyLesson> = {
  spoofing: {
    title: 'Spoofing',
    whatItIs:
      'Spoofing is placing large orders one does not intend to execute, to make other traders believe demand or supply has changed, and trading on the other side while they react.',
    howRecognised:
      'tapewatch saw large orders resting away from the touch that lived only briefly, a high share of them cancelled, while the same beneficial owner executed on the opposite side during their lifetime.',
    nextSteps:
      'Check the order lifetimes against the account’s usual behaviour, whether the opposite-side fills were timed with the large orders, other accounts of the same owner, and any communication about the orders.',
  },
  layering: {
    title: 'Layering',
    whatItIs:
      'Layering is spoofing spread over several price levels: a ladder of orders builds the impression of deep interest on one side, then disappears once a trade on the other side is done.',
    howRecognised:
      'tapewatch saw one owner add orders at several levels on one side, cancel most of them within seconds, and trade on the opposite side while they rested.',
    nextSteps:
      'Reconstruct the book at each step to see how the ladder moved the displayed depth, compare with the owner’s market-making obligations, and look for repetition over days.',
  },
  wash_trading: {
    title: 'Wash trading',
    whatItIs:
      'Wash trading is trading with oneself, or with colluding accounts, so that volume and prices appear without any change of beneficial ownership.',
    howRecognised:
      'tapewatch matched the buy and sell side of trades to their beneficial owners and found the same owner on both sides, round trips that returned the position to about zero, or cycles among a small group of owners.',
    nextSteps:
      'Confirm the ownership links (KYC, shared devices, funding flows), measure the share of the instrument’s volume these trades made up, and check whether they coincided with listing, ranking or fee-rebate thresholds.',
  },
  pump_and_dump: {
    title: 'Pump and dump',
    whatItIs:
      'A pump and dump drives a thin market up with a rush of coordinated buying and promotion, then sells into the buyers it attracted before the price collapses.',
    howRecognised:
      'tapewatch saw a rush of aggressive buys within seconds, trade count and volume many standard deviations above the rolling baseline, and a price run-up followed by a reversal.',
    nextSteps:
      'Identify the accounts that bought first and sold at the top, look for common funding and timing across them, and check social channels for promotion around the start of the rush.',
  },
  quote_stuffing: {
    title: 'Quote stuffing',
    whatItIs:
      'Quote stuffing floods a venue with orders and cancels to slow other participants’ view of the market and create latency others cannot match.',
    howRecognised:
      'tapewatch saw an account’s message rate burst far above its usual level with an extreme order-to-trade ratio.',
    nextSteps:
      'Compare the burst with the venue’s message limits, check whether it preceded the account’s own trades, and whether other participants’ fills degraded during it.',
  },
  marking_the_close: {
    title: 'Marking the close',
    whatItIs:
      'Marking the close is trading aggressively just before a fixing or candle close to move the reference price that valuations, indexes or derivatives settle on.',
    howRecognised:
      'tapewatch saw aggressive trades concentrated in the last minutes before a configured close that moved the price, from an owner with little activity earlier in the window.',
    nextSteps:
      'Find positions that benefit from the closing price (derivatives, collateral, fund valuations), and check whether the pattern repeats at other closes.',
  },
  momentum_ignition: {
    title: 'Momentum ignition',
    whatItIs:
      'Momentum ignition is a burst of aggressive orders meant to start a price move that other algorithms follow, after which the initiator trades the other way at the better price.',
    howRecognised:
      'tapewatch saw an aggressive sequence by one owner that moved the price, followed by that owner trading in the opposite direction into the reversal.',
    nextSteps:
      'Measure the owner’s profit across the ignition and the reversal, and whether other participants’ algorithms reacted to the first burst.',
  },
  dex_sandwich: {
    title: 'DEX sandwich',
    whatItIs:
      'A sandwich attack places a swap just before a victim’s swap and another just after it in the same block, profiting from the price impact the victim’s trade causes.',
    howRecognised:
      'tapewatch saw a front-run swap, a victim swap and a back-run swap by the same wallet within one block of the pool.',
    nextSteps:
      'Check the block builder and transaction ordering, the victim’s slippage setting, and other wallets funded from the same source.',
  },
  anomaly: {
    title: 'Statistical anomaly',
    whatItIs:
      'An anomaly is activity unlike the instrument’s recent normal: not a named manipulation, but a pattern rare enough that a person should look.',
    howRecognised:
      'tapewatch’s Isolation Forest isolated this window in few splits compared with the warm-up data; the features that isolated it are listed with their values and baseline medians.',
    nextSteps:
      'Read the top features, look at the accounts active in the window, and check for news or venue incidents before escalating or closing it.',
  },
};

/** The lesson of a typology, or a generic one for a custom typology. */
export function lessonFor(typology: Typology): TypologyLesson {
  return (
    LESSONS[typology] ?? {
      title: typologyTitle(typology),
      whatItIs: `${typologyTitle(typology)} is a pattern a custom detector reports.`,
      howRecognised: 'tapewatch saw signals of this detector add up above the suspicion threshold.',
      nextSteps: 'Read the detector’s explanation and evidence, then the accounts involved.',
    }
  );
}

/** One paragraph: what it is, how it was recognised here, what to check next. */
export function educationFor(typology: Typology): string {
  const l = lessonFor(typology);
  return `${l.whatItIs} How it was recognised here: ${l.howRecognised} What an investigator checks next: ${l.nextSteps}`;
}

/** Human name of a typology (`wash_trading` → `Wash trading`). */
export function typologyTitle(typology: Typology): string {
  const known = LESSONS[typology];
  if (known !== undefined) return known.title;
  const words = typology.replace(/[_-]+/g, ' ').trim();
  return words.length === 0 ? 'Unknown' : words[0]?.toUpperCase() + words.slice(1);
}
