import { createHash } from 'crypto';

import { CallMemory } from './callMemory';
import { MONOTONIC_CLOCK } from './clock';

/**
 * The package's module state: one entry per Piopiy account per n8n process, shared by every
 * execution that uses the account. An account is its base URL and a fingerprint of its token (never
 * the token), so two accounts never share and one always does. n8n's rules allow no timers, so idle
 * accounts are dropped when an account is looked up, and the map is capped.
 */

/** What the process keeps for one account. */
export interface Account {
	/** The calls the account placed from this process (see callMemory). */
	readonly calls: CallMemory;
}

/** Idle this long, an account is dropped (its memory with it): longer than any repeat window. */
const IDLE_MS = 25 * 60 * 60_000;
/** At most this many accounts; past it the least recently used goes. */
const MAX_ACCOUNTS = 100;

interface Held {
	account: Account;
	lastUsed: number;
}

export class AccountRegistry {
	private readonly accounts = new Map<string, Held>();

	constructor(
		private readonly now: () => number = () => MONOTONIC_CLOCK.now(),
		private readonly maxAccounts = MAX_ACCOUNTS,
	) {}

	/** The account of this base URL and token, made on first use. */
	account(baseUrl: string, token: string): Account {
		const now = this.now();
		for (const [key, held] of this.accounts) {
			if (now - held.lastUsed < IDLE_MS) break;
			this.accounts.delete(key);
		}
		const key = `${baseUrl.replace(/\/+$/, '')}\n${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
		const held = this.accounts.get(key) ?? { account: { calls: new CallMemory() }, lastUsed: now };
		held.lastUsed = now;
		// Re-inserted: the map's order is the order of last use, oldest first.
		this.accounts.delete(key);
		this.accounts.set(key, held);
		while (this.accounts.size > this.maxAccounts) this.accounts.delete(this.accounts.keys().next().value as string);
		return held.account;
	}

	/** Forgets every account (a test's fresh process). */
	clear(): void {
		this.accounts.clear();
	}

	/** How many accounts are held. */
	get size(): number {
		return this.accounts.size;
	}
}

/** The registry of this n8n process. */
export const ACCOUNTS = new AccountRegistry();
