/**
 * Which inbound FIX sequence numbers a session has processed: the highest one seen and
 * the gaps below it that are still missing. The expected next number is the start of the
 * first open gap, not the number after the highest seen, so a gap survives a disconnect
 * or a restart until the peer has resent it.
 *
 * @module
 */

/** An inclusive range of missing sequence numbers. */
export interface SeqRange {
  begin: number;
  end: number;
}

/** What the ledger makes of one received sequence number. */
export type SeqVerdict =
  /** Next in line: process it. */
  | 'in_order'
  /** Fills (part of) an open gap: process it. */
  | 'gap_fill'
  /** Beyond the next expected number: process it; the numbers in between are now missing. */
  | 'gap'
  /** Already processed: drop it. */
  | 'duplicate';

/** Plain-data form of a {@link SequenceLedger}, for the session store. */
export interface SequenceLedgerState {
  highestSeen: number;
  missing: SeqRange[];
}

/**
 * Inbound sequence bookkeeping, independent of the FIX engine's own counters.
 *
 * @example
 * ```ts
 * const ledger = new SequenceLedger();
 * ledger.receive(1); ledger.receive(4);   // 'in_order', 'gap'
 * ledger.nextExpected;                    // 2: 2–3 are still owed
 * ledger.receive(2); ledger.receive(4);   // 'gap_fill', 'duplicate'
 * ```
 */
export class SequenceLedger {
  private highest = 0;
  /** Disjoint, sorted by `begin`. Few entries in practice: one per unresolved gap. */
  private gaps: SeqRange[] = [];

  constructor(state?: SequenceLedgerState) {
    if (state !== undefined) this.restore(state);
  }

  /** Highest sequence number processed. */
  get highestSeen(): number {
    return this.highest;
  }

  /** The first number not yet processed: the start of the first gap, else highest + 1. */
  get nextExpected(): number {
    const first = this.gaps[0];
    return first === undefined ? this.highest + 1 : first.begin;
  }

  /** Open gaps, oldest first (copies). */
  get missing(): SeqRange[] {
    return this.gaps.map((g) => ({ ...g }));
  }

  /** True when `seq` has been processed already. */
  isProcessed(seq: number): boolean {
    if (seq > this.highest) return false;
    return !this.inGap(seq);
  }

  /** Records `seq` as received and says what it was. */
  receive(seq: number): SeqVerdict {
    if (seq === this.highest + 1) {
      this.highest = seq;
      return 'in_order';
    }
    if (seq > this.highest) {
      this.gaps.push({ begin: this.highest + 1, end: seq - 1 });
      this.highest = seq;
      return 'gap';
    }
    return this.removeRange(seq, seq) > 0 ? 'gap_fill' : 'duplicate';
  }

  /**
   * SequenceReset-GapFill from `fromSeq`: numbers `fromSeq … newSeqNo-1` carried only
   * session messages and are settled.
   */
  gapFill(fromSeq: number, newSeqNo: number): void {
    if (newSeqNo <= fromSeq) return;
    const last = newSeqNo - 1;
    if (fromSeq > this.highest + 1) this.gaps.push({ begin: this.highest + 1, end: fromSeq - 1 });
    this.removeRange(fromSeq, Math.min(last, this.highest));
    if (last > this.highest) this.highest = last;
  }

  /** SequenceReset-Reset or a logon with ResetSeqNumFlag: the next number is `nextSeq`; nothing is owed. */
  reset(nextSeq: number): void {
    this.highest = Math.max(0, nextSeq - 1);
    this.gaps = [];
  }

  /** Plain-data copy. */
  toJSON(): SequenceLedgerState {
    return { highestSeen: this.highest, missing: this.missing };
  }

  /** Replaces the state with `state`. */
  restore(state: SequenceLedgerState): void {
    this.highest = state.highestSeen;
    this.gaps = state.missing.map((g) => ({ ...g })).sort((a, b) => a.begin - b.begin);
  }

  private inGap(seq: number): boolean {
    for (const g of this.gaps) {
      if (seq < g.begin) return false;
      if (seq <= g.end) return true;
    }
    return false;
  }

  /** Removes `[begin, end]` from the gaps; returns how many numbers were missing in it. */
  private removeRange(begin: number, end: number): number {
    if (end < begin) return 0;
    let removed = 0;
    const out: SeqRange[] = [];
    for (const g of this.gaps) {
      if (g.end < begin || g.begin > end) {
        out.push(g);
        continue;
      }
      removed += Math.min(g.end, end) - Math.max(g.begin, begin) + 1;
      if (g.begin < begin) out.push({ begin: g.begin, end: begin - 1 });
      if (g.end > end) out.push({ begin: end + 1, end: g.end });
    }
    this.gaps = out;
    return removed;
  }
}
