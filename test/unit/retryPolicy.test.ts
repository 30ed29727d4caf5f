import { judgeReply } from '../../nodes/Piopiy/helpers/response';
import { InvalidFieldError } from '../../nodes/Piopiy/helpers/errors';
import type { Clock } from '../../nodes/Piopiy/transport/clock';
import { describeFailure, describeUnusableUrl, type FailureContext } from '../../nodes/Piopiy/transport/failure';
import { RateLimiter } from '../../nodes/Piopiy/transport/rateLimiter';
import { sendUntilSettled } from '../../nodes/Piopiy/transport/request';
import {
	backoffDelay,
	decideRetry,
	DEFAULT_RETRY_SETTINGS,
	mayHaveActed,
	parseRetryAfter,
	rateLimitDelay,
	STOPPED_BEFORE_SENDING,
	type AttemptOutcome,
} from '../../nodes/Piopiy/transport/retryPolicy';
import type { PiopiyRequest, RequestEffect } from '../../nodes/Piopiy/transport/types';

const fresh = { attempts: 1, transientRetries: 0, elapsedMs: 0 };
const reply = (statusCode: number, headers: Record<string, unknown> = {}, body: unknown = {}): AttemptOutcome => ({
	kind: 'reply',
	statusCode,
	headers,
	body,
	verdict: judgeReply(statusCode, body),
});
const never = () => 0.5;

describe('decideRetry: a call is never placed twice', () => {
	const effects: RequestEffect[] = ['placesCall', 'changesCall', 'repeatable'];

	test.each(effects)('%s: 429 is retried (Piopiy refused it, nothing happened)', (effect) => {
		expect(decideRetry(effect, reply(429, { 'retry-after': '2' }), fresh, DEFAULT_RETRY_SETTINGS, () => 0)).toEqual({
			retry: true,
			delayMs: 2000,
			reason: 'rateLimited',
		});
	});

	test.each(effects)('%s: host not found or connection refused is retried (nothing was sent)', (effect) => {
		for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']) {
			expect(decideRetry(effect, { kind: 'notSent', code }, fresh, DEFAULT_RETRY_SETTINGS, never).retry).toBe(true);
		}
	});

	test.each(effects)('%s: a TLS failure or an unusable URL is not sent again: it would fail the same way', (effect) => {
		for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_INVALID_URL']) {
			expect(decideRetry(effect, { kind: 'notSent', code }, fresh, DEFAULT_RETRY_SETTINGS)).toEqual({
				retry: false,
				why: 'wouldFailAgain',
			});
		}
	});

	const unknown: AttemptOutcome[] = [
		reply(500),
		reply(502),
		reply(503),
		{ kind: 'unknown', code: 'ETIMEDOUT' },
		{ kind: 'unknown', code: 'ECONNRESET' },
		reply(200, {}, '<html>'),
		reply(200, {}, { success: true, error: 'x' }),
		reply(200, {}, { success: false, call_id: 'c' }),
		reply(429, {}, { request_id: 'r' }),
		reply(303),
	];
	test.each(unknown)('a call with outcome %p is not sent again, and may have acted', (outcome) => {
		for (const effect of ['placesCall', 'changesCall'] as const) {
			expect(decideRetry(effect, outcome, fresh, DEFAULT_RETRY_SETTINGS)).toEqual({ retry: false, why: 'notRepeatable' });
		}
		expect(mayHaveActed(outcome)).toBe(true);
	});

	test.each([
		reply(400),
		reply(401),
		reply(404),
		reply(301),
		reply(200, {}, { success: false }),
		{ kind: 'notSent', code: 'ECONNREFUSED' } as const,
	])('outcome %p certainly did not act', (outcome) => {
		expect(mayHaveActed(outcome)).toBe(false);
	});

	test('a repeatable request is retried on 5xx and timeouts, a bounded number of times', () => {
		expect(decideRetry('repeatable', reply(503), fresh, DEFAULT_RETRY_SETTINGS, never).retry).toBe(true);
		expect(decideRetry('repeatable', { kind: 'unknown', code: 'ETIMEDOUT' }, fresh, DEFAULT_RETRY_SETTINGS, never).retry).toBe(true);
		expect(
			decideRetry('repeatable', reply(503), { attempts: 3, transientRetries: 2, elapsedMs: 0 }, DEFAULT_RETRY_SETTINGS),
		).toEqual({ retry: false, why: 'retriesSpent' });
	});

	test('a repeatable request whose reply contradicts itself is not retried: it is no passing failure', () => {
		expect(decideRetry('repeatable', reply(200, {}, { success: true, error: 'x' }), fresh, DEFAULT_RETRY_SETTINGS)).toEqual({
			retry: false,
			why: 'notRepeatable',
		});
	});

	test('4xx other than 429 is final for everything', () => {
		for (const status of [400, 401, 403, 404]) {
			expect(decideRetry('repeatable', reply(status), fresh, DEFAULT_RETRY_SETTINGS).retry).toBe(false);
		}
	});

	test('the wait budget is the time since the first attempt: a retry that would end past it is not made', () => {
		const settings = { ...DEFAULT_RETRY_SETTINGS, maxWaitMs: 5000 };
		expect(decideRetry('placesCall', reply(429, { 'retry-after': '4' }), { ...fresh, elapsedMs: 1000 }, settings, () => 0).retry).toBe(true);
		expect(decideRetry('placesCall', reply(429, { 'retry-after': '4' }), { ...fresh, elapsedMs: 1001 }, settings, () => 0)).toEqual({
			retry: false,
			why: 'waitBudgetSpent',
		});
	});
});

