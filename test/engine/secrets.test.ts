import { capturedLogs, runPiopiyNode } from '../support/engine';
import { aiCallParameters, everythingSeen } from '../support/fixtures';
import { BALANCE_PATH, PiopiyTestServer, type Reply } from '../support/piopiyServer';

/** The token never reaches an output item, an error message or description, or a log line. */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const echoes: Array<[string, (token: string) => Reply]> = [
	['401 echoing the header', (token) => ({ status: 401, body: { error: `Invalid Authorization: Bearer ${token}` } })],
	['403 echoing the bare token', (token) => ({ status: 403, body: { message: `token ${token} is revoked` } })],
	['500 echoing it in a nested message', (token) => ({ status: 500, body: { error: { message: `crash handling ${token}` } } })],
	['200 failure echoing it', (token) => ({ status: 200, body: { success: false, msg: `bad token=${token}` } })],
	['a non-JSON page echoing it', (token) => ({ status: 502, rawBody: `<html>upstream saw ${token}</html>` })],
];

test.each(echoes)('%s: the token is in nothing the run produced', async (_name, reply) => {
	server.behaviour = () => reply(server.token);
	const logsBefore = capturedLogs.length;
	for (const onError of [undefined, 'continueRegularOutput'] as const) {
		const { items, error, run } = await runPiopiyNode({
			parameters: aiCallParameters(),
			credentials: server.credentials(),
			onError,
		});
		const seen = everythingSeen(items, error, run, capturedLogs.slice(logsBefore));
		expect(error ?? items[0].json.error).toBeDefined();
		expect(seen).not.toContain(server.token);
		expect(seen).toContain('[redacted]');
	}
	// n8n's own logger wrote these failures: the search covered real log lines.
	expect(capturedLogs.length).toBeGreaterThan(logsBefore);
	// The server really did receive the token: the search above could have found it.
	expect(server.requests[0].headers.authorization).toContain(server.token);
});

test('a timeout: the token is in nothing the run produced', async () => {
	server.behaviour = () => ({ hang: true });
	const { error, run } = await runPiopiyNode({
		parameters: aiCallParameters({ requestOptions: { timeoutSec: 1 } }),
		credentials: server.credentials(),
	});
	expect(error?.message).toBe('Piopiy did not answer within 1 s');
	expect(everythingSeen(error, run, capturedLogs)).not.toContain(server.token);
});

/**
 * Issue 16: a 2xx reply that echoes the token or the App Secret (a debug field, a reflected header,
 * nested anywhere, URL-encoded, as a key) must not put it into the output item; the rest of the reply
 * comes out as it was sent, with its types.
 */
describe('a successful reply that echoes a secret', () => {
	const echoingReply = (token: string, appSecret: string) => ({
		success: true,
		message: 'call_queued',
		call_id: 'c4504776-d91e-423b-a9a7-56000429abc3',
		queued: 3,
		billable: false,
		note: null,
		debug: {
			headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			token,
			seen: [`token=${token}`, { nested: [token, 42] }, `${encodeURIComponent(`x/${token}`)}`],
			callback: `https://h.example/cb?token=${encodeURIComponent(token)}&secret=${encodeURIComponent(appSecret)}&step=menu`,
			[token]: 'the token as a key',
			appSecret,
		},
		to_number: '919876543210',
	});

	test('AI call: the token and the app secret are in nothing the run produced; the rest is intact and typed', async () => {
		server.behaviour = (request, self) => (request.path === '/voice/ai/call' ? { status: 200, body: echoingReply(self.token, self.appSecret) } : undefined);
		const logsBefore = capturedLogs.length;
		const { items, error, run } = await runPiopiyNode({ parameters: aiCallParameters(), credentials: server.credentials() });
		expect(error).toBeUndefined();
		const seen = everythingSeen(items, run, capturedLogs.slice(logsBefore));
		expect(seen).not.toContain(server.token);
		expect(seen).not.toContain(encodeURIComponent(server.token));
		expect(seen).not.toContain(server.appSecret);
		const reply = echoingReply(server.token, server.appSecret);
		// Only `debug` held secrets: every other field comes out as sent, with its type.
		expect(items).toEqual([
			{
				json: {
					...reply,
					debug: {
						headers: { Authorization: '[redacted]', 'content-type': 'application/json' },
						token: '[redacted]',
						seen: ['token=[redacted]', { nested: ['[redacted]', 42] }, `x%2F[redacted]`],
						callback: 'https://h.example/cb?token=[redacted]&secret=[redacted]&step=menu',
						'[redacted]': 'the token as a key',
						appSecret: '[redacted]',
					},
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(Object.keys(reply)).toEqual(['success', 'message', 'call_id', 'queued', 'billable', 'note', 'debug', 'to_number']);
		// The reply really carried the token: the search above could have found it.
		expect(JSON.stringify(reply)).toContain(server.token);
	});

	test('Get Balance: an echoed App Secret is not in the output, the balance is', async () => {
		server.behaviour = (request, self) =>
			request.path === BALANCE_PATH
				? {
						status: 200,
						body: { code: 200, balance: '1523.75', sms: 40, expire: 1798761600000, request: { appid: self.appId, secret: self.appSecret }, echo: `secret ${self.appSecret} ok` },
					}
				: undefined;
		const logsBefore = capturedLogs.length;
		const { items, error, run } = await runPiopiyNode({ parameters: { resource: 'account', operation: 'getBalance' }, credentials: server.credentials() });
		expect(error).toBeUndefined();
		expect(everythingSeen(items, run, capturedLogs.slice(logsBefore))).not.toContain(server.appSecret);
		expect(items[0].json).toEqual({
			code: 200,
			balance: 1523.75,
			sms: 40,
			expire: 1798761600000,
			expireAt: '2027-01-01T00:00:00.000Z',
			request: { appid: server.appId, secret: '[redacted]' },
			echo: 'secret [redacted] ok',
		});
	});

	test('with Continue On Fail and several items, every output item is redacted', async () => {
		server.behaviour = (request, self) => (request.path === '/voice/ai/call' ? { status: 200, body: echoingReply(self.token, self.appSecret) } : undefined);
		const { items } = await runPiopiyNode({ parameters: aiCallParameters(), items: [{}, {}], credentials: server.credentials(), onError: 'continueRegularOutput' });
		expect(items).toHaveLength(2);
		expect(JSON.stringify(items)).not.toContain(server.token);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});
