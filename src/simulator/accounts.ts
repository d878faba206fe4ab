/**
 * The simulated account universe and its beneficial owners. Fixed for every seed, so an
 * owner map configured once fits every run.
 *
 * Layout (120 venue accounts `acct-000`…`acct-119`, 40 wallets):
 * - `acct-000`…`acct-015`: market makers; four firms, each holding four accounts.
 * - `acct-016`…`acct-079`: noise traders; `acct-016`…`acct-027` are six owners with two
 *   accounts each (a household or a fund with sub-accounts), the rest own themselves.
 * - `acct-080`…`acct-089`: momentum and informed traders.
 * - `acct-090`…`acct-119`: not used by normal trading; scenarios draw their actors from
 *   here by default. Some of their owners hold several accounts (`acct-090/091`,
 *   `acct-092/093`, `acct-094/095/096`), the rest own themselves.
 * - 40 wallets: the first 30 swap on the DEX in normal trading, the last 10 are for
 *   scenarios; wallets 30/31 and 32/33 share an owner.
 *
 * Owners are named `owner-NNN`; nothing in an account or owner name tells its role.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { SeededRandom } from '../core/random';

const ACCOUNT_COUNT = 120;
const WALLET_COUNT = 40;

function accountName(i: number): string {
  return `acct-${String(i).padStart(3, '0')}`;
}

/** A deterministic 20-byte wallet address. */
export function walletAddress(i: number): string {
  return `0x${createHash('sha256').update(`tapewatch-sim-wallet:${i}`).digest('hex').slice(0, 40)}`;
}

/** Accounts by role, and the owner of every account and wallet. */
export class AccountUniverse {
  /** Every venue account. */
  readonly accounts: readonly string[];
  /** Every DEX wallet. */
  readonly wallets: readonly string[];
  readonly marketMakers: readonly string[];
  readonly noiseTraders: readonly string[];
  readonly momentumTraders: readonly string[];
  readonly informedTraders: readonly string[];
  /** Accounts normal trading never uses; scenario actors by default. */
  readonly scenarioAccounts: readonly string[];
  readonly noiseWallets: readonly string[];
  readonly scenarioWallets: readonly string[];
  /** account or wallet → owner. */
  readonly owners: Readonly<Record<string, string>>;

  constructor() {
    const accounts = Array.from({ length: ACCOUNT_COUNT }, (_, i) => accountName(i));
    const wallets = Array.from({ length: WALLET_COUNT }, (_, i) => walletAddress(i));
    const owners: Record<string, string> = {};
    let ownerSeq = 0;
    const newOwner = (): string => `owner-${String(ownerSeq++).padStart(3, '0')}`;
    const assign = (names: readonly string[], groupSizes: readonly number[]): void => {
      let i = 0;
      for (const size of groupSizes) {
        const owner = newOwner();
        for (let j = 0; j < size && i < names.length; j++) owners[names[i++] as string] = owner;
      }
      while (i < names.length) owners[names[i++] as string] = newOwner();
    };
    assign(accounts.slice(0, 16), [4, 4, 4, 4]);
    assign(accounts.slice(16, 80), [2, 2, 2, 2, 2, 2]);
    assign(accounts.slice(80, 90), []);
    assign(accounts.slice(90), [2, 2, 3]);
    assign(wallets.slice(0, 30), []);
    assign(wallets.slice(30), [2, 2]);
    this.accounts = accounts;
    this.wallets = wallets;
    this.marketMakers = accounts.slice(0, 16);
    this.noiseTraders = accounts.slice(16, 80);
    this.momentumTraders = accounts.slice(80, 85);
    this.informedTraders = accounts.slice(85, 90);
    this.scenarioAccounts = accounts.slice(90);
    this.noiseWallets = wallets.slice(0, 30);
    this.scenarioWallets = wallets.slice(30);
    this.owners = owners;
  }

  /** Owner of an account or wallet (itself when unknown). */
  ownerOf(account: string): string {
    return this.owners[account] ?? account;
  }

  /** Every owner with two or more accounts among `pool`, with those accounts. */
  multiAccountOwners(pool: readonly string[]): string[][] {
    const byOwner = new Map<string, string[]>();
    for (const a of pool) {
      const o = this.ownerOf(a);
      const list = byOwner.get(o);
      if (list === undefined) byOwner.set(o, [a]);
      else list.push(a);
    }
    return [...byOwner.values()].filter((list) => list.length >= 2);
  }

  /** `n` accounts from `pool` with pairwise different owners, chosen with `rng`. */
  distinctOwners(rng: SeededRandom, pool: readonly string[], n: number): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const candidates = [...pool];
    while (out.length < n && candidates.length > 0) {
      const [a] = candidates.splice(rng.int(candidates.length), 1) as [string];
      const o = this.ownerOf(a);
      if (seen.has(o)) continue;
      seen.add(o);
      out.push(a);
    }
    if (out.length < n) throw new RangeError(`only ${out.length} distinct owners available, ${n} needed`);
    return out;
  }

  /** `n` accounts of one owner from `pool`, chosen with `rng`. */
  sameOwner(rng: SeededRandom, pool: readonly string[], n: number): string[] {
    const groups = this.multiAccountOwners(pool).filter((g) => g.length >= n);
    if (groups.length === 0) throw new RangeError(`no owner holds ${n} accounts in the pool`);
    return rng.pick(groups).slice(0, n);
  }
}
