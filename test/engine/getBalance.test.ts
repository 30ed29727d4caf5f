import { capturedLogs, runPiopiyNode } from '../support/engine';
import { everythingSeen } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

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
		['no App ID', { appId: '' }, /^App ID of the Piopiy API credential in item 0 is not valid: received \(missing\)$/],
		['no App Secret', { appSecret: '' }, /^App Secret of the Piopiy API credential in item 0 is not valid: received \(missing\)$/],
		['an App Secret of spaces', { appSecret: '   ' }, /^App Secret of the Piopiy API credential in item 0 is not valid: received \(missing\)$/],
		[
			'neither',
			{ appId: '', appSecret: '' },
			/^App ID and App Secret of the Piopiy API credential in item 0 is not valid: received \(missing\)$/,
		],
	])('%s: says what is missing and where to set it, and sends nothing', async (_name, overrides, message) => {
		const { error } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials(overrides) });
		expect(server.requests).toHaveLength(0);
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(/Set them in the Piopiy API credential/);
		expect(error?.description).toMatch(/Nothing was sent/);
	});

	test('an App ID that is not a whole number is refused and nothing is sent', async () => {
		const { error } = await runPiopiyNode({ parameters: getBalance, credentials: server.credentials({ appId: 'app-17' }) });
		expect(server.requests).toHaveLength(0);
		expect(error?.message).toBe('App ID of the Piopiy API credential in item 0 is not valid: received "app-17"');
		expect(error?.description).toMatch(/whole number greater than 0/);
	});
});
