import { runPiopiyNode } from '../support/engine';
import { aiCallParameters } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/**
 * Every wait ends: a Piopiy that answers 429 forever with a Retry-After that asks for no pause at all
 * (0, negative, garbage, a date in the past) ends each item with the wait-budget error within
 * Max Rate-Limit Wait plus one request timeout, after a bounded number of requests.
 */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const BUDGET_SEC = 2;
const TIMEOUT_SEC = 5;

test.each([
	['0', '0'],
	['negative', '-1'],
	['garbage', 'soon-ish'],
	['an HTTP date in the past', 'Thu, 01 Jan 1970 00:00:00 GMT'],
	['absent', undefined],
])('429 with Retry-After %s, forever: the item ends with the wait-budget error, within the bound', async (_name, retryAfter) => {
	server.behaviour = () => ({
		status: 429,
		body: { success: false, error: 'Too many requests' },
		headers: retryAfter === undefined ? undefined : { 'Retry-After': retryAfter },
	});
	const { error, run } = await runPiopiyNode({
		parameters: aiCallParameters({ requestOptions: { maxRateLimitWaitSec: BUDGET_SEC, timeoutSec: TIMEOUT_SEC } }),
		credentials: server.credentials(),
	});
	// It gives up as soon as the next backoff would start past the budget: after 0.x to 2.0 s.
	expect(error?.message).toMatch(
		/^Piopiy is rate limiting requests \(HTTP 429\) and the node gave up after \d+ attempts? in (0\.\d|1(\.\d)?|2(\.0)?) s$/,
	);
	expect(error?.description).toContain('nothing was placed and it is safe to run this item again');
	expect(error?.description).toContain('"Max Rate-Limit Wait" (now 2 s)');
	// A pause of at least a backoff step between attempts (a refused request holds no place in the
	// limiter's window, so nothing else spaces them): two to four requests in 2 s, never a flood.
	expect(server.requests.length).toBeGreaterThanOrEqual(2);
	expect(server.requests.length).toBeLessThanOrEqual(4);
	const starts = server.requests.map((request) => request.receivedAt);
	expect(Math.max(...starts) - Math.min(...starts)).toBeLessThanOrEqual(BUDGET_SEC * 1000 + 500);
	const nodeRun = run.data.resultData.runData.Piopiy[0];
	expect(nodeRun.executionTime).toBeLessThanOrEqual((BUDGET_SEC + TIMEOUT_SEC) * 1000);
});

test('a campaign under 429 Retry-After: 0 forever: every item ends with the wait-budget error, requests bounded', async () => {
	server.behaviour = () => ({ status: 429, body: { error: 'Too many requests' }, headers: { 'Retry-After': '0' } });
	const { items } = await runPiopiyNode({
		parameters: aiCallParameters({
			toNumber: '={{ $json.phone }}',
			requestOptions: { maxRateLimitWaitSec: BUDGET_SEC, timeoutSec: TIMEOUT_SEC, concurrency: 3 },
		}),
		items: Array.from({ length: 6 }, (_, index) => ({ phone: `+91 98765 4321${index}` })),
		credentials: server.credentials(),
		onError: 'continueRegularOutput',
	});
	expect(items).toHaveLength(6);
	for (const item of items) {
		expect(item.json.message).toBe('refused');
		expect(item.json.error).toMatch(/^Piopiy is rate limiting requests \(HTTP 429\) and the node gave up after \d+ attempts? in /);
	}
	// Each item is sent, and its retries fit in its 2 s with a backoff step between them: at most four
	// an item, as for one item above (a refused request holds no place in the account's limiter, so
	// nothing else spaces them; how the six share the steps depends on the machine's timing).
	expect(server.requests.length).toBeGreaterThanOrEqual(6);
	expect(server.requests.length).toBeLessThanOrEqual(6 * 4);
	expect(server.placedCalls()).toEqual([]);
});
