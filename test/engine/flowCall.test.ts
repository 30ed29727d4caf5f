import { FLOW_ID, ORG_ID } from '../fixtures/pipelines';
import { runPiopiyNode } from '../support/engine';
import { PiopiyTestServer } from '../support/piopiyServer';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const flowCall = (parameters: object = {}) => ({
	resource: 'call',
	operation: 'flowCall',
	flowId: FLOW_ID,
	orgId: ORG_ID,
	callerId: '+91 80 4567 8900',
	toNumber: '(555) 123 4567',
	...parameters,
});

describe('Call → Make Flow Call', () => {
	test('minimal: flow, organization, caller, number and the App ID of the credential', async () => {
		const { items, error } = await runPiopiyNode({ parameters: flowCall(), credentials: server.credentials() });
		expect(error).toBeUndefined();
		expect(server.requests[0].path).toBe('/voice/flow/call');
		expect(server.requests[0].headers.authorization).toBe(`Bearer ${server.token}`);
		expect(server.requests[0].body).toEqual({
			flow_id: FLOW_ID,
			org_id: ORG_ID,
			caller_id: '918045678900',
			to_number: '5551234567',
			app_id: String(server.appId),
		});
		expect(server.requests[0].violations).toEqual([]);
		expect(items[0].json).toMatchObject({ success: true, message: 'call_queued' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	test('full: App ID in the node, call options and variables', async () => {
		await runPiopiyNode({
			parameters: flowCall({
				flowId: FLOW_ID.toUpperCase(),
				appId: '5550001',
				callOptions: { maxDurationSec: 300, record: true, ringTimeoutSec: 60 },
				variables: {
					text: [{ name: 'customer_name', value: 'Asha' }],
					number: [{ name: 'amount_due', value: 99.5 }],
					boolean: [{ name: 'is_vip', value: false }],
				},
			}),
			credentials: server.credentials(),
		});
		expect(server.requests[0].body).toEqual({
			flow_id: FLOW_ID.toUpperCase(),
			org_id: ORG_ID,
			caller_id: '918045678900',
			to_number: '5551234567',
			app_id: '5550001',
			options: { max_duration_sec: 300, record: true, ring_timeout_sec: 60 },
			variables: { customer_name: 'Asha', amount_due: 99.5, is_vip: false },
		});
		expect(server.requests[0].violations).toEqual([]);
	});

	test.each<[string, object, Record<string, unknown>, RegExp]>([
		['a malformed flow ID', { flowId: 'welcome-flow' }, {}, /^Flow ID in item 0 is not valid: received "welcome-flow"$/],
		['a malformed organization ID', { orgId: '42' }, {}, /^Organization ID in item 0 is not valid: received "42"$/],
		['a malformed caller ID', { callerId: 'office' }, {}, /^Caller ID in item 0 is not valid: received "office"$/],
		['no App ID anywhere', {}, { appId: '' }, /^App ID in item 0 is not valid: received \(empty\)$/],
	])('%s is refused and nothing is sent', async (_name, parameters, credentials, message) => {
		const { error } = await runPiopiyNode({ parameters: flowCall(parameters), credentials: server.credentials(credentials) });
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(/Nothing was sent for this item/);
		expect(server.requests).toHaveLength(0);
	});

	test('a call that got a 5xx is not placed again', async () => {
		server.behaviour = () => ({ status: 503, body: { error: 'busy' } });
		const { error } = await runPiopiyNode({ parameters: flowCall(), credentials: server.credentials() });
		expect(server.requests).toHaveLength(1);
		expect(error?.description).toMatch(/The call may have been placed/);
	});
});
