/**
 * Beneficial-owner reference data: which accounts belong to the same person or firm.
 * Wash-trading rules compare owners, not raw accounts.
 *
 * @module
 */

/** Account → beneficial owner. Unmapped accounts are their own owner. */
export class OwnerMap {
  private readonly ownerByAccount = new Map<string, string>();

  /** @param initial - `{ account: owner }` pairs, as in `owners:` of tapewatch.yaml */
  constructor(initial?: Readonly<Record<string, string>>) {
    if (initial !== undefined) this.setMany(initial);
  }

  /** Maps `account` to `owner`. */
  set(account: string, owner: string): void {
    this.ownerByAccount.set(account, owner);
  }

  /** Maps every `account: owner` pair. */
  setMany(pairs: Readonly<Record<string, string>>): void {
    for (const account of Object.keys(pairs)) this.ownerByAccount.set(account, pairs[account] as string);
  }

  /** Removes the mapping of `account` (it becomes its own owner again). */
  delete(account: string): void {
    this.ownerByAccount.delete(account);
  }

  /** Owner of `account`, or the account itself when unmapped. */
  ownerOf(account: string): string {
    return this.ownerByAccount.get(account) ?? account;
  }

  /** True when both accounts have the same beneficial owner. */
  isSameOwner(a: string, b: string): boolean {
    return this.ownerOf(a) === this.ownerOf(b);
  }

  /** Accounts mapped to `owner` (not counting an unmapped account named like it). */
  accountsOf(owner: string): string[] {
    const out: string[] = [];
    for (const [account, o] of this.ownerByAccount) if (o === owner) out.push(account);
    return out;
  }

  /** Number of mapped accounts. */
  get size(): number {
    return this.ownerByAccount.size;
  }

  /** The mapping as a plain object. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.ownerByAccount);
  }

  /** Forgets every mapping. */
  clear(): void {
    this.ownerByAccount.clear();
  }
}
