import { createHmac, randomBytes } from 'crypto';

import { DEFAULT_REPEAT_WINDOW_MIN } from '../descriptions/requestOptions.description';
import type { EarlierCall } from '../helpers/repeatGuard';
import { MONOTONIC_CLOCK } from './clock';

export type { EarlierCall };

/**
 * The calls one Piopiy account placed from this n8n process, so that the same call is not placed
 * again by another execution: a form submitted twice, an MCP client repeating its tool call, a
 * stopped campaign run again. Piopiy has no idempotency key, so the node has to remember.
 *
 * Kept per process: queue-mode workers each remember their own calls. Bounded: entries expire, and
 * past `maxEntries` the oldest go first. Nothing in it reads back as a phone number: keys are HMACs
 * under a random key that lives only in this object, so a leaked map cannot be reversed by trying
 * every number.
 */

/** Per account; 10 minutes at 20 calls a second is 12,000 calls. */
export const MAX_REMEMBERED_CALLS = 20_000;

interface Entry {
	state: EarlierCall['state'];
	/** The execution that sent it. */
	run: string;
	/** Monotonic ms: what windows are measured with. */
	sentAt: number;
	sentAtEpochMs: number;
	/** Monotonic ms after which the entry is dropped, whatever window asks. */
	keepUntil: number;
	callId?: string;
	keys: string[];
}

export interface CallMemoryOptions {
	maxEntries?: number;
	/** Monotonic time; tests inject their own. */
	now?: () => number;
	/** Wall time for the message; tests inject their own. */
	epochNow?: () => number;
}

/** What a call about to be sent is, for the memory. */
export interface CallToRemember {
	/** Who it rings and with what (see `callIdentityText`): compared, never stored in clear. */
	identity: string;
	/** The user's Idempotency Key for this item, when set. */
	idempotencyKey?: string;
}

/** A call claimed for sending: say what became of it, exactly once. */
export interface CallClaim {
	/** Piopiy accepted it. */
	placed(callId: string | undefined): void;
	/** No clear answer (timeout, 5xx, reset): it may have been placed, so it stays remembered as sent. */
	unknownOutcome(): void;
	/** It certainly placed nothing (refused, or never sent): forgotten, so it may go again. */
	notPlaced(): void;
}

export class CallMemory {
	private readonly entries = new Map<string, Entry>();
	private readonly secret = randomBytes(32);
	private readonly maxEntries: number;
	private readonly now: () => number;
	private readonly epochNow: () => number;

	constructor(options: CallMemoryOptions = {}) {
		this.maxEntries = options.maxEntries ?? MAX_REMEMBERED_CALLS;
		this.now = options.now ?? (() => MONOTONIC_CLOCK.now());
		this.epochNow = options.epochNow ?? (() => Date.now());
	}

	/** How many keys are held (a call with an Idempotency Key holds two). */
	get size(): number {
		return this.entries.size;
	}

	/**
	 * The earlier call that matches `call` within `windowMs`, if there is one; otherwise the call is
	 * claimed (remembered as being sent) and the claim returned. Calls of the same `run` (an
	 * execution) never match each other: within one execution the node sends what the builder asked
	 * (a campaign's duplicate numbers, a loop), and an AI Agent's repeats have their own guard. A
	 * window of 0 checks nothing but still remembers the call, for runs that do check.
	 */
	claim(call: CallToRemember, windowMs: number, run: string): { earlier: EarlierCall } | { claim: CallClaim } {
		const now = this.now();
		this.dropExpired(now);
		const keys = [this.key('call', call.identity)];
		if (call.idempotencyKey !== undefined && call.idempotencyKey !== '') keys.push(this.key('idempotencyKey', call.idempotencyKey));
		let sameRun = false;
		if (windowMs > 0) {
			for (const key of keys) {
				const entry = this.entries.get(key);
				if (!entry || entry.keepUntil <= now || now - entry.sentAt >= windowMs) continue;
				if (entry.run === run) {
					sameRun = true;
					continue;
				}
				return {
					earlier: {
						state: entry.state,
						matchedBy: key === keys[0] ? 'call' : 'idempotencyKey',
						sentAtEpochMs: entry.sentAtEpochMs,
						callId: entry.callId,
					},
				};
			}
		}
		const entry: Entry = {
			state: 'sending',
			run,
			sentAt: now,
			sentAtEpochMs: this.epochNow(),
			keepUntil: now + Math.max(windowMs, DEFAULT_REPEAT_WINDOW_MIN * 60_000),
			keys,
		};
		// A repeat within the run leaves the earlier call's entry alone until it is known to have acted.
		if (!sameRun) this.remember(entry);
		let settled = false;
		const settle = (state: 'placed' | 'unknownOutcome' | undefined, callId?: string) => {
			if (settled) return;
			settled = true;
			if (state === undefined) {
				for (const key of entry.keys) if (this.entries.get(key) === entry) this.entries.delete(key);
				return;
			}
			entry.state = state;
			entry.callId = callId;
			if (sameRun) this.remember(entry);
		};
		return {
			claim: {
				placed: (callId) => settle('placed', callId),
				unknownOutcome: () => settle('unknownOutcome'),
				notPlaced: () => settle(undefined),
			},
		};
	}

	/** Whether any call is still remembered at `now` (on the memory's clock). */
	remembersAt(now: number): boolean {
		this.dropExpired(now);
		for (const entry of this.entries.values()) if (entry.keepUntil > now) return true;
		return false;
	}

	/** Forgets every call (a test's fresh process). */
	clear(): void {
		this.entries.clear();
	}

	private remember(entry: Entry): void {
		for (const key of entry.keys) {
			// Re-inserted, so the map's order stays the order calls were sent (oldest first).
			this.entries.delete(key);
			this.entries.set(key, entry);
		}
		while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
	}

	/** Drops expired entries from the oldest on; one kept longer stops the sweep, and lookups check expiry too. */
	private dropExpired(now: number): void {
		for (const [key, entry] of this.entries) {
			if (entry.keepUntil > now) return;
			this.entries.delete(key);
		}
	}

	/** A keyed hash: the kind's first letter, then the HMAC. Equal inputs give equal keys in this object only. */
	private key(kind: 'call' | 'idempotencyKey', value: string): string {
		return kind[0] + createHmac('sha256', this.secret).update(`${kind}\0${value}`).digest('base64').slice(0, 32);
	}
}
