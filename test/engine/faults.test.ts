import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ACCOUNTS } from '../../nodes/Piopiy/transport/accounts';
import { capturedLogs, runPiopiyNode } from '../support/engine';
import {
	announcedFixedWindow,
	echoNumber,
	hang,
	nonJson,
	okWithErrorBody,
	rateLimit,
	resetAfterRead,
	serverError,
	storm,
	withLatency,
} from '../support/faults';
import { aiCallParameters, everythingSeen } from '../support/fixtures';
import { PiopiyTestServer, type Behaviour } from '../support/piopiyServer';

/**
 * Bulk calls under faults. Whatever Piopiy does, per input item: at most one call placed (counted by
 * the server), exactly one output item, in input order, and a failed item says what happened and
 * what to do.
 */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
// One stand-in serves every test, so every test would be the same Piopiy account: what one test's
// 429s taught the node (a limit of one a second) would pace the next test's storm.
beforeEach(() => {
	server.reset();
	ACCOUNTS.clear();
});

/** Item i calls +91 90000 0000i..., so the server can count calls per item. */
function leads(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, index) => ({ phone: `+91 9${String(index).padStart(9, '0')}` }));
}
const numberOf = (index: number) => `919${String(index).padStart(9, '0')}`;

async function campaign(count: number, requestOptions: IDataObject = {}) {
	return await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions }),
		items: leads(count),
		credentials: server.credentials(),
		onError: 'continueRegularOutput',
	});
}

/** The invariants every fault mode must keep. Returns the failed items' messages. */
function expectInvariants(items: INodeExecutionData[], count: number): string[] {
	expect(items).toHaveLength(count);
	const placedPerNumber = new Map<string, number>();
	for (const request of server.placedCalls()) {
		const number = (request.body as { to_number: string }).to_number;
		placedPerNumber.set(number, (placedPerNumber.get(number) ?? 0) + 1);
	}
	expect(Math.max(0, ...placedPerNumber.values())).toBeLessThanOrEqual(1);
	const failures: string[] = [];
	items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		if (item.json.error) {
			expect(['refused', 'notSent', 'unknownOutcome']).toContain(item.json.message);
			failures.push(String(item.json.error));
		} else {
			expect(item.json.to_number).toBe(numberOf(index));
		}
	});
	for (const request of server.requests) expect(request.violations).toEqual([]);
	return failures;
}

const MAY_HAVE_PLACED = /The call may have been placed.*check the call log in the Piopiy dashboard before running this item again/;

test('latency: everything arrives, in order', async () => {
	server.behaviour = withLatency(30);
	const { items } = await campaign(40, { concurrency: 8 });
	expect(expectInvariants(items, 40)).toEqual([]);
	expect(server.placedCalls()).toHaveLength(40);
});

test('concurrency is real: N requests in flight at once, observed by the server', async () => {
	server.behaviour = withLatency(150);
	await campaign(24, { concurrency: 8 });
	expect(server.maxInFlight).toBe(8);
});

test('concurrency 1 sends one at a time', async () => {
	server.behaviour = withLatency(20);
	await campaign(6, { concurrency: 1 });
	expect(server.maxInFlight).toBe(1);
});

test('the client-side rate cap spaces request starts', async () => {
	server.behaviour = echoNumber;
	await campaign(11, { concurrency: 10, ratePerSecond: 20 });
	const starts = server.requests.map((request) => request.receivedAt);
	// 11 starts at 20/s span at least 10 intervals of 50 ms.
	expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(450);
});

test.each([
	['with Retry-After', true],
	['without Retry-After', false],
])('a 20 req/s server limit answering 429 %s: every lead called exactly once', async (_name, retryAfter) => {
	const limit = rateLimit(20, { retryAfter });
	server.behaviour = withLatency(10, (request, s) => limit(request, s) ?? echoNumber(request, s));
	const { items } = await campaign(50, { concurrency: 10 });
	expect(expectInvariants(items, 50)).toEqual([]);
	expect(server.placedCalls()).toHaveLength(50);
	expect(server.requests.filter((request) => request.status === 429).length).toBeGreaterThan(0);
});

test.each([
	['announces its limit in RateLimit headers: the node waits for the reset, no request is refused', true],
	['does not: the node learns the limit from 429s instead', false],
])('a server that %s', async (_name, announce) => {
	server.behaviour = announcedFixedWindow(4, 1000, { announce });
	const { items } = await campaign(10, { concurrency: 1 });
	expect(expectInvariants(items, 10)).toEqual([]);
	expect(server.placedCalls()).toHaveLength(10);
	const refused = server.requests.filter((request) => request.status === 429).length;
	if (announce) expect(refused).toBe(0);
	else expect(refused).toBeGreaterThan(0);
});

test('when the wait budget runs out the item fails, saying so and that nothing was placed', async () => {
	server.behaviour = () => ({ status: 429, body: { error: 'Too many requests' }, headers: { 'Retry-After': '1' } });
	const { items } = await campaign(2, { maxRateLimitWaitSec: 1.5 });
	const failures = expectInvariants(items, 2);
	expect(failures).toHaveLength(2);
	for (const failure of failures) {
		// Both items are refused at 0 s and wait out the Retry-After (1 s, plus up to a quarter). A
		// refused request holds no place in the window, so each may go again then; a third attempt
		// (after another second) would start past the 1.5 s budget, so each gives up instead.
		expect(failure).toMatch(/rate limiting requests \(HTTP 429\) and the node gave up after [12] attempts? in 1(\.\d)? s/);
		expect(failure).toMatch(/nothing was placed and it is safe to run this item again/);
	}
	expect(server.placedCalls()).toHaveLength(0);
	// At most two attempts per item within the budget.
	expect(server.requests.length).toBeGreaterThanOrEqual(2);
	expect(server.requests.length).toBeLessThanOrEqual(4);
});

