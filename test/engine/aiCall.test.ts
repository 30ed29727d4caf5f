import { runPiopiyNode } from '../support/engine';
import { AGENT_ID, BACKUP_AGENT_ID, aiCallParameters } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

function expectOnlyValidRequests() {
	for (const request of server.requests) expect(request.violations).toEqual([]);
}

describe('AI Agent → Call', () => {
	test('a minimal call sends the normalised numbers and the agent to /voice/ai/call', async () => {
		const { items, error } = await runPiopiyNode({ parameters: aiCallParameters(), credentials: server.credentials() });

		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].path).toBe('/voice/ai/call');
		expect(server.requests[0].headers.authorization).toBe(`Bearer ${server.token}`);
		expect(server.requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			agent_id: AGENT_ID,
		});
		expectOnlyValidRequests();
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ success: true, message: 'call_queued' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	test('the reply is the output as it came, whatever its shape', async () => {
		const reply = { code: 200, data: { status: 'progress', request_id: 'r-17' } };
		server.behaviour = () => ({ status: 200, body: reply });
		const { items } = await runPiopiyNode({ parameters: aiCallParameters(), credentials: server.credentials() });
		expect(items[0].json).toEqual(reply);
	});

	test('all options and typed variables from the fields', async () => {
		const { error } = await runPiopiyNode({
			parameters: aiCallParameters({
				callOptions: { record: true, ringTimeoutSec: 45, maxDurationSec: 900 },
				variables: {
					text: [{ name: 'customer_name', value: 'Asha' }],
					number: [{ name: 'amount_due', value: 1200.5 }],
					boolean: [{ name: 'is_vip', value: true }],
				},
			}),
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(server.requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			agent_id: AGENT_ID,
			options: { record: true, ring_timeout_sec: 45, max_duration_sec: 900 },
			variables: { customer_name: 'Asha', amount_due: 1200.5, is_vip: true },
		});
		expectOnlyValidRequests();
	});

	test('only the options the user set are sent', async () => {
		await runPiopiyNode({
			parameters: aiCallParameters({ callOptions: { record: false } }),
			credentials: server.credentials(),
		});
		expect((server.requests[0].body as { options: unknown }).options).toEqual({ record: false });
	});

	test('variables from JSON keep their types', async () => {
		await runPiopiyNode({
			parameters: aiCallParameters({
				variablesInput: 'json',
				variablesJson: '{"customer_name": "Asha", "amount_due": 1200, "is_vip": false}',
			}),
			credentials: server.credentials(),
		});
		expect((server.requests[0].body as { variables: unknown }).variables).toEqual({
			customer_name: 'Asha',
			amount_due: 1200,
			is_vip: false,
		});
		expectOnlyValidRequests();
	});

	test('variables named like Object.prototype members reach Piopiy; __proto__ and constructor are refused, not dropped', async () => {
		const { error } = await runPiopiyNode({
			parameters: aiCallParameters({
				variables: { text: [{ name: 'toString', value: 'kept' }], boolean: [{ name: 'valueOf', value: true }] },
			}),
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(server.requests[0].rawBody).toContain('"variables":{"toString":"kept","valueOf":true}');
		expectOnlyValidRequests();

		server.reset();
		for (const name of ['__proto__', 'constructor']) {
			const refused = await runPiopiyNode({
				parameters: aiCallParameters({ variables: { text: [{ name, value: 'x' }] } }),
				credentials: server.credentials(),
			});
			expect(refused.error?.message).toBe(`Variables name in item 0 is not valid: received "${name}"`);
		}
		expect(server.requests).toHaveLength(0);
	});

	test('variables from input items through expressions', async () => {
		const { items } = await runPiopiyNode({
			parameters: aiCallParameters({
				toNumber: '={{ $json.phone }}',
				variables: {
					text: [{ name: 'customer_name', value: '={{ $json.name }}' }],
					number: [{ name: 'attempt', value: '={{ $json.attempt }}' }],
				},
			}),
			items: [
				{ phone: '+1 (555) 123-4567', name: 'Lee', attempt: 2 },
				{ phone: '+44 20 7946 0958', name: 'Ada', attempt: 1 },
			],
			credentials: server.credentials(),
		});
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(server.requests.map((request) => request.body)).toEqual([
			expect.objectContaining({ to_number: '15551234567', variables: { customer_name: 'Lee', attempt: 2 } }),
			expect.objectContaining({ to_number: '442079460958', variables: { customer_name: 'Ada', attempt: 1 } }),
		]);
	});

	test('values typed in the node reach every item, and the next run reads its own', async () => {
		// The node reads a parameter without an expression once per run (actions/types.ts itemParameter).
		const leads = [{ phone: '+91 98765 43210' }, { phone: '+91 98765 43211' }, { phone: '+91 98765 43212' }];
		for (const [name, record] of [['Asha', true], ['Ravi', false]] as const) {
			server.reset();
			const { items } = await runPiopiyNode({
				parameters: aiCallParameters({
					toNumber: '={{ $json.phone }}',
					callOptions: { record },
					variables: { text: [{ name: 'customer_name', value: name }] },
				}),
				items: leads,
				credentials: server.credentials(),
			});
			expect(items).toHaveLength(3);
			expect(server.requests.map((request) => request.body)).toEqual(
				['919876543210', '919876543211', '919876543212'].map((toNumber) =>
					expect.objectContaining({ to_number: toNumber, options: { record }, variables: { customer_name: name } }),
				),
			);
		}
	});

	test('with a backup agent the call becomes the failover PCMO call', async () => {
		const { error } = await runPiopiyNode({
			parameters: aiCallParameters({
				callOptions: { record: true, maxDurationSec: 1200 },
				variables: { text: [{ name: 'customer_name', value: 'Asha' }] },
				useFailover: true,
				backupAgentId: BACKUP_AGENT_ID,
				failoverStrategy: 'sequential',
				failoverOptions: {
					ringTimeoutSec: 20,
					maxDurationSec: 1200,
					machineDetection: true,
					recording: { settings: { enabled: true, channels: 'single', format: 'wav' } },
					waitingMusic: 'https://cdn.example.com/hold.mp3',
					metadata: { text: [{ name: 'crm_id', value: 'L-981' }], number: [{ name: 'priority', value: 2 }] },
				},
			}),
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].path).toBe('/voice/pcmo/call');
		expect(server.requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			app_id: String(server.appId),
			options: { record: true, max_duration_sec: 1200 },
			variables: { customer_name: 'Asha' },
			pipeline: [
				{
					action: 'connect',
					params: {
						caller_id: '918045678900',
						strategy: 'sequential',
						options: {
							ring_timeout_sec: 20,
							max_duration_sec: 1200,
							machine_detection: true,
							recording: { enabled: true, channels: 'single', format: 'wav' },
							waiting_music: 'https://cdn.example.com/hold.mp3',
						},
						metadata: { crm_id: 'L-981', priority: 2 },
					},
					endpoints: [
						{ type: 'agent', id: AGENT_ID },
						{ type: 'agent', id: BACKUP_AGENT_ID },
					],
				},
			],
		});
		expectOnlyValidRequests();
	});

	test('failover uses the App ID typed in the node over the credential, and can leave the strategy to Piopiy', async () => {
		await runPiopiyNode({
			parameters: aiCallParameters({
				useFailover: true,
				backupAgentId: BACKUP_AGENT_ID,
				failoverAppId: '7777',
				failoverStrategy: 'serverDefault',
			}),
			credentials: server.credentials(),
		});
		const body = server.requests[0].body as { app_id: string; pipeline: Array<{ params: object }> };
		expect(body.app_id).toBe('7777');
		expect(body.pipeline[0].params).toEqual({ caller_id: '918045678900' });
		expectOnlyValidRequests();
	});
});

describe('phone numbers', () => {
	test.each([
		['+91 98765-43210', '919876543210'],
		['(555) 123 4567', '5551234567'],
		['+1.555.123.4567', '15551234567'],
		['919876543210', '919876543210'],
		['  +44 20 7946 0958 ', '442079460958'],
	])('%s is sent as %s', async (typed, sent) => {
		await runPiopiyNode({ parameters: aiCallParameters({ toNumber: typed }), credentials: server.credentials() });
		expect((server.requests[0].body as { to_number: string }).to_number).toBe(sent);
	});

	test.each([
		['letters', '+91 98765 4321O'],
		['a leading zero', '098765 43210'],
		['too short', '+1 23456'],
		['too long', '+91 98765 43210 12345'],
		['an extension', '+1 555 123 4567 ext 12'],
		['nothing in it (an empty spreadsheet cell)', ''],
	])('a number with %s is refused and nothing is sent', async (_case, typed) => {
		const { error, items } = await runPiopiyNode({
			parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
			items: [{ phone: typed }],
			credentials: server.credentials(),
		});
		expect(items).toEqual([]);
		expect(error?.message).toContain('To Number in item 0 is not valid');
		expect(error?.message).toContain(typed === '' ? '(empty)' : JSON.stringify(typed));
		expect(error?.description).toContain('country code');
		expect(server.requests).toHaveLength(0);
	});
});
