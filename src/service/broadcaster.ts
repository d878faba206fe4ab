/**
 * Fan-out of a stream (trades, signals, cases, narrative) to many subscribers, each with
 * its own bounded buffer. Publishing never waits for a subscriber: when a subscriber falls
 * behind, its oldest items are dropped and counted, so one slow reader can never slow
 * ingestion or the other readers.
 *
 * @module
 */

/** Options of one subscription. */
export interface SubscribeOptions<T> {
  /** Only items for which this returns true are delivered. */
  filter?: (item: T) => boolean;
  /** Items buffered for this subscriber before the oldest are dropped (default 10,000). */
  capacity?: number;
}

/** Default per-subscriber buffer. */
export const DEFAULT_SUBSCRIBER_CAPACITY = 10_000;

/**
 * One subscriber's view: an async iterator over the items published after it subscribed.
 *
 * @example
 * ```ts
 * const sub = signals.subscribe({ filter: (s) => s.instrument === 'BTC-USDT' });
 * for await (const s of sub) console.log(s.explanation);
 * ```
 */
export class Subscription<T> implements AsyncIterableIterator<T> {
  /** Items dropped because this subscriber's buffer was full. */
  dropped = 0;
  /** Items delivered to this subscriber. */
  delivered = 0;
  private readonly ring: (T | undefined)[];
  private head = 0;
  private count = 0;
  private closed = false;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;

  constructor(
    private readonly owner: Broadcaster<T>,
    readonly filter: ((item: T) => boolean) | undefined,
    readonly capacity: number,
  ) {
    this.ring = new Array<T | undefined>(capacity);
  }

  /** Items waiting in the buffer. */
  get buffered(): number {
    return this.count;
  }

  /** True once closed by the subscriber or the broadcaster. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal Called by the broadcaster. Returns true when an old item was dropped. */
  push(item: T): boolean {
    if (this.closed) return false;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      this.delivered++;
      waiter({ value: item, done: false });
      return false;
    }
    let droppedOne = false;
    if (this.count === this.capacity) {
      // Drop the oldest: a reader that fell behind sees the latest state, not a backlog.
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.dropped++;
      droppedOne = true;
    }
    this.ring[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return droppedOne;
  }

  /** The next buffered item without waiting, or undefined. */
  poll(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.ring[this.head] as T;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    this.delivered++;
    return item;
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.poll();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /** Stops delivery and releases the buffer; a pending `next()` resolves as done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ring.fill(undefined);
    this.count = 0;
    this.owner.unsubscribe(this);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ value: undefined, done: true });
  }
}

/** Publishes items to every current subscriber. */
export class Broadcaster<T> {
  private subscribers: Subscription<T>[] = [];
  /** Items dropped across all subscribers since creation. */
  dropped = 0;
  /** Items published since creation. */
  published = 0;

  /** Number of current subscribers. */
  get subscriberCount(): number {
    return this.subscribers.length;
  }

  /** True when at least one subscriber would receive something: lets publishers skip work. */
  get hasSubscribers(): boolean {
    return this.subscribers.length > 0;
  }

  /** Starts a subscription. */
  subscribe(options: SubscribeOptions<T> = {}): Subscription<T> {
    const capacity = options.capacity ?? DEFAULT_SUBSCRIBER_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    const sub = new Subscription<T>(this, options.filter, capacity);
    this.subscribers = [...this.subscribers, sub];
    return sub;
  }

  /** Delivers `item` to every subscriber whose filter accepts it. Never waits. */
  publish(item: T): void {
    this.published++;
    const subs = this.subscribers;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i] as Subscription<T>;
      if (sub.filter !== undefined && !sub.filter(item)) continue;
      if (sub.push(item)) this.dropped++;
    }
  }

  /** Ends every subscription (their iterators finish). */
  closeAll(): void {
    for (const sub of this.subscribers) sub.close();
    this.subscribers = [];
  }

  /** @internal Called by {@link Subscription.close}. */
  unsubscribe(sub: Subscription<T>): void {
    this.subscribers = this.subscribers.filter((s) => s !== sub);
  }
}
