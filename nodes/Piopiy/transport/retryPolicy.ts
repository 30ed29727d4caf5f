import type { RequestEffect } from './types';

/**
 * The one place that decides whether a request may be sent again. Piopiy has no idempotency key, so
 * a request that places or changes a call is repeated only when it certainly did nothing: Piopiy
 * refused it with 429, or the connection was refused before a byte was sent.
 */

/** What came of one attempt. */
export type AttemptOutcome =
	| { kind: 'reply'; statusCode: number; headers: Record<string, unknown>; body: unknown; failed: boolean }
	/** Nothing reached Piopiy (connection refused, host not found). */
	| { kind: 'notSent'; code: string }
	/** The request may have reached Piopiy, but no answer came back (timeout, reset). */
	| { kind: 'unknown'; code: string };

export interface RetrySettings {
	/** Longest total time spent waiting between attempts of one request, in ms. */
	maxWaitMs: number;
	/** How many times a request may be sent after a transient failure (not counting 429s). */
	maxTransientRetries: number;
	/** First backoff step, in ms; doubles each time, with jitter, up to `maxBackoffMs`. */
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
	| { retry: false; why: 'done' | 'notRepeatable' | 'waitBudgetSpent' | 'retriesSpent' };

export interface AttemptHistory {
	/** Attempts made so far, including the one whose outcome is being judged. */
	attempts: number;
	/** Transient (non-429) retries made so far. */
	transientRetries: number;
	/** Time already spent waiting between attempts, in ms. */
	waitedMs: number;
}

/** Parses `Retry-After`: delta seconds, or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** Exponential backoff with full jitter between half and the whole step. */
export function backoffDelay(step: number, settings: RetrySettings, random = Math.random): number {
	const ceiling = Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** step);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function isTransient(outcome: AttemptOutcome): boolean {
	if (outcome.kind === 'reply') return outcome.statusCode >= 500;
	return true;
}

/** Whether it is certain that the request did not act (so sending it again cannot double it). */
export function certainlyNotActed(outcome: AttemptOutcome): boolean {
	if (outcome.kind === 'notSent') return true;
	return outcome.kind === 'reply' && outcome.statusCode === 429;
}

/**
 * Whether a request that failed may still have acted: no answer came (timeout, reset), or Piopiy
 * answered 5xx or a 2xx that is not JSON. Everything else is a refusal: nothing happened.
 */
export function mayHaveActed(outcome: AttemptOutcome): boolean {
	if (outcome.kind !== 'reply') return outcome.kind === 'unknown';
	if (outcome.statusCode >= 500) return true;
	const notJson = typeof outcome.body !== 'object' || outcome.body === null;
	return outcome.statusCode >= 200 && outcome.statusCode < 300 && notJson;
}

export function decideRetry(
	effect: RequestEffect,
	outcome: AttemptOutcome,
	history: AttemptHistory,
	settings: RetrySettings,
	random = Math.random,
): RetryDecision {
	if (outcome.kind === 'reply' && !outcome.failed) return { retry: false, why: 'done' };

	const rateLimited = outcome.kind === 'reply' && outcome.statusCode === 429;
	const withinBudget = (delayMs: number): RetryDecision =>
		history.waitedMs + delayMs <= settings.maxWaitMs
			? { retry: true, delayMs, reason: rateLimited ? 'rateLimited' : 'transient' }
			: { retry: false, why: 'waitBudgetSpent' };

	if (rateLimited) {
		const delayMs =
			parseRetryAfter(outcome.headers['retry-after']) ?? backoffDelay(history.attempts - 1, settings, random);
		return withinBudget(delayMs);
	}

	const mayRepeat = effect === 'repeatable' ? isTransient(outcome) : certainlyNotActed(outcome);
	if (!mayRepeat) return { retry: false, why: 'notRepeatable' };
	if (history.transientRetries >= settings.maxTransientRetries) return { retry: false, why: 'retriesSpent' };
	return withinBudget(backoffDelay(history.transientRetries, settings, random));
}
