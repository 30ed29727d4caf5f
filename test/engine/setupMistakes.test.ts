import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { errorCode, notSentStage } from '../../nodes/Piopiy/helpers/errorCode';
import { registerNodeType, runPiopiyNode } from '../support/engine';
import { aiCallParameters } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';
import { HttpsTestServer, makeCertificates, type TestCertificates } from '../support/tls';

/**
 * Mistakes in the credential's set-up: where the request provably never left (no usable URL, no host,
 * no connection, a failed TLS handshake) the item says "not sent", safe to run again, and names the
 * setting to fix, never "may have been placed".
 */
const server = new PiopiyTestServer();
let certificates: TestCertificates;
beforeAll(async () => {
	certificates = makeCertificates();
	await server.start();
});
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const NOT_SENT = 'Nothing was sent, so nothing was placed and it is safe to run this item again';

async function twoLeads(credentials: Record<string, unknown>, parameters = aiCallParameters({ toNumber: '={{ $json.phone }}' })) {
	return await runPiopiyNode({
		parameters,
		items: [{ phone: '+91 98765 43210' }, { phone: '+91 98765 43211' }],
		credentials: server.credentials(credentials),
		onError: 'continueRegularOutput',
	});
}

function expectNotSent(items: INodeExecutionData[], message: string | RegExp, detail: RegExp) {
	expect(items).toHaveLength(2);
	for (const item of items) {
		expect(item.json.message).not.toBe('unknownOutcome');
		expect(item.json.error).toMatch(message);
		expect(item.json.error).toMatch(detail);
		expect(item.json.error).toContain(NOT_SENT);
		expect(item.json.error).not.toMatch(/may have been placed/);
	}
}

