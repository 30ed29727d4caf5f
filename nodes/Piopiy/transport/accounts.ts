import { createHash } from 'crypto';

import { CallMemory } from './callMemory';
import { MONOTONIC_CLOCK, type Clock } from './clock';
import { AccountLimiter } from './rateLimiter';

/**
 * What an n8n process knows about each Piopiy account, shared by every execution that uses it: the
 * package's one piece of module state. Piopiy limits an account, not an execution, so a hundred form
 * submissions each learning the limit alone hammer it with refusals; sharing what is learned makes
 * them one well-behaved client. Each run takes a lease for its account and releases it in a
 * `finally`. n8n's rules allow no timers in a node, so idle accounts are forgotten when a lease is
 * taken, and the map is capped.
 */

/** The part of the credential that names an account. */
export interface AccountCredentials {
	baseUrl: string;
	apiToken: string;
}

/** An account unused this long is forgotten when the next lease is taken. */
export const ACCOUNT_IDLE_MS = 15 * 60_000;
/** Accounts kept at most; beyond it the longest idle are forgotten first (ones in use never are). */
export const MAX_ACCOUNTS = 100;

/**
 * The key of an account: the base URL and a fingerprint of the token, never the token itself (keys
 * may be logged or shown in a debugger). A SHA-256 prefix tells tokens apart and gives nothing back.
 */
export function accountKey(credentials: AccountCredentials): string {
	const fingerprint = createHash('sha256').update(String(credentials.apiToken ?? '')).digest('hex').slice(0, 16);
	return `${String(credentials.baseUrl ?? '').trim().replace(/\/+$/, '')} ${fingerprint}`;
}

/**
 * One Piopiy account as this process knows it. Other per-account state hangs on it as a field of
 * its own, so that one registry holds everything known about an account.
 */
export class Account {
	/** What has been learned about Piopiy's limit for this account, shared by every run. */
	readonly limiter: AccountLimiter;
	/** The calls this account placed from this process (issue 28): the same call is not placed again within a window. */
	readonly calls: CallMemory;
	/** Leases taken and not yet released: an account in use is never forgotten. */
	leases = 0;
	/** When a lease was last taken or released, on the registry's clock. */
	lastUsedAt: number;

	constructor(
		readonly key: string,
		readonly clock: Clock,
	) {
		this.limiter = new AccountLimiter(clock);
		this.calls = new CallMemory({ now: () => clock.now() });
		this.lastUsedAt = clock.now();
	}
}

/** A run's hold on its account, from before its first request until its `finally`. */
export interface AccountLease {
	readonly account: Account;
	/** Gives the account back. Safe to call more than once; only the first call counts. */
	release(): void;
}

export interface AccountRegistryOptions {
	clock?: Clock;
	idleMs?: number;
	maxAccounts?: number;
}

export class AccountRegistry {
	private readonly accounts = new Map<string, Account>();
	private readonly clock: Clock;
	private readonly idleMs: number;
	private readonly maxAccounts: number;

	constructor(options: AccountRegistryOptions = {}) {
		this.clock = options.clock ?? MONOTONIC_CLOCK;
		this.idleMs = options.idleMs ?? ACCOUNT_IDLE_MS;
		this.maxAccounts = options.maxAccounts ?? MAX_ACCOUNTS;
	}

	/** Takes a lease on the credential's account, creating the account if this process has not seen it. */
	lease(credentials: AccountCredentials): AccountLease {
		const now = this.clock.now();
		this.forgetIdle(now);
		const key = accountKey(credentials);
		let account = this.accounts.get(key);
		if (account) this.accounts.delete(key);
		account ??= new Account(key, this.clock);
		// Re-inserted: the map's order is then least recently used first.
		this.accounts.set(key, account);
		account.leases++;
		account.lastUsedAt = now;
		let released = false;
		return {
			account,
			release: () => {
				if (released) return;
				released = true;
				account.leases--;
				account.lastUsedAt = this.clock.now();
			},
		};
	}

	/** Forgets every account (tests: each test its own account, as each test is its own story). */
	clear(): void {
		this.accounts.clear();
	}

	/** The accounts known, by key (for tests and diagnostics; keys hold no token). */
	keys(): string[] {
		return [...this.accounts.keys()];
	}

	private forgetIdle(now: number): void {
		for (const [key, account] of this.accounts) {
			// Its memory of calls placed outlives idleness: a window may be longer than the idle time.
			if (account.leases === 0 && now - account.lastUsedAt >= this.idleMs && !account.calls.remembersAt(now)) this.accounts.delete(key);
		}
		// Least recently used first; accounts in use stay even past the cap.
		for (const [key, account] of this.accounts) {
			if (this.accounts.size < this.maxAccounts) break;
			if (account.leases === 0) this.accounts.delete(key);
		}
	}
}

/** The process's registry: every execution of the node in this n8n process shares it. */
export const ACCOUNTS = new AccountRegistry();