describe('Retry-After and backoff', () => {
	const now = Date.parse('2026-11-23T10:00:00Z');

	test('seconds, fractions and HTTP dates', () => {
		expect(parseRetryAfter('3', now)).toBe(3000);
		expect(parseRetryAfter('0.5', now)).toBe(500);
		expect(parseRetryAfter(['7'], now)).toBe(7000);
		expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:07 GMT', now)).toBe(7000);
		expect(parseRetryAfter('Monday, 23-Nov-26 10:00:07 GMT', now)).toBe(7000);
		expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
	});

	test.each([undefined, '', 'soon', '-5', '-0.5', '1e3', 'NaN', 'Infinity', '5 apples', {}])(
		'%p is not read as a pause',
		(value) => {
			expect(parseRetryAfter(value, now)).toBeUndefined();
		},
	);

	test('backoff doubles, is jittered within [half, whole] of the step and capped', () => {
		expect(backoffDelay(0, DEFAULT_RETRY_SETTINGS, () => 0)).toBe(250);
		expect(backoffDelay(0, DEFAULT_RETRY_SETTINGS, () => 1)).toBe(500);
		expect(backoffDelay(3, DEFAULT_RETRY_SETTINGS, () => 1)).toBe(4000);
		expect(backoffDelay(20, DEFAULT_RETRY_SETTINGS, () => 1)).toBe(DEFAULT_RETRY_SETTINGS.maxBackoffMs);
		expect(backoffDelay(-1, DEFAULT_RETRY_SETTINGS, () => 1)).toBe(500);
	});

	test.each(['0', '0.1', '-5', 'garbage', 'Mon, 23 Nov 2026 09:00:00 GMT', undefined])(
		'a 429 with Retry-After %p waits the backoff step, never less',
		(value) => {
			for (let step = 0; step < 8; step++) {
				expect(rateLimitDelay(value, step, DEFAULT_RETRY_SETTINGS, () => 0, now)).toBe(backoffDelay(step, DEFAULT_RETRY_SETTINGS, () => 0));
			}
			expect(rateLimitDelay(value, 0, DEFAULT_RETRY_SETTINGS, () => 0, now)).toBeGreaterThanOrEqual(250);
		},
	);

	test('a Retry-After shorter than a backoff step is still a floor: the wait is never shorter than it', () => {
		// 400 ms is under the 500 ms step; the first step's jitter may pick 250 ms, which would be too early.
		expect(rateLimitDelay('0.4', 0, DEFAULT_RETRY_SETTINGS, () => 0, now)).toBe(400);
		expect(rateLimitDelay('0.4', 0, DEFAULT_RETRY_SETTINGS, () => 1, now)).toBe(500);
		const inAMoment = new Date(now + 1000).toUTCString(); // an HTTP date 1 s ahead: a real pause
		expect(rateLimitDelay(inAMoment, 0, DEFAULT_RETRY_SETTINGS, () => 0, now)).toBe(1000);
	});

	test('a Retry-After of at least one backoff step is taken as it comes, plus up to a quarter at random', () => {
		expect(rateLimitDelay('0.5', 5, DEFAULT_RETRY_SETTINGS, () => 0, now)).toBe(500);
		expect(rateLimitDelay('30', 0, DEFAULT_RETRY_SETTINGS, () => 0, now)).toBe(30_000);
		expect(rateLimitDelay('1', 0, DEFAULT_RETRY_SETTINGS, () => 0.5, now)).toBe(1125);
		expect(rateLimitDelay('1', 0, DEFAULT_RETRY_SETTINGS, () => 1, now)).toBe(1250);
	});
});