describe('the credential URLs are checked before any request', () => {
	test.each([
		['without http(s)://', (url: string) => url.replace(/^http:\/\//, '')],
		['with another scheme', (url: string) => url.replace(/^http:/, 'ftp:')],
		['with a space', (url: string) => url.replace('127.0.0.1', '127.0.0 .1')],
		['empty', () => ''],
	])('a Base URL %s fails every item as not sent, naming the setting and what was received', async (_name, mangle) => {
		const baseUrl = mangle(server.url);
		const { items } = await twoLeads({ baseUrl });
		expect(server.requests).toHaveLength(0);
		expectNotSent(
			items,
			`The Base URL of the Piopiy API credential is not a usable URL: received ${baseUrl === '' ? '(empty)' : JSON.stringify(baseUrl)}. `,
			/Expected an absolute URL that starts with https:\/\/ \(or http:\/\/\), with no query or fragment, e\.g\. https:\/\/rest\.piopiy\.com\/v3\./,
		);
	});

	test('with Stop Workflow, the run stops before anything is sent', async () => {
		const { error } = await runPiopiyNode({
			parameters: aiCallParameters(),
			credentials: server.credentials({ baseUrl: 'rest.piopiy.com/v3' }),
		});
		expect(server.requests).toHaveLength(0);
		expect(error?.message).toBe('The Base URL of the Piopiy API credential is not a usable URL: received "rest.piopiy.com/v3"');
		expect(error?.description).toMatch(/^Expected an absolute URL .* Nothing was sent/);
	});

	test('a query in the URL is refused without its value being shown', async () => {
		const { items } = await twoLeads({ baseUrl: `${server.url}/v3?key=hunter2pass` });
		expect(server.requests).toHaveLength(0);
		expectNotSent(
			items,
			`The Base URL of the Piopiy API credential is not a usable URL: received "${server.url}/v3?***". `,
			/with no query or fragment, e\.g\. https:\/\/rest\.piopiy\.com\/v3\. Put no key or token in it/,
		);
		expect(JSON.stringify(items)).not.toContain('hunter2pass');
	});

	test('a user name and password in the URL are refused without being shown', async () => {
		const { items } = await twoLeads({ baseUrl: server.url.replace('http://', 'http://admin:hunter2pass@') });
		expect(server.requests).toHaveLength(0);
		expect(String(items[0].json.error)).toContain('received "http://***@127.0.0.1');
		expect(JSON.stringify(items)).not.toContain('hunter2pass');
	});

	test('Get Balance: an Account API URL without http(s):// names the Account API URL', async () => {
		const accountApiUrl = server.url.replace('http://', '');
		const { items } = await twoLeads({ accountApiUrl }, { resource: 'account', operation: 'getBalance' } as IDataObject);
		expect(server.requests).toHaveLength(0);
		expectNotSent(
			items,
			`The Account API URL of the Piopiy API credential is not a usable URL: received "${accountApiUrl}". `,
			/e\.g\. https:\/\/rest\.telecmi\.com\./,
		);
	});
});

describe('no host, no connection', () => {
	test('a host that does not resolve: not sent, the Base URL named', async () => {
		const { items } = await twoLeads({ baseUrl: 'http://piopiy-base-url.invalid/v3' });
		expectNotSent(
			items,
			/^The node could not find the host of Piopiy after 3 attempts\./,
			/Network error (ENOTFOUND|EAI_AGAIN): the host name piopiy-base-url\.invalid did not resolve\..*Check the Base URL of the Piopiy API credential \(now "http:\/\/piopiy-base-url\.invalid\/v3"/,
		);
	});
});

describe('TLS failures, with a real HTTPS server on 127.0.0.1', () => {
	const tls = new HttpsTestServer();
	afterEach(async () => tls.stop());

	test.each<[string, (c: TestCertificates) => Parameters<HttpsTestServer['start']>, RegExp]>([
		['a self-signed certificate', (c) => [c.selfSigned], /TLS error DEPTH_ZERO_SELF_SIGNED_CERT: the certificate of 127\.0\.0\.1:\d+ is self-signed/],
		[
			'a certificate from an authority n8n does not trust (chain sent)',
			(c) => [c.leaf, { chain: c.caPem }],
			/TLS error SELF_SIGNED_CERT_IN_CHAIN: the certificate of 127\.0\.0\.1:\d+ is self-signed, or signed by an authority your n8n does not trust/,
		],
		[
			'a certificate from an authority n8n does not trust (leaf only)',
			(c) => [c.leaf],
			/TLS error UNABLE_TO_VERIFY_LEAF_SIGNATURE: the certificate of 127\.0\.0\.1:\d+ is signed by an authority your n8n does not trust/,
		],
	])('%s: the handshake fails, no request reaches the server, not sent, not retried', async (_name, serve, detail) => {
		await tls.start(...serve(certificates));
		const { items } = await twoLeads({ baseUrl: `https://127.0.0.1:${tls.port}/v3` });
		expect(tls.requests).toBe(0);
		// One handshake per item: a certificate that failed once fails again, so it is not retried.
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(tls.failedHandshakes).toBe(2);
		expectNotSent(items, /^The node could not make a secure connection to Piopiy\. /, detail);
		for (const item of items) {
			expect(item.json.error).toContain('The connection was closed before the request was written.');
			expect(item.json.error).toContain(`Check the Base URL of the Piopiy API credential (now "https://127.0.0.1:${tls.port}/v3"`);
		}
	});

	test('https:// to a server that speaks plain HTTP: not sent, "does not speak HTTPS"', async () => {
		const { items } = await twoLeads({ baseUrl: server.url.replace('http://', 'https://') });
		expect(server.requests).toHaveLength(0);
		expectNotSent(items, /^The node could not make a secure connection to Piopiy\. /, /does not speak HTTPS \(is it an http:\/\/ address\?\)/);
	});
});

/**
 * A wrong host name or an expired certificate is reported only once the authority is trusted, which
 * the node's requests cannot be told. This probe sends through the same n8n helper with the test
 * authority trusted (agentOptions.ca) and checks the codes it surfaces are the ones classified as
 * "never sent".
 */
class TlsProbe implements INodeType {
	description = {
		displayName: 'TLS Probe',
		name: 'tlsProbe',
		group: ['transform'],
		version: 1,
		description: 'Sends one POST with a trusted test CA and reports the error code',
		defaults: { name: 'TLS Probe' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { url, ca } = this.getInputData()[0].json as { url: string; ca: string };
		try {
			await this.helpers.httpRequest({ method: 'POST', url, body: {}, json: true, agentOptions: { ca } });
			return [[{ json: { code: 'none' } }]];
		} catch (error) {
			return [[{ json: { code: errorCode(error) } }]];
		}
	}
}

describe("what n8n's HTTP helper surfaces with the test authority trusted", () => {
	const tls = new HttpsTestServer();
	afterEach(async () => tls.stop());
	beforeAll(() => registerNodeType('test.tlsProbe', new TlsProbe()));

	test.each<[string, (c: TestCertificates) => Parameters<HttpsTestServer['start']>, string, string]>([
		['a certificate for another host name', (c) => [c.otherName], 'localhost', 'ERR_TLS_CERT_ALTNAME_INVALID'],
		['an expired certificate', (c) => [c.expired], 'localhost', 'CERT_HAS_EXPIRED'],
		['a good certificate (the control)', (c) => [c.leaf], 'localhost', 'none'],
	])('%s', async (_name, serve, host, code) => {
		await tls.start(...serve(certificates));
		const { items } = await runPiopiyNode({
			parameters: {},
			nodeType: 'test.tlsProbe',
			items: [{ url: `https://${host}:${tls.port}/v3/voice/ai/call`, ca: certificates.caPem }],
		});
		expect(items[0].json.code).toBe(code);
		if (code !== 'none') {
			expect(notSentStage(code)).toBe('tls');
			expect(tls.requests).toBe(0);
		}
	});
});