const unknownOutcomes: Array<[string, Behaviour, IDataObject, RegExp]> = [
	['500', serverError(500), {}, /server error \(HTTP 500\)/],
	['502', serverError(502), {}, /server error \(HTTP 502\)/],
	['503', serverError(503), {}, /server error \(HTTP 503\)/],
	['a hang until the client times out', hang, { timeoutSec: 1 }, /did not answer within 1 s/],
	['a connection reset after the request was read', resetAfterRead, {}, /connection to Piopiy dropped before it answered/],
	['a non-JSON body', nonJson, {}, /HTTP 200 with a body that is not JSON/],
];

test.each(unknownOutcomes)('%s: sent once, never again, and the item says the call may have been placed', async (_name, fault, options, message) => {
	server.behaviour = fault;
	const { items } = await campaign(4, { concurrency: 4, ...options });
	const failures = expectInvariants(items, 4);
	expect(failures).toHaveLength(4);
	for (const failure of failures) {
		expect(failure).toMatch(message);
		expect(failure).toMatch(MAY_HAVE_PLACED);
	}
	expect(server.requests).toHaveLength(4);
});

test('HTTP 200 with an error body: the item fails with Piopiy\'s reason, not sent again', async () => {
	server.behaviour = okWithErrorBody;
	const { items } = await campaign(3);
	const failures = expectInvariants(items, 3);
	expect(failures).toEqual(Array(3).fill(expect.stringMatching(/^Piopiy reported a failure: Insufficient balance/)));
	expect(server.requests).toHaveLength(3);
});

test('connection refused: retried, then the item says nothing was sent', async () => {
	const { items } = await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
		items: leads(2),
		credentials: server.credentials({ baseUrl: 'http://127.0.0.1:9' }),
		onError: 'continueRegularOutput',
	});
	expect(items).toHaveLength(2);
	for (const item of items) {
		expect(item.json.error).toMatch(
			/^The node could not connect to Piopiy after 3 attempts\. Network error ECONNREFUSED: nothing accepted a connection at 127\.0\.0\.1:9\. Nothing was sent, so nothing was placed and it is safe to run this item again\. Check the Base URL of the Piopiy API credential \(now "http:\/\/127\.0\.0\.1:9"/,
		);
		expect(item.json.message).toBe('refused');
	}
});

test('a mixed storm over 500 items (seed 20261123): no duplicates, no losses, order kept, token nowhere', async () => {
	const limit = rateLimit(400, { retryAfter: true });
	server.behaviour = storm(20261123, [
		[70, withLatency(5)],
		[6, () => ({ status: 429, body: { error: 'slow down' }, headers: { 'Retry-After': '0' } })],
		[4, (request, s) => limit(request, s) ?? echoNumber(request, s)],
		[3, serverError(500)],
		[2, serverError(502)],
		[2, serverError(503)],
		[2, withLatency(3000)],
		[3, resetAfterRead],
		[3, okWithErrorBody],
		[2, nonJson],
		[3, (_request, s) => ({ status: 401, body: { error: `token ${s.token} revoked` } })],
	]);
	const logsBefore = capturedLogs.length;
	const { items, run } = await campaign(500, { concurrency: 20, timeoutSec: 1 });
	const failures = expectInvariants(items, 500);
	const succeeded = items.filter((item) => !item.json.error).length;
	expect(succeeded + failures.length).toBe(500);
	expect(succeeded).toBeGreaterThan(300);
	for (const failure of failures) {
		expect(failure).toMatch(
			/may have been placed|nothing was placed|Nothing was placed|Insufficient balance|rejected the API token/,
		);
	}
	expect(everythingSeen(items, run, capturedLogs.slice(logsBefore))).not.toContain(server.token);
}, 180_000); // about 20 s alone; generous so a loaded machine cannot fail it

describe('what may be repeated depends on what the request does', () => {
	/** Fails the first `times` requests with `reply`, then answers normally. */
	const failFirst = (times: number, fault: Behaviour): Behaviour => {
		let failed = 0;
		return (request, s) => (failed++ < times ? fault(request, s) : undefined);
	};
	const callIdFixture = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

	test.each([
		['a 503', serverError(503)],
		['a dropped connection', resetAfterRead],
	])('Hang Up after %s is sent again and succeeds (repeating it changes nothing)', async (_name, fault) => {
		server.behaviour = failFirst(1, fault);
		const { items, error } = await runPiopiyNode({
			parameters: { resource: 'call', operation: 'hangup', callId: callIdFixture },
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ success: true });
		expect(server.requests).toHaveLength(2);
	});

	test('Get Balance after a 502 is sent again and succeeds', async () => {
		server.behaviour = failFirst(1, serverError(502));
		const { items, error } = await runPiopiyNode({
			parameters: { resource: 'account', operation: 'getBalance' },
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ balance: 1523.75 });
		expect(server.requests).toHaveLength(2);
	});

	test('Transfer after a 503 is not sent again: it may have acted on the live call', async () => {
		server.behaviour = failFirst(1, serverError(503));
		const { items } = await runPiopiyNode({
			parameters: {
				resource: 'call',
				operation: 'transfer',
				callId: callIdFixture,
				pipelineInput: 'json',
				pipelineJson: '[{"action": "hangup"}]',
			},
			credentials: server.credentials(),
			onError: 'continueRegularOutput',
		});
		expect(items[0].json.error).toMatch(/The change may have been applied to the live call/);
		expect(items[0].json.message).toBe('unknownOutcome');
		expect(server.requests).toHaveLength(1);
	});
});
