import { capturedLogs, runPiopiyNode } from '../support/engine';
import { aiCallParameters, everythingSeen } from '../support/fixtures';
import { PiopiyTestServer, type Reply } from '../support/piopiyServer';

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
