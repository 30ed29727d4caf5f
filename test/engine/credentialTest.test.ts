import { CREDENTIAL_PROBE_CALL_ID, CREDENTIAL_TEST_MESSAGES, PiopiyApi } from '../../credentials/PiopiyApi.credentials';
import { testCredential } from '../support/credentialTest';
import { PiopiyTestServer, type Reply } from '../support/piopiyServer';

/**
 * The credential's "Test", run as n8n 2.41.1 runs it (support/credentialTest.ts: n8n-core's
 * RoutingNode sends the declarative request to the stand-in, then n8n's rules are applied in n8n's
 * order). Only a 2xx whose body says nothing of a failure reads as a good token.
 */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const credential = new PiopiyApi();
const test_ = async (overrides: Record<string, unknown> = {}) => await testCredential(credential, server.credentials(overrides));
const OK = { status: 'OK', message: 'Connection successful!' };

test('the right token: "Connection successful!" after one harmless hangup of a call that cannot exist', async () => {
	expect(await test_()).toEqual(OK);
	expect(server.requests.map((request) => [request.method, request.path, request.violations])).toEqual([
		['POST', '/voice/call/hangup', []],
	]);
	expect(server.requests[0].headers.authorization).toBe(`Bearer ${server.token}`);
	expect(server.requests[0].body).toEqual({ call_id: CREDENTIAL_PROBE_CALL_ID, reason: 'n8n credential test' });
	expect(server.placedCalls()).toEqual([]);
});

test('a wrong token: rejected (401), and the token is not in the message', async () => {
	const wrongToken = 'pio_wrong_token_0123456789';
	const result = await test_({ apiToken: wrongToken });
	expect(result).toEqual({ status: 'Error', message: CREDENTIAL_TEST_MESSAGES.rejected(401) });
	expect(result.message).toBe(
		'Piopiy answered HTTP 401 (not authorized): it did not accept this API token. Copy the token again from the Piopiy dashboard (Settings → API Keys); it may have been revoked.',
	);
	expect(result.message).not.toContain(wrongToken);
	expect(server.requests.every((request) => request.status === 401)).toBe(true);
});

test.each<[string, Reply, string]>([
	['403', { status: 403, body: { error: 'Forbidden' } }, CREDENTIAL_TEST_MESSAGES.rejected(403)],
	['429', { status: 429, body: { error: 'slow down' } }, CREDENTIAL_TEST_MESSAGES.notNow(429)],
	['500', { status: 500, body: {} }, CREDENTIAL_TEST_MESSAGES.notNow(500)],
	['503', { status: 503, body: {} }, CREDENTIAL_TEST_MESSAGES.notNow(503)],
	['400', { status: 400, body: { success: false, error: 'call not found' } }, CREDENTIAL_TEST_MESSAGES.notConfirmed(400)],
	['422', { status: 422, body: {} }, CREDENTIAL_TEST_MESSAGES.notConfirmed(422)],
])('HTTP %s: its own message, never a good token', async (_status, reply, message) => {
	server.behaviour = () => reply;
	expect(await test_()).toEqual({ status: 'Error', message });
});

test('the Base URL without /v3 (the path answers 404): not confirmed, check the Base URL', async () => {
	const result = await test_({ baseUrl: `${server.url}/nope` });
	expect(result).toEqual({ status: 'Error', message: CREDENTIAL_TEST_MESSAGES.notConfirmed(404) });
	expect(result.message).toBe(
		"Piopiy answered HTTP 404 (not found) to the test, which hangs up a call that does not exist. That is no rejection of the token (that would be 401 or 403), but no confirmation either. Check the Base URL: it must be Piopiy's API root, e.g. https://rest.piopiy.com/v3 (with /v3). If the Base URL is right, Piopiy may only have refused to hang up a call that does not exist, and the token is then probably good, but this test cannot tell.",
	);
});

describe('a 2xx whose body says the test failed does not read as a good token', () => {
	test.each<[string, unknown, string]>([
		['success: false', { success: false, message: 'call not found' }, 'success: false'],
		['a text error', { error: 'Call not found' }, 'an error'],
		['an error object', { error: { message: 'Call not found' } }, 'an error'],
		['a list of errors', { error: ['Call not found'] }, 'an error'],
		['error: true', { error: true, message: 'x' }, 'error: true'],
		['success: true but an error (it contradicts itself)', { success: true, error: 'Call not found' }, 'an error'],
		['a failure code', { code: 404, msg: 'Call not found' }, 'code 404'],
		['a failure code as text', { code: '400' }, 'code "400"'],
		["TeleCMI's failure code", { code: 'cmi-404', msg: 'Call not found' }, 'code "cmi-404"'],
	])('%s', async (_name, body, what) => {
		server.behaviour = () => ({ status: 200, body });
		const result = await test_();
		expect(result).toEqual({ status: 'Error', message: CREDENTIAL_TEST_MESSAGES.bodySaysFailed(what) });
		expect(result.message).toMatch(/^Piopiy answered with a success status, but its reply says the test failed \(/);
	});

	test('a 2xx that is not JSON (a web page): probably not Piopiy, not confirmed', async () => {
		server.behaviour = () => ({ status: 200, rawBody: '<html><body>Welcome</body></html>' });
		expect(await test_()).toEqual({ status: 'Error', message: CREDENTIAL_TEST_MESSAGES.notJson });
	});

	test.each<[string, unknown]>([
		['success: true', { success: true, message: 'call_hangup_requested' }],
		['an empty error', { success: true, error: '' }],
		['error: false or null', { error: false, warning: null }],
		['code 200', { code: 200 }],
		['code "cmi-200"', { code: 'cmi-200', msg: 'ok' }],
	])('a 2xx with %s is a good token', async (_name, body) => {
		server.behaviour = () => ({ status: 200, body });
		expect(await test_()).toEqual(OK);
	});

	test('known limit: a failure code outside the listed ones is not recognised (n8n compares to fixed values only)', async () => {
		server.behaviour = () => ({ status: 200, body: { code: 'cmi-418' } });
		expect(await test_()).toEqual(OK);
	});
});

test('no rule message claims more than its answer can tell', () => {
	for (const rule of credential.test.rules ?? []) {
		const { message } = rule.properties;
		if (rule.type === 'responseCode' && ![401, 403].includes(rule.properties.value)) {
			expect(message).toMatch(/neither accepted nor rejected|no rejection of the token/);
		}
		if (rule.type === 'responseSuccessBody') expect(message).toMatch(/not confirmed|no confirmation/);
	}
});