/** Time that moves only when told to: sleeping advances it at once. */
class FakeClock implements Clock {
	t = 1_000_000;
	sleeps: number[] = [];
	now = () => this.t;
	sleep = async (ms: number) => {
		this.sleeps.push(ms);
		this.t += Math.max(0, ms);
	};
}

describe('sendUntilSettled: every wait ends (injected clock)', () => {
	const budgetMs = 10_000;

	/** Sends until settled, each attempt taking `attemptMs` on a fake clock and getting `answer`. */
	async function settle(
		answer: () => AttemptOutcome,
		{
			attemptMs = 0,
			capPerSecond = 0,
			maxWaitMs = budgetMs,
			effect = 'placesCall' as RequestEffect,
			stopSignal = undefined as AbortSignal | undefined,
		} = {},
	) {
		const clock = new FakeClock();
		const startedAt: number[] = [];
		const settled = await sendUntilSettled(
			effect,
			async () => {
				startedAt.push(clock.t);
				clock.t += attemptMs;
				return answer();
			},
			{
				retry: { ...DEFAULT_RETRY_SETTINGS, maxWaitMs },
				rateLimiter: new RateLimiter({ capPerSecond, concurrency: 1, clock }),
				stopSignal,
			},
			() => 0.5,
		);
		return { settled, startedAt, clock };
	}

	test.each(['0', '-1', 'garbage', 'Thu, 01 Jan 1970 00:00:00 GMT', undefined])(
		'429 with Retry-After %p forever: the item ends within its budget plus one attempt, with a bounded number of requests',
		async (retryAfter) => {
			const headers = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
			const { settled, startedAt } = await settle(() => reply(429, headers, { error: 'slow down' }), { attemptMs: 40 });
			expect(settled.why).toBe('waitBudgetSpent');
			expect(settled.attempts).toBe(startedAt.length);
			expect(settled.elapsedMs).toBeLessThanOrEqual(budgetMs + 40);
			// Backoff from 0.375 s doubling (jitter 0.5): 0.375 + 0.75 + 1.5 + 3 = 5.6 s, the next (6 s) would pass 10 s.
			expect(startedAt).toHaveLength(5);
			const gaps = startedAt.slice(1).map((start, index) => start - startedAt[index]);
			expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
		},
	);

	test('an attempt that takes the whole request timeout each time still ends within budget + one timeout', async () => {
		const { settled } = await settle(() => reply(429, { 'retry-after': '0' }), { attemptMs: 7000, effect: 'repeatable' });
		expect(settled.why).toBe('waitBudgetSpent');
		expect(settled.elapsedMs).toBeLessThanOrEqual(budgetMs + 7000);
	});

	test('pacing counts toward the budget: a retry whose turn would come after it is not sent', async () => {
		// 0.2/s: each start is 5 s after the previous one.
		const { settled, startedAt } = await settle(() => reply(429, { 'retry-after': '1' }), { attemptMs: 10, capPerSecond: 0.2 });
		expect(settled.why).toBe('waitBudgetSpent');
		// Starts at 0 s, 5 s, 10 s: the one at 15 s would be past the 10 s budget.
		expect(startedAt.map((start) => start - startedAt[0])).toEqual([0, 5000, 10_000]);
		expect(settled.elapsedMs).toBeLessThanOrEqual(budgetMs + 10);
	});

	test('a budget of 0 sends once', async () => {
		const { settled, startedAt } = await settle(() => reply(429, { 'retry-after': '0' }), { maxWaitMs: 0 });
		expect([startedAt.length, settled.why]).toEqual([1, 'waitBudgetSpent']);
	});

	test('a stopped execution starts no attempt: notSent, nothing sent', async () => {
		const { settled, startedAt } = await settle(() => reply(200, {}, { success: true }), { stopSignal: AbortSignal.abort() });
		expect(startedAt).toEqual([]);
		expect(settled).toEqual({ outcome: { kind: 'notSent', code: STOPPED_BEFORE_SENDING }, why: 'stopped', attempts: 0, elapsedMs: 0 });
	});

	test('stopped while waiting out a 429: not sent again, the 429 is the outcome', async () => {
		const stop = new AbortController();
		const { settled, startedAt } = await settle(
			() => {
				stop.abort();
				return reply(429, { 'retry-after': '1' });
			},
			{ stopSignal: stop.signal },
		);
		expect(startedAt).toHaveLength(1);
		expect([settled.why, settled.attempts, settled.outcome.kind]).toEqual(['stopped', 1, 'reply']);
	});

	test('an attempt n8n aborted because the execution was stopped: stopped, its outcome unknown', async () => {
		const stop = new AbortController();
		const { settled } = await settle(
			() => {
				stop.abort();
				return { kind: 'unknown', code: 'ERR_CANCELED' };
			},
			{ stopSignal: stop.signal, effect: 'repeatable' },
		);
		expect([settled.why, settled.attempts, settled.outcome]).toEqual(['stopped', 1, { kind: 'unknown', code: 'ERR_CANCELED' }]);
	});

	test('an accepted reply that comes back after the stop is a placed call, as it is', async () => {
		const stop = new AbortController();
		const { settled } = await settle(
			() => {
				stop.abort();
				return reply(200, {}, { success: true, call_id: 'c' });
			},
			{ stopSignal: stop.signal },
		);
		expect(settled.why).toBe('done');
	});

	test('a 2xx that contradicts itself is sent once and settles as it came', async () => {
		const { settled, startedAt, clock } = await settle(() => reply(200, {}, { success: false, call_id: 'c' }));
		expect([startedAt.length, settled.why, clock.sleeps]).toEqual([1, 'notRepeatable', []]);
	});
});

