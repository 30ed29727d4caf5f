import { notSentStage } from '../helpers/errorCode';
import type { ReplyVerdict } from '../helpers/response';
import type { RequestEffect } from './types';

/**
 * The one place that decides whether a request may be sent again. Piopiy has no idempotency key, so
 * a request that places or changes a call is repeated only when it certainly did nothing: Piopiy
 * refused it with 429, or it never left this machine.
 */

/** What came of one attempt. */
export type AttemptOutcome =
	| { kind: 'reply'; statusCode: number; headers: Record<string, unknown>; body: unknown; verdict: ReplyVerdict }
	/** Nothing reached Piopiy: the URL was unusable, the host was not found or could not be reached, TLS failed. */
	| { kind: 'notSent'; code: string }
	/** The request may have reached Piopiy, but no answer came back (timeout, reset). */
	| { kind: 'unknown'; code: string };

export interface RetrySettings {
	/** Longest time from an item's first attempt to the start of its last retry, in ms. */
	maxWaitMs: number;
	/** How many times a request may be sent after a transient failure (not counting 429s). */
	maxTransientRetries: number;
	/**
	 * First backoff step, in ms; doubles each time, with jitter, up to `maxBackoffMs`. Also the
	 * shortest Retry-After taken as it comes: a shorter one (0, negative, unreadable, a date in the
	 * past) gives way to the backoff, so a server that keeps saying "now" is not hammered.
	 */
	baseBackoffMs: number;
	maxBackoffMs: number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
	maxWaitMs: 120_000,
	maxTransientRetries: 2,
	baseBackoffMs: 500,
	maxBackoffMs: 15_000,
};

export type RetryDecision =
	| { retry: true; delayMs: number; reason: 'rateLimited' | 'transient' }
	/** `wouldFailAgain`: it never left because of the set-up (a bad URL, an untrusted certificate). */
	| { retry: false; why: 'done' | 'notRepeatable' | 'wouldFailAgain' | 'waitBudgetSpent' | 'retriesSpent' };

/** Why a request stopped being sent: the retry policy's reason, or `stopped` (n8n stopped the execution). */
export type SettledWhy = Extract<RetryDecision, { retry: false }>['why'] | 'stopped';

/** The code of a `notSent` outcome for a request whose first attempt a stopped execution never started. */
export const STOPPED_BEFORE_SENDING = 'EXECUTION_STOPPED';

export interface AttemptHistory {
	/** Attempts made so far, including the one whose outcome is being judged. */
	attempts: number;
	/** Transient (non-429) retries made so far. */
	transientRetries: number;
	/** Wall time since the first attempt started, in ms (waits, pacing and the attempts themselves). */
	elapsedMs: number;
}

/** An HTTP date (RFC 9110: "Sun, 06 Nov 1994 08:49:37 GMT" and its two obsolete forms) has a month name. */
const HTTP_DATE = /[A-Za-z]{3}.*\d{2}:\d{2}:\d{2}/;

/**
 * Parses `Retry-After`: delta seconds, or an HTTP date. Undefined when absent or unreadable; a date
 * in the past gives 0. Never NaN, never negative.
 */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) {
		const ms = Math.round(Number(trimmed) * 1000);
		return Number.isFinite(ms) ? ms : undefined;
	}
	if (!HTTP_DATE.test(trimmed)) return undefined;
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** Exponential backoff with full jitter between half and the whole step. */
export function backoffDelay(step: number, settings: RetrySettings, random = Math.random): number {
	const ceiling = Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** Math.max(0, step));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Up to this share of a Retry-After is added at random. Requests refused together (the lanes of a
 * campaign, or campaigns sharing the limit) would otherwise come back together, a whole second
 * later, into the same full window, again and again: simulated with two campaigns 2 ms from Piopiy
 * (bench/simulate.ts), the later one got 0.00-0.08 of an even share and lost items to the wait
 * budget; with a quarter, 0.06-0.53 and none lost, for 0.2% of one campaign's speed.
 */
const RETRY_AFTER_SPREAD = 0.25;

/**
 * The wait before re-sending after a 429: Retry-After when it is a real pause (plus up to a
 * quarter, see RETRY_AFTER_SPREAD), else the backoff, and never less than Retry-After (a floor: the
 * server said when it would take the request).
 */
export function rateLimitDelay(
	retryAfterHeader: unknown,
	step: number,
	settings: RetrySettings,
	random = Math.random,
	now = Date.now(),
): number {
	const retryAfter = parseRetryAfter(retryAfterHeader, now);
	return retryAfter !== undefined && retryAfter >= settings.baseBackoffMs
		? retryAfter + Math.round(random() * retryAfter * RETRY_AFTER_SPREAD)
		: Math.max(retryAfter ?? 0, backoffDelay(step, settings, random));
}

function isTransient(outcome: AttemptOutcome): boolean {
	if (outcome.kind === 'reply') return outcome.verdict.reason === 'serverError';
	return true;
}

function isRateLimited(outcome: AttemptOutcome): boolean {
	return outcome.kind === 'reply' && outcome.verdict.kind === 'refused' && outcome.verdict.reason === 'rateLimited';
}

/** Whether it is certain that the request did not act (so sending it again cannot double it). */
export function certainlyNotActed(outcome: AttemptOutcome): boolean {
	return outcome.kind === 'notSent' || isRateLimited(outcome);
}

/**
 * Whether a request that failed may still have acted: no answer came (timeout, reset), or Piopiy's
 * answer cannot be trusted either way (5xx, not JSON, a reply that contradicts itself). Everything
 * else is a refusal, or never left: nothing happened.
 */
export function mayHaveActed(outcome: AttemptOutcome): boolean {
	if (outcome.kind === 'reply') return outcome.verdict.kind === 'unknown';
	return outcome.kind === 'unknown';
}

export function decideRetry(
	effect: RequestEffect,
	outcome: AttemptOutcome,
	history: AttemptHistory,
	settings: RetrySettings,
	random = Math.random,
): RetryDecision {
	if (outcome.kind === 'reply' && outcome.verdict.kind === 'accepted') return { retry: false, why: 'done' };

	const rateLimited = isRateLimited(outcome);
	const withinBudget = (delayMs: number): RetryDecision =>
		history.elapsedMs + delayMs <= settings.maxWaitMs
			? { retry: true, delayMs, reason: rateLimited ? 'rateLimited' : 'transient' }
			: { retry: false, why: 'waitBudgetSpent' };

	if (outcome.kind === 'reply' && rateLimited) {
		return withinBudget(rateLimitDelay(outcome.headers['retry-after'], history.attempts - 1, settings, random));
	}

	if (outcome.kind === 'notSent' && !['dns', 'connect'].includes(notSentStage(outcome.code) ?? '')) {
		return { retry: false, why: 'wouldFailAgain' };
	}
	const mayRepeat = effect === 'repeatable' ? isTransient(outcome) : certainlyNotActed(outcome);
	if (!mayRepeat) return { retry: false, why: 'notRepeatable' };
	if (history.transientRetries >= settings.maxTransientRetries) return { retry: false, why: 'retriesSpent' };
	return withinBudget(backoffDelay(history.transientRetries, settings, random));
}
