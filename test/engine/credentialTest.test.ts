import { CredentialTestContext } from 'n8n-core';
import type { ICredentialsDecrypted, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { Piopiy } from '../../nodes/Piopiy/Piopiy.node';
import { CREDENTIAL_PROBE } from '../../nodes/Piopiy/methods/credentialTest';
import { CALL_PLACING_PATHS, PiopiyTestServer } from '../support/piopiyServer';

/**
 * "Test" in the credential dialog, run the way n8n's server runs it: the node's `credentialTest`
 * method called on n8n-core's CredentialTestContext, whose request helper is n8n's own.
 */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

async function testCredential(data: Record<string, string>) {
	const node = new Piopiy();
	const context = new CredentialTestContext({} as IWorkflowExecuteAdditionalData);
	const credential: ICredentialsDecrypted = { id: '1', name: 'Piopiy', type: 'piopiyApi', data };
	return await node.methods.credentialTest.piopiyApiTest.call(context, credential);
}

test('a valid token passes, and the probe places no call', async () => {
	const result = await testCredential(server.credentials());
	expect(result).toEqual({ status: 'OK', message: 'Piopiy accepted the API token' });
	expect(server.requests).toHaveLength(1);
	expect(server.requests[0].path).toBe(CREDENTIAL_PROBE.path);
	expect(CALL_PLACING_PATHS.has(server.requests[0].path)).toBe(false);
	expect(server.requests[0].violations).toEqual([]);
	expect(server.requests[0].headers.authorization).toBe(`Bearer ${server.token}`);
});

test('"no such call" still means the token was accepted', async () => {
	server.behaviour = () => ({ status: 404, body: { success: false, error: 'Call not found' } });
	expect((await testCredential(server.credentials())).status).toBe('OK');
});

test('a rejected token fails with a message that says so, without the token in it', async () => {
	server.behaviour = (request) =>
		request.headers.authorization === `Bearer ${server.token}`
			? undefined
			: { status: 401, body: { error: `invalid token ${String(request.headers.authorization)}` } };
	const result = await testCredential(server.credentials({ apiToken: 'pio_revoked_abcdef123' }));
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/^Piopiy rejected the API token \(HTTP 401\)/);
	expect(result.message).not.toContain('pio_revoked_abcdef123');
});

test('an unreachable Base URL says so', async () => {
	const result = await testCredential(server.credentials({ baseUrl: 'http://127.0.0.1:9' }));
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/Could not reach Piopiy at http:\/\/127\.0\.0\.1:9.*ECONNREFUSED/);
});

test('a server error is not reported as a good or a bad token', async () => {
	server.behaviour = () => ({ status: 503, body: {} });
	const result = await testCredential(server.credentials());
	expect(result).toEqual({ status: 'Error', message: expect.stringContaining('could not check the token right now') });
});

describe('a Base URL that does not lead to Piopiy is not reported as a good token', () => {
	const wrongUrl = expect.stringMatching(/answered .*so the token could not be checked\. Check the Base URL: it should be Piopiy's API root, e\.g\. https:\/\/rest\.piopiy\.com\/v3 \(with \/v3\)/);

	test('/v3 left off: the path does not exist (404)', async () => {
		// The stand-in answers an unknown path the way a web server does: 404, not about any call.
		const result = await testCredential(server.credentials({ baseUrl: server.credentials().baseUrl.replace(/\/?$/, '/nope') }));
		expect(result).toEqual({ status: 'Error', message: wrongUrl });
		expect(result.message).toContain('answered HTTP 404 ("not found")');
	});

	test('a 400 that is not about the call', async () => {
		server.behaviour = () => ({ status: 400, body: { success: false, error: 'Unknown API version' } });
		expect(await testCredential(server.credentials())).toEqual({ status: 'Error', message: wrongUrl });
	});

	test('an HTML page with HTTP 200 (a proxy or a login page)', async () => {
		server.behaviour = () => ({ status: 200, rawBody: '<html><body>Sign in</body></html>' });
		const result = await testCredential(server.credentials());
		expect(result).toEqual({ status: 'Error', message: wrongUrl });
		expect(result.message).toContain("HTTP 200 with a body that is not Piopiy's JSON");
	});

	test('a 200 whose body says it failed, not about the call', async () => {
		server.behaviour = () => ({ status: 200, body: { code: 500, msg: 'Internal routing error' } });
		expect(await testCredential(server.credentials())).toEqual({ status: 'Error', message: wrongUrl });
	});

	test('the token is not in the message even when the URL echoes it', async () => {
		server.behaviour = (request) => ({ status: 404, body: { error: `no route for ${String(request.headers.authorization)}` } });
		const result = await testCredential(server.credentials());
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain(server.token);
	});
});
