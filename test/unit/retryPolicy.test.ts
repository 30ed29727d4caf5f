import { describeFailure } from '../../nodes/Piopiy/transport/failure';
import {
	backoffDelay,
	decideRetry,
	DEFAULT_RETRY_SETTINGS,
	parseRetryAfter,
	type AttemptOutcome,
} from '../../nodes/Piopiy/transport/retryPolicy';
import type { PiopiyRequest, RequestEffect } from '../../nodes/Piopiy/transport/types';

const fresh = { attempts: 1, transientRetries: 0, waitedMs: 0 };
const reply = (statusCode: number, headers = {}): AttemptOutcome => ({
	kind: 'reply',
	statusCode,
	headers,
	body: {},
	failed: statusCode >= 300,
});
const never = () => 0.5;

describe('decideRetry: a call is never placed twice', () => {
	const effects: RequestEffect[] = ['placesCall', 'changesCall', 'repeatable'];

	test.each(effects)('%s: 429 is retried (Piopiy refused it, nothing happened)', (effect) => {
		expect(decideRetry(effect, reply(429, { 'retry-after': '2' }), fresh, DEFAULT_RETRY_SETTINGS)).toEqual({
			retry: true,
			delayMs: 2000,
			reason: 'rateLimited',
		});
	});

	test.each(effects)('%s: connection refused is retried (nothing was sent)', (effect) => {
		expect(decideRetry(effect, { kind: 'notSent', code: 'ECONNREFUSED' }, fresh, DEFAULT_RETRY_SETTINGS, never).retry).toBe(true);
	});

	const unknown: AttemptOutcome[] = [
		reply(500),
		reply(502),
		reply(503),
		{ kind: 'unknown', code: 'ETIMEDOUT' },
		{ kind: 'unknown', code: 'ECONNRESET' },
		{ kind: 'reply', statusCode: 200, headers: {}, body: '<html>', failed: true },
	];
	test.each(unknown)('a call with outcome %p is not sent again', (outcome) => {
		for (const effect of ['placesCall', 'changesCall'] as const) {
			expect(decideRetry(effect, outcome, fresh, DEFAULT_RETRY_SETTINGS)).toEqual({ retry: false, why: 'notRepeatable' });
		}
	});

	test('a repeatable request is retried on 5xx and timeouts, a bounded number of times', () => {
		expect(decideRetry('repeatable', reply(503), fresh, DEFAULT_RETRY_SETTINGS, never).retry).toBe(true);
		expect(decideRetry('repeatable', { kind: 'unknown', code: 'ETIMEDOUT' }, fresh, DEFAULT_RETRY_SETTINGS, never).retry).toBe(true);
		expect(
			decideRetry('repeatable', reply(503), { attempts: 3, transientRetries: 2, waitedMs: 0 }, DEFAULT_RETRY_SETTINGS),
		).toEqual({ retry: false, why: 'retriesSpent' });
	});

	test('4xx other than 429 is final for everything', () => {
		for (const status of [400, 401, 403, 404]) {
			expect(decideRetry('repeatable', reply(status), fresh, DEFAULT_RETRY_SETTINGS).retry).toBe(false);
		}
	});

	test('waiting stops when the wait budget would be exceeded', () => {
		const settings = { ...DEFAULT_RETRY_SETTINGS, maxWaitMs: 5000 };
		expect(decideRetry('placesCall', reply(429, { 'retry-after': '4' }), { ...fresh, waitedMs: 2000 }, settings)).toEqual({
			retry: false,
			why: 'waitBudgetSpent',
		});
	});
});

describe('Retry-After and backoff', () => {
	test('seconds, fractions and HTTP dates', () => {
		const now = Date.parse('2026-11-23T10:00:00Z');
		expect(parseRetryAfter('3', now)).toBe(3000);
		expect(parseRetryAfter('0.5', now)).toBe(500);
		expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:07 GMT', now)).toBe(7000);
		expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter('soon', now)).toBeUndefined();
	});

	test('backoff doubles, is jittered within [half, whole] of the step and capped', () => {
		expect(backoffDelay(0, DEFAULT_RETRY_SETTINGS, () => 0)).toBe(250);
		expect(backoffDelay(0, DEFAULT_RETRY_SETTINGS, () => 1)).toBe(500);
		expect(backoffDelay(3, DEFAULT_RETRY_SETTINGS, () => 1)).toBe(4000);
		expect(backoffDelay(20, DEFAULT_RETRY_SETTINGS, () => 1)).toBe(DEFAULT_RETRY_SETTINGS.maxBackoffMs);
	});
});

describe('describeFailure wording', () => {
	const call: PiopiyRequest = { api: 'voice', path: '/voice/ai/call', body: {}, effect: 'placesCall' };
	const base = { request: call, attempts: 1, waitedMs: 0, timeoutMs: 30_000, secrets: ['tok_secret_1'], why: 'notRepeatable' as const };

	test('a timeout on a call says it may have been placed and what to check', () => {
		const report = describeFailure({ ...base, outcome: { kind: 'unknown', code: 'ECONNABORTED' } });
		expect(report.message).toBe('Piopiy did not answer within 30 s');
		expect(report.description).toMatch(/may have been placed.*check the call log/);
	});

	test('a dropped connection on a transfer says the change may have been applied', () => {
		const report = describeFailure({
			...base,
			request: { ...call, effect: 'changesCall' },
			outcome: { kind: 'unknown', code: 'ECONNRESET' },
		});
		expect(report.message).toBe('The connection to Piopiy dropped before it answered');
		expect(report.description).toContain('ECONNRESET');
		expect(report.description).toMatch(/may have been applied/);
	});

	test('a refused connection says nothing was sent', () => {
		const report = describeFailure({ ...base, attempts: 3, outcome: { kind: 'notSent', code: 'ECONNREFUSED' } });
		expect(report.message).toBe('The node could not connect to Piopiy after 3 attempts');
		expect(report.description).toContain('ECONNREFUSED');
		expect(report.description).toMatch(/Nothing was sent/);
	});

	test('secrets in what Piopiy said are redacted', () => {
		const report = describeFailure({
			...base,
			outcome: { kind: 'reply', statusCode: 400, headers: {}, body: { error: 'bad tok_secret_1' }, failed: true },
		});
		expect(report.message).toBe('Piopiy refused the request (HTTP 400): bad [redacted]');
	});
});