describe('describeFailure wording', () => {
	const call: PiopiyRequest = { api: 'voice', path: '/voice/ai/call', body: {}, effect: 'placesCall' };
	const balance: PiopiyRequest = { api: 'account', path: '/v2/balance', body: {}, effect: 'repeatable' };
	const base: Omit<FailureContext, 'outcome'> = {
		request: call,
		baseUrl: 'https://rest.piopiy.com/v3',
		attempts: 1,
		elapsedMs: 0,
		maxWaitMs: 120_000,
		timeoutMs: 30_000,
		secrets: ['tok_secret_1'],
		why: 'notRepeatable',
	};

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

	test('a stopped execution: before the first attempt, during one, and between two', () => {
		const stopped = { ...base, why: 'stopped' as const };
		expect(describeFailure({ ...stopped, attempts: 0, outcome: { kind: 'notSent', code: STOPPED_BEFORE_SENDING } })).toEqual({
			message: 'Not sent: the execution was stopped',
			description: 'Nothing was sent, so nothing was placed and it is safe to run this item again.',
		});
		const during = describeFailure({ ...stopped, outcome: { kind: 'unknown', code: 'ERR_CANCELED' } });
		expect(during.message).toBe('The execution was stopped before Piopiy answered');
		expect(during.description).toMatch(/^n8n ended the request when the execution was stopped \(ERR_CANCELED\)\. The call may have been placed\./);
		const between = describeFailure({ ...stopped, attempts: 2, outcome: reply(429) });
		expect(between.message).toBe('Not sent again: the execution was stopped after 2 attempts');
		expect(between.description).toBe('No attempt was accepted, so nothing was placed and it is safe to run this item again.');
	});

	test('a refused connection says nothing was sent and names the setting to check', () => {
		const report = describeFailure({ ...base, attempts: 3, outcome: { kind: 'notSent', code: 'ECONNREFUSED' } });
		expect(report.message).toBe('The node could not connect to Piopiy after 3 attempts');
		expect(report.description).toBe(
			'Network error ECONNREFUSED: nothing accepted a connection at rest.piopiy.com. Nothing was sent, so nothing was placed and it is safe to run this item again. Check the Base URL of the Piopiy API credential (now "https://rest.piopiy.com/v3"; Piopiy\'s is https://rest.piopiy.com/v3). If it is right, check that your n8n can reach it (firewall, proxy).',
		);
	});

	test.each([
		['ENOTFOUND', 'The node could not find the host of Piopiy', /the host name rest\.piopiy\.com did not resolve/],
		['EAI_AGAIN', 'The node could not find the host of Piopiy', /did not resolve/],
		['EHOSTUNREACH', 'The node could not connect to Piopiy', /nothing accepted a connection/],
		['ENETUNREACH', 'The node could not connect to Piopiy', /nothing accepted a connection/],
		['DEPTH_ZERO_SELF_SIGNED_CERT', 'The node could not make a secure connection to Piopiy', /is self-signed/],
		['SELF_SIGNED_CERT_IN_CHAIN', 'The node could not make a secure connection to Piopiy', /is self-signed/],
		['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'The node could not make a secure connection to Piopiy', /authority your n8n does not trust/],
		['CERT_HAS_EXPIRED', 'The node could not make a secure connection to Piopiy', /has expired/],
		['ERR_TLS_CERT_ALTNAME_INVALID', 'The node could not make a secure connection to Piopiy', /is for another host name/],
		['ERR_SSL_WRONG_VERSION_NUMBER', 'The node could not make a secure connection to Piopiy', /does not speak HTTPS/],
		['ERR_INVALID_URL', 'The node could not use the Base URL of the Piopiy API credential', /Error ERR_INVALID_URL/],
	])('%s: not sent, safe to run again, the Base URL named', (code, message, problem) => {
		const report = describeFailure({ ...base, outcome: { kind: 'notSent', code } });
		expect(report.message).toBe(message);
		expect(report.description).toMatch(problem);
		expect(report.description).toContain('Nothing was sent, so nothing was placed and it is safe to run this item again.');
		expect(report.description).toContain('Check the Base URL of the Piopiy API credential');
		expect(report.description).not.toMatch(/may have been placed/);
	});

	test('on the account API, the Account API URL is the setting named', () => {
		const report = describeFailure({
			...base,
			request: balance,
			baseUrl: 'https://rest.telecmi.example',
			outcome: { kind: 'notSent', code: 'ENOTFOUND' },
		});
		expect(report.message).toBe('The node could not find the host of the TeleCMI account API');
		expect(report.description).toContain(
			'Check the Account API URL of the Piopiy API credential (now "https://rest.telecmi.example"; TeleCMI\'s is https://rest.telecmi.com).',
		);
	});

	test('an unusable credential URL: what was received, what is expected, nothing sent; secrets redacted', () => {
		const report = describeUnusableUrl(
			new InvalidFieldError('Base URL of the Piopiy API credential', 'tok_secret_1', 'an absolute URL'),
			['tok_secret_1'],
		);
		expect(report).toEqual({
			message: 'The Base URL of the Piopiy API credential is not a usable URL: received "[redacted]"',
			description:
				'Expected an absolute URL. Nothing was sent, so nothing was placed and it is safe to run this item again once the credential is fixed.',
		});
	});

	test('secrets in what Piopiy said are redacted', () => {
		const report = describeFailure({ ...base, outcome: reply(400, {}, { error: 'bad tok_secret_1' }) });
		expect(report.message).toBe('Piopiy refused the request (HTTP 400): bad [redacted]');
	});

	test('a 2xx that contradicts itself is unknown: the call may have been placed, check the call log', () => {
		const report = describeFailure({ ...base, outcome: reply(200, {}, { success: false, error: 'Queue full', call_id: 'c-1' }) });
		expect(report.message).toBe('Piopiy answered HTTP 200 with a reply that contradicts itself');
		expect(report.description).toBe(
			'It says it failed (error: "Queue full", success: false) and also that it succeeded (an ID ("c-1")), so it is neither a clear refusal nor a clear success. The call may have been placed. Piopiy has no way to ask whether it was, so the node did not send it again: check the call log in the Piopiy dashboard before running this item again.',
		);
	});

	test('a 4xx whose body says it succeeded is unknown too', () => {
		const report = describeFailure({ ...base, outcome: reply(400, {}, { success: true, request_id: 'r-1' }) });
		expect(report.description).toMatch(/^It says it failed \(HTTP 400\) and also that it succeeded \(success: true, an ID \("r-1"\)\)/);
		expect(report.description).toMatch(/may have been placed/);
	});

	test('the 429 that used up the budget says how long and how many attempts, and the setting', () => {
		const report = describeFailure({
			...base,
			why: 'waitBudgetSpent',
			attempts: 5,
			elapsedMs: 2950,
			maxWaitMs: 3000,
			outcome: reply(429, { 'retry-after': '0' }, { error: 'slow down' }),
		});
		expect(report.message).toBe('Piopiy is rate limiting requests (HTTP 429) and the node gave up after 5 attempts in 3 s');
		expect(report.description).toContain('nothing was placed and it is safe to run this item again');
		expect(report.description).toContain('"Max Rate-Limit Wait" (now 3 s)');
	});

	test('redirects: moved is not handled (safe), a 303 may have been', () => {
		const moved = describeFailure({ ...base, outcome: reply(308, { location: 'https://rest.piopiy.com/v3/voice/ai/call' }) });
		expect(moved.message).toBe('Piopiy answered HTTP 308: the address has moved');
		expect(moved.description).toMatch(/^It points to "https:\/\/rest\.piopiy\.com\/v3\/voice\/ai\/call"\. The request was not handled at this address, so nothing was placed/);
		const seeOther = describeFailure({ ...base, outcome: reply(303, { location: '/result' }) });
		expect(seeOther.message).toBe('Piopiy answered HTTP 303, which does not say whether it acted');
		expect(seeOther.description).toMatch(/The call may have been placed/);
	});

	describe('Get Balance: a 404 is told apart', () => {
		const balanceBase = { ...base, request: balance, baseUrl: 'https://rest.telecmi.com' };
		test("TeleCMI's own 404 (JSON with code 404) means wrong App ID or App Secret", () => {
			for (const body of [{ code: 404, msg: 'Invalid appid or secret' }, { code: '404', message: 'x' }]) {
				const report = describeFailure({ ...balanceBase, outcome: reply(404, {}, body) });
				expect(report.message).toBe('TeleCMI rejected the App ID or App Secret (HTTP 404)');
			}
		});
		test.each([
			['an HTML page', '<html><body>Not Found</body></html>'],
			['an empty body', {}],
			['JSON of another shape', { error: 'not found' }],
			['JSON with another code', { code: 'NOT_FOUND', message: 'no route' }],
		])('%s means the Account API URL is wrong', (_name, body) => {
			const report = describeFailure({ ...balanceBase, outcome: reply(404, {}, body) });
			expect(report.message).toBe('No TeleCMI account API answered at the Account API URL (HTTP 404)');
			expect(report.description).toContain('Check the Account API URL of the Piopiy API credential (now "https://rest.telecmi.com"');
			expect(report.description).not.toMatch(/App Secret of/);
		});
	});
});
