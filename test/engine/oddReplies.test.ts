import { randomUUID } from 'node:crypto';

import { runPiopiyNode } from '../support/engine';
import { aiCallParameters } from '../support/fixtures';
import { PiopiyTestServer, type Reply } from '../support/piopiyServer';

/**
 * Replies that cannot be trusted either way, through n8n's engine: the item's outcome is unknown
 * ("may have been placed", as after a 5xx), it is sent once, and it is never reported as refused.
 */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const MAY_HAVE_PLACED =
	'The call may have been placed. Piopiy has no way to ask whether it was, so the node did not send it again: check the call log in the Piopiy dashboard before running this item again.';

async function threeLeads(reply: () => Reply) {
	server.behaviour = reply;
	return await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
		items: [{ phone: '+91 98765 43210' }, { phone: '+91 98765 43211' }, { phone: '+91 98765 43212' }],
		credentials: server.credentials(),
		onError: 'continueRegularOutput',
	});
}

describe('a reply that contradicts itself is unknown, never "refused, run again"', () => {
	test.each<[string, Reply, string]>([
		[
			'HTTP 200, success: false with a call_id',
			{ status: 200, body: { success: false, message: 'Insufficient balance', call_id: randomUUID() } },
			'It says it failed (success: false) and also that it succeeded (an ID',
		],
		[
			'HTTP 200, success: true with an error',
			{ status: 200, body: { success: true, error: 'Caller ID not verified' } },
			'It says it failed (error: "Caller ID not verified") and also that it succeeded (success: true)',
		],
		[
			'HTTP 200, a request_id under data with a failure code',
			{ status: 200, body: { code: 'cmi-500', data: { status: 'progress', request_id: 'req-1' } } },
			'It says it failed (code: "cmi-500") and also that it succeeded (an ID ("req-1"))',
		],
		[
			'HTTP 200, code 200 with success: false',
			{ status: 200, body: { code: 200, success: false } },
			'It says it failed (success: false) and also that it succeeded (code: 200)',
		],
		[
			'HTTP 400 whose body says it succeeded, with a call_id',
			{ status: 400, body: { success: true, call_id: 'c-1' } },
			'It says it failed (HTTP 400) and also that it succeeded (success: true, an ID ("c-1"))',
		],
		[
			'HTTP 429 with a request_id and Retry-After: 0',
			{ status: 429, body: { request_id: 'req-2' }, headers: { 'Retry-After': '0' } },
			'It says it failed (HTTP 429) and also that it succeeded (an ID ("req-2"))',
		],
	])('%s: each item sent once, outcome unknown, "may have been placed"', async (_name, reply, says) => {
		const { items, error } = await threeLeads(() => reply);
		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(3);
		expect(items).toHaveLength(3);
		for (const item of items) {
			expect(item.json.message).toBe('unknownOutcome');
			expect(item.json.error).toContain(`with a reply that contradicts itself. ${says}`);
			expect(item.json.error).toContain(MAY_HAVE_PLACED);
			expect(item.json.error).not.toMatch(/Nothing was placed|safe to run this item again/);
		}
	});

	test('with Stop Workflow, the one item fails with the same words', async () => {
		server.behaviour = () => ({ status: 200, body: { success: false, error: 'Queue full', call_id: 'c-9' } });
		const { error, items } = await runPiopiyNode({ parameters: aiCallParameters(), credentials: server.credentials() });
		expect(items).toEqual([]);
		expect(error?.message).toBe('Piopiy answered HTTP 200 with a reply that contradicts itself');
		expect(error?.description).toContain(MAY_HAVE_PLACED);
		expect(error?.httpCode).toBe('200');
		expect(server.requests).toHaveLength(1);
	});

	test('an unambiguous 200 failure is still "refused": nothing was placed', async () => {
		const { items } = await threeLeads(() => ({ status: 200, body: { success: false, message: 'Insufficient balance' } }));
		for (const item of items) {
			expect(item.json.message).toBe('refused');
			expect(item.json.error).toMatch(/^Piopiy reported a failure: Insufficient balance\. .*Nothing was placed/);
		}
	});
});

describe('redirects are judged, not followed (a followed 301/302/303 turns the POST into a GET)', () => {
	test('302: one POST, no GET, outcome unknown', async () => {
		const { items } = await threeLeads(() => ({ status: 302, headers: { Location: '/voice/ai/call/result' } }));
		expect(server.requests.map((request) => request.method)).toEqual(['POST', 'POST', 'POST']);
		for (const item of items) {
			expect(item.json.message).toBe('unknownOutcome');
			expect(item.json.error).toMatch(/^Piopiy answered HTTP 302, which does not say whether it acted\. It points to "\/voice\/ai\/call\/result"\./);
			expect(item.json.error).toContain(MAY_HAVE_PLACED);
		}
	});

	test('308: not handled at this address, refused, and the Base URL is named', async () => {
		const { items } = await threeLeads(() => ({ status: 308, headers: { Location: 'https://elsewhere.example/v3/voice/ai/call' } }));
		expect(server.requests.map((request) => request.method)).toEqual(['POST', 'POST', 'POST']);
		for (const item of items) {
			expect(item.json.message).toBe('refused');
			expect(item.json.error).toMatch(/^Piopiy answered HTTP 308: the address has moved\. It points to "https:\/\/elsewhere\.example\/v3\/voice\/ai\/call"\. The request was not handled at this address, so nothing was placed/);
			expect(item.json.error).toContain(`Check the Base URL of the Piopiy API credential (now "${server.url}"`);
		}
	});
});
