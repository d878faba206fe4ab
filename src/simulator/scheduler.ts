/**
 * Discrete-event scheduling: a binary min-heap of wake-ups ordered by event time, ties
 * broken by insertion order so runs are deterministic.
 *
 * @module
 */

/** Something the simulator wakes at an event time. */
export interface Wakeable {
  /**
   * Acts at event time `now` (epoch µs); returns the next time it wants to be woken, or
   * `Infinity` when it is done.
   */
  wake(now: number): number;
}

/** Min-heap of (time, order, agent). */
export class Scheduler {
  private times: number[] = [];
  private orders: number[] = [];
  private agents: Wakeable[] = [];
  private counter = 0;

  /** Number of pending wake-ups. */
  get size(): number {
    return this.agents.length;
  }

  /** Time of the earliest wake-up (Infinity when empty). */
  peekTime(): number {
    return this.agents.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  /** Schedules `agent` at `time`; ignored when time is not finite. */
  schedule(time: number, agent: Wakeable): void {
    if (!Number.isFinite(time)) return;
    const times = this.times;
    const orders = this.orders;
    const agents = this.agents;
    let i = agents.length;
    const order = this.counter++;
    times.push(time);
    orders.push(order);
    agents.push(agent);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (orders[parent] as number) < order)) break;
      times[i] = pt;
      orders[i] = orders[parent] as number;
      agents[i] = agents[parent] as Wakeable;
      i = parent;
    }
    times[i] = time;
    orders[i] = order;
    agents[i] = agent;
  }

  /** Removes and returns the earliest agent (its time is {@link Scheduler.peekTime} before the call). */
  pop(): Wakeable | undefined {
    const agents = this.agents;
    const n = agents.length;
    if (n === 0) return undefined;
    const top = agents[0] as Wakeable;
    const times = this.times;
    const orders = this.orders;
    const lastTime = times.pop() as number;
    const lastOrder = orders.pop() as number;
    const lastAgent = agents.pop() as Wakeable;
    const size = n - 1;
    if (size > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        let c = l;
        if (
          r < size &&
          ((times[r] as number) < (times[l] as number) ||
            ((times[r] as number) === (times[l] as number) && (orders[r] as number) < (orders[l] as number)))
        ) {
          c = r;
        }
        const ct = times[c] as number;
        if (ct > lastTime || (ct === lastTime && (orders[c] as number) > lastOrder)) break;
        times[i] = ct;
        orders[i] = orders[c] as number;
        agents[i] = agents[c] as Wakeable;
        i = c;
      }
      times[i] = lastTime;
      orders[i] = lastOrder;
      agents[i] = lastAgent;
    }
    return top;
  }

  /** Drops every wake-up. */
  clear(): void {
    this.times = [];
    this.orders = [];
    this.agents = [];
    this.counter = 0;
  }
}
