import { capturedLogs, runPiopiyNode } from '../support/engine';
import { everythingSeen } from '../support/fixtures';
import { PiopiyTestServer, type Reply } from '../support/piopiyServer';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const getBalance = { resource: 'account', operation: 'getBalance' };

describe('Account → Get Balance', () => {
	test('sends the App ID as a number and the secret to the account API, not the token', async () => {
		const { items, error } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials() });
		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].path).toBe('/v2/balance');
		expect(server.requests[0].body).toEqual({ appid: server.appId, secret: server.appSecret });
		expect(server.requests[0].headers.authorization).toBeUndefined();
		expect(server.requests[0].rawBody).not.toContain(server.token);
		expect(server.requests[0].violations).toEqual([]);
		expect(items).toEqual([
			{
				json: { code: 200, balance: 1523.75, sms: 40, expire: 1798761600000, expireAt: '2027-01-01T00:00:00.000Z' },
				pairedItem: { item: 0 },
			},
		]);
	});

	test('a balance sent as text comes out as a number', async () => {
		server.behaviour = () => ({ status: 200, body: { code: 200, balance: '17507.49', sms: 0, expire: 1767225600000 } });
		const { items } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials() });
		expect(items[0].json).toEqual({
			code: 200,
			balance: 17507.49,
			sms: 0,
			expire: 1767225600000,
			expireAt: '2026-01-01T00:00:00.000Z',
		});
	});

	test('one output per input item', async () => {
		const { items } = await runPiopiyNode({ parameters: getBalance, items: [{}, {}], credentials: server.credentials() });
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(server.requests).toHaveLength(2);
	});

	test('wrong App ID or secret: the 404 says to check them, and the secret is in nothing the run produced', async () => {
		const logsBefore = capturedLogs.length;
		const { error, run } = await runPiopiyNode({
			parameters: getBalance,
			credentials: server.credentials({ appSecret: 'sec_wrong_0123456789' }),
		});
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].status).toBe(404);
		expect(error?.message).toBe('TeleCMI rejected the App ID or App Secret (HTTP 404)');
		expect(error?.description).toMatch(/App ID and App Secret of the Piopiy API credential/);
		expect(everythingSeen(error, run, capturedLogs.slice(logsBefore))).not.toContain('sec_wrong_0123456789');
	});

	describe('a 404 from a wrong Account API URL is not taken for wrong App ID or App Secret', () => {
		const wrongUrl = /^No TeleCMI account API answered at the Account API URL \(HTTP 404\)$/;

		test('an Account API URL with a path the account API does not have', async () => {
			const accountApiUrl = `${server.url}/telecmi`;
			const { error } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials({ accountApiUrl }) });
			expect(server.requests.map((request) => [request.path, request.status])).toEqual([['/telecmi/v2/balance', 404]]);
			expect(error?.message).toMatch(wrongUrl);
			expect(error?.description).toBe(
				`The reply is not TeleCMI's answer to a wrong App ID or App Secret (JSON with code 404); it said: "not found". Check the Account API URL of the Piopiy API credential (now "${accountApiUrl}"; TeleCMI's is https://rest.telecmi.com). The node adds /v2/balance to it. Nothing was changed; it is safe to run this item again.`,
			);
			expect(error?.httpCode).toBe('404');
		});

		test.each<[string, Reply]>([
			['an HTML 404 page', { status: 404, rawBody: '<html><body><h1>404 Not Found</h1></body></html>' }],
			['an empty 404', { status: 404 }],
			['a JSON 404 of another shape', { status: 404, body: { message: 'Route POST:/v2/balance not found', statusCode: 404 } }],
		])('%s', async (_name, reply) => {
			server.behaviour = () => reply;
			const { error } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials() });
			expect(error?.message).toMatch(wrongUrl);
			expect(error?.description).toContain('Check the Account API URL of the Piopiy API credential');
			expect(error?.description).not.toMatch(/App ID and App Secret of/);
			expect(server.requests).toHaveLength(1);
		});

		test("TeleCMI's own 404 (JSON with code 404) still says App ID or App Secret", async () => {
			server.behaviour = () => ({ status: 404, body: { code: '404', message: 'appid not found' } });
			const { error } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials() });
			expect(error?.message).toBe('TeleCMI rejected the App ID or App Secret (HTTP 404)');
			expect(error?.description).toMatch(/^The TeleCMI account API said: "appid not found"\. Check the App ID and App Secret/);
		});
	});

	test('an HTTP 200 carrying a failure code is a failure', async () => {
		server.behaviour = () => ({ status: 200, body: { code: 404, msg: 'App not found' } });
		const { error, items } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials() });
		expect(items).toEqual([]);
		expect(error?.message).toBe('The TeleCMI account API reported a failure: App not found');
	});

	test('with Continue On Fail a failure is an error item without the secret', async () => {
		server.behaviour = () => ({ status: 200, body: { code: 401, msg: `secret ${server.appSecret} is not valid` } });
		const { items, error } = await runPiopiyNode({
			parameters: getBalance,
			credentials: server.credentials(),
			onError: 'continueRegularOutput',
		});
		expect(error).toBeUndefined();
		expect(items[0].json.error).toMatch(/reported a failure/);
		expect(everythingSeen(items)).not.toContain(server.appSecret);
	});

	test.each<[string, Record<string, unknown>, RegExp]>([
		['no App ID', { appId: '' }, /^The Piopiy API credential has no App ID$/],
		['no App Secret', { appSecret: '' }, /^The Piopiy API credential has no App Secret$/],
		['an App Secret of spaces', { appSecret: '   ' }, /^The Piopiy API credential has no App Secret$/],
		[
			'neither',
			{ appId: '', appSecret: '' },
			/^The Piopiy API credential has no App ID and no App Secret$/,
		],
	])('%s: says what the credential lacks and where to set it, in one sentence about the credential, and sends nothing', async (_name, overrides, message) => {
		const { error } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials(overrides) });
		expect(server.requests).toHaveLength(0);
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(/Set them in the Piopiy API credential/);
		expect(error?.description).toMatch(/Nothing was sent/);
	});

	test('an App ID that is not a whole number is refused and nothing is sent', async () => {
		const { error } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials({ appId: 'app-17' }) });
		expect(server.requests).toHaveLength(0);
		expect(error?.message).toBe('The App ID of the Piopiy API credential is not valid: received "app-17"');
		expect(error?.description).toMatch(/whole number greater than 0/);
	});
});
