/**
 * A scriptable FIX 4.4 initiator for tests: it writes exactly the bytes a test asks for
 * (gaps, garbled frames, PossDup resends) and records what the acceptor answers.
 */
import { connect, type Socket } from 'node:net';

const SOH = '\u0001';

/** Encodes a FIX 4.4 message; `fields` are body fields after the standard header. */
export function encodeFix(
  msgType: string,
  header: { sender: string; target: string; seq: number; possDup?: boolean; sendingTime?: string },
  fields: [number, string | number][],
): string {
  const parts: string[] = [
    `35=${msgType}`,
    `49=${header.sender}`,
    `56=${header.target}`,
    `34=${header.seq}`,
    `52=${header.sendingTime ?? '20240301-12:00:00.000'}`,
  ];
  if (header.possDup) parts.push('43=Y', `122=${header.sendingTime ?? '20240301-12:00:00.000'}`);
  for (const [tag, value] of fields) parts.push(`${tag}=${value}`);
  const body = `${parts.join(SOH)}${SOH}`;
  const head = `8=FIX.4.4${SOH}9=${Buffer.byteLength(body)}${SOH}`;
  return `${head}${body}10=${checksum(head + body)}${SOH}`;
}

/** FIX checksum of `text`: byte sum mod 256, three digits. */
export function checksum(text: string): string {
  let sum = 0;
  for (const b of Buffer.from(text, 'utf8')) sum += b;
  return String(sum % 256).padStart(3, '0');
}

/** A parsed inbound message: tag → value (first occurrence). */
export type FixFields = Map<number, string>;

function parse(raw: string): FixFields {
  const out = new Map<number, string>();
  for (const part of raw.split(SOH)) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      const tag = Number(part.slice(0, eq));
      if (!out.has(tag)) out.set(tag, part.slice(eq + 1));
    }
  }
  return out;
}

/** The test initiator. */
export class FixPeer {
  readonly received: FixFields[] = [];
  private buffer = '';
  private waiters: { test: (m: FixFields) => boolean; resolve: (m: FixFields) => void }[] = [];
  closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    readonly sender: string,
    readonly target: string,
    public seq: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async connect(port: number, sender: string, target: string, firstSeq = 1): Promise<FixPeer> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    return new FixPeer(socket, sender, target, firstSeq);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const at = this.buffer.indexOf(`${SOH}10=`);
      if (at < 0 || this.buffer.length < at + 8) break;
      const end = at + 8;
      const msg = parse(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end);
      this.received.push(msg);
      const still: typeof this.waiters = [];
      for (const w of this.waiters) {
        if (w.test(msg)) w.resolve(msg);
        else still.push(w);
      }
      this.waiters = still;
    }
  }

  /** Resolves with the first message (already received or future) of `msgType` after index `from`. */
  async waitFor(msgType: string, from = 0, timeoutMs = 10_000): Promise<FixFields> {
    for (let i = from; i < this.received.length; i++) {
      const m = this.received[i] as FixFields;
      if (m.get(35) === msgType) return m;
    }
    return await new Promise<FixFields>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${msgType} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test: (m) => m.get(35) === msgType,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Sends a message under the next sequence number (or `seq` when given). */
  send(
    msgType: string,
    fields: [number, string | number][],
    options: { seq?: number; possDup?: boolean } = {},
  ): number {
    const seq = options.seq ?? this.seq++;
    this.write(
      encodeFix(
        msgType,
        { sender: this.sender, target: this.target, seq, possDup: options.possDup ?? false },
        fields,
      ),
    );
    return seq;
  }

  /** Writes raw bytes. */
  write(text: string): void {
    this.socket.write(text);
  }

  async logon(heartBtInt = 30): Promise<FixFields> {
    const from = this.received.length;
    this.send('A', [
      [98, 0],
      [108, heartBtInt],
    ]);
    return await this.waitFor('A', from);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Fields of an execution report. */
export function execReport(o: {
  execId: string;
  orderId: string;
  execType: '0' | '4' | '5' | 'F';
  side: 'buy' | 'sell';
  price: number;
  qty: number;
  account?: string;
  symbol?: string;
  lastPx?: number;
  lastQty?: number;
  transactTime?: string;
}): [number, string | number][] {
  const ordStatus = { '0': '0', '4': '4', '5': '5', F: '2' }[o.execType];
  const fields: [number, string | number][] = [
    [37, o.orderId],
    [11, o.orderId],
    [17, o.execId],
    [150, o.execType],
    [39, ordStatus],
    [55, o.symbol ?? 'BTC-USD'],
    [54, o.side === 'buy' ? '1' : '2'],
    [38, o.qty],
    [40, '2'],
    [44, o.price],
    [151, o.execType === 'F' || o.execType === '4' ? 0 : o.qty],
    [14, o.execType === 'F' ? o.qty : 0],
    [6, o.execType === 'F' ? (o.lastPx ?? o.price) : 0],
    [60, o.transactTime ?? '20240301-12:00:00.000000'],
  ];
  if (o.account !== undefined) fields.push([1, o.account]);
  if (o.execType === 'F') fields.push([31, o.lastPx ?? o.price], [32, o.lastQty ?? o.qty]);
  return fields;
}
