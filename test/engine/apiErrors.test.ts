import { runPiopiyNode } from '../support/engine';
import { aiCallParameters, everythingSeen } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/** How Piopiy's failures reach the user: NodeApiErrors with a human message, told apart as docs/piopiy-api.md "Responses" says. */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

async function callExpectingError(requestOptions = {}) {
	const result = await runPiopiyNode({
		parameters: aiCallParameters({ requestOptions }),
		credentials: server.credentials(),
	});
	expect(result.items).toEqual([]);
	expect(result.error).toBeDefined();
	return result.error!;
}

test('a wrong token: 401 says the token was rejected', async () => {
	const result = await runPiopiyNode({
		parameters: aiCallParameters(),
		credentials: server.credentials({ apiToken: 'pio_wrong_token_123456' }),
	});
	expect(result.error?.message).toBe('Piopiy rejected the API token (HTTP 401)');
	expect(result.error?.description).toContain('Unauthorized: invalid or revoked token');
	expect(result.error?.description).toContain('API Token of the Piopiy API credential');
	expect(result.error?.httpCode).toBe('401');
	expect(server.requests).toHaveLength(1);
});

test('403 also says the token was rejected', async () => {
	server.behaviour = () => ({ status: 403, body: { message: 'Forbidden' } });
	const error = await callExpectingError();
	expect(error.message).toBe('Piopiy rejected the API token (HTTP 403)');
});

test("404 gives Piopiy's own message", async () => {
	server.behaviour = () => ({ status: 404, body: { msg: 'Agent not found' } });
	const error = await callExpectingError();
	expect(error.message).toBe('Piopiy refused the request (HTTP 404): Agent not found');
	expect(error.description).toContain('nothing was placed');
});

test('429 says rate limited, and that nothing was placed', async () => {
	server.behaviour = () => ({ status: 429, body: { error: { message: 'Too many requests' } }, headers: { 'Retry-After': '5' } });
	const error = await callExpectingError({ maxRateLimitWaitSec: 0 });
	expect(error.message).toMatch(/^Piopiy is rate limiting requests \(HTTP 429\)/);
	expect(error.description).toContain('Too many requests');
	expect(error.description).toContain('nothing was placed');
	expect(server.requests).toHaveLength(1);
});

test('500 on a call says the call may have been placed, and it is not sent again', async () => {
	server.behaviour = () => ({ status: 500, body: { message: 'Internal error' } });
	const error = await callExpectingError();
	expect(error.message).toBe('Piopiy answered with a server error (HTTP 500)');
	expect(error.description).toContain('The call may have been placed');
	expect(error.description).toContain('check the call log');
	expect(server.requests).toHaveLength(1);
});

test.each([
	['success: false', { success: false, message: 'Insufficient balance' }, 'Insufficient balance'],
	['a truthy error', { error: 'Caller ID not verified' }, 'Caller ID not verified'],
	['a failure code', { code: 400, msg: 'Invalid agent' }, 'Invalid agent'],
	['a cmi failure code', { code: 'cmi-404', message: { message: 'App not found' } }, 'App not found'],
])('HTTP 200 with %s is a failure', async (_name, body, said) => {
	server.behaviour = () => ({ status: 200, body });
	const error = await callExpectingError();
	expect(error.message).toBe(`Piopiy reported a failure: ${said}`);
	expect(error.httpCode).toBe('200');
});

test.each([
	['code 200', { code: 200, data: { status: 'progress' } }],
	['code "200"', { code: '200', request_id: 'x' }],
	['code "cmi-200"', { code: 'cmi-200', msg: 'queued' }],
	['an empty body', {}],
])('HTTP 200 with %s is a success', async (_name, body) => {
	server.behaviour = () => ({ status: 200, body });
	const { items, error } = await runPiopiyNode({ parameters: aiCallParameters(), credentials: server.credentials() });
	expect(error).toBeUndefined();
	expect(items[0].json).toEqual(body);
});

describe('continue on fail', () => {
	test('good and bad items: one output per input, in order, paired, the good ones placed', async () => {
		server.behaviour = (request) =>
			(request.body as { to_number: string }).to_number === '919876543212'
				? { status: 200, body: { success: false, message: 'Number is on the do-not-call list' } }
				: undefined;
		const { items, error } = await runPiopiyNode({
			parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
			items: [
				{ phone: '+91 98765 43210' },
				{ phone: 'not a phone' },
				{ phone: '+91 98765 43212' },
				{ phone: '+91 98765 43213' },
			],
			credentials: server.credentials(),
			onError: 'continueRegularOutput',
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(4);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items[0].json).toMatchObject({ message: 'call_queued' });
		expect(items[1].json.error).toMatch(/^To Number in item 1 is not valid: received "not a phone"\. Expected .*country code/);
		expect(items[1].json.message).toBe('notSent');
		expect(items[2].json.error).toMatch(/^Piopiy reported a failure: Number is on the do-not-call list\. /);
		expect(items[2].json.message).toBe('refused');
		expect(items[3].json).toMatchObject({ message: 'call_queued' });
		expect(server.requests.map((request) => (request.body as { to_number: string }).to_number).sort()).toEqual([
			'919876543210',
			'919876543212',
			'919876543213',
		]);
	});

	test('the error output branch gets the failed items', async () => {
		const { run } = await runPiopiyNode({
			parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
			items: [{ phone: '+91 98765 43210' }, { phone: 'x' }],
			credentials: server.credentials(),
			onError: 'continueErrorOutput',
		});
		const [success, failure] = run.data.resultData.runData.Piopiy[0].data!.main;
		expect(success!.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect(failure!.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(everythingSeen(failure)).toContain('To Number in item 1');
	});
});
