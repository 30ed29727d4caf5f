import { runPiopiyNode } from '../support/engine';
import { PiopiyTestServer } from '../support/piopiyServer';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const voiceCall = (parameters: object = {}) => ({
	resource: 'call',
	operation: 'voiceCall',
	callerId: '+91 80 4567 8900',
	toNumber: '+91 98765-43210',
	connectTo: '+91 99887 76655',
	...parameters,
});

describe('Call → Make Voice Call', () => {
	test('minimal: a PCMO call with one connect to the number, using the App ID of the credential', async () => {
		const { items, error } = await runPiopiyNode({ parameters: voiceCall(), credentials: server.credentials() });
		expect(error).toBeUndefined();
		expect(server.requests[0].path).toBe('/voice/pcmo/call');
		expect(server.requests[0].headers.authorization).toBe(`Bearer ${server.token}`);
		expect(server.requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			app_id: String(server.appId),
			pipeline: [
				{
					action: 'connect',
					params: { caller_id: '918045678900', strategy: 'sequential' },
					endpoints: [{ type: 'pstn', number: '919988776655' }],
				},
			],
		});
		expect(server.requests[0].violations).toEqual([]);
		expect(items[0].json).toMatchObject({ success: true, message: 'call_queued' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	test('full: App ID in the node, strategy, connect options and metadata, call options, variables', async () => {
		const { error } = await runPiopiyNode({
			parameters: voiceCall({
				appId: ' 5550001 ',
				strategy: 'simultaneous',
				connectOptions: {
					machineDetection: false,
					maxDurationSec: 900,
					metadata: { text: [{ name: 'lead', value: 'L-9' }], boolean: [{ name: 'hot', value: true }] },
					recording: { settings: { enabled: true, channels: 'dual', format: 'mp3' } },
					ringTimeoutSec: 40,
					waitingMusic: 'https://cdn.example.com/hold.mp3',
				},
				callOptions: { maxDurationSec: 1200, record: true, ringTimeoutSec: 45 },
				variables: { text: [{ name: 'customer_name', value: 'Asha' }], number: [{ name: 'amount_due', value: 1200 }] },
			}),
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(server.requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			app_id: '5550001',
			pipeline: [
				{
					action: 'connect',
					params: {
						caller_id: '918045678900',
						strategy: 'simultaneous',
						options: {
							max_duration_sec: 900,
							ring_timeout_sec: 40,
							machine_detection: false,
							recording: { enabled: true, channels: 'dual', format: 'mp3' },
							waiting_music: 'https://cdn.example.com/hold.mp3',
						},
						metadata: { lead: 'L-9', hot: true },
					},
					endpoints: [{ type: 'pstn', number: '919988776655' }],
				},
			],
			options: { max_duration_sec: 1200, record: true, ring_timeout_sec: 45 },
			variables: { customer_name: 'Asha', amount_due: 1200 },
		});
		expect(server.requests[0].violations).toEqual([]);
	});

	test("Server Default leaves the strategy to Piopiy; variables can come as JSON", async () => {
		await runPiopiyNode({
			parameters: voiceCall({ strategy: 'serverDefault', variablesInput: 'json', variablesJson: '{"vip": true}' }),
			credentials: server.credentials(),
		});
		const body = server.requests[0].body as { pipeline: Array<{ params: object }>; variables: object };
		expect(body.pipeline[0].params).toEqual({ caller_id: '918045678900' });
		expect(body.variables).toEqual({ vip: true });
		expect(server.requests[0].violations).toEqual([]);
	});

	test.each<[string, object, Record<string, unknown>, RegExp, RegExp]>([
		['a Connect To that is not a number', { connectTo: 'reception' }, {}, /^Connect To in item 0 is not valid: received "reception"$/, /country code/],
		['no App ID in the node or the credential', {}, { appId: '' }, /^App ID in item 0 is not valid: received \(empty\)$/, /Piopiy API credential/],
		[
			'a connect option out of range',
			{ connectOptions: { ringTimeoutSec: 200 } },
			{},
			/^Ring Timeout \(Seconds\) in item 0 is not valid: received 200$/,
			/between 5 and 120/,
		],
	])('%s is refused and nothing is sent', async (_name, parameters, credentials, message, description) => {
		const { error } = await runPiopiyNode({ parameters: voiceCall(parameters), credentials: server.credentials(credentials) });
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(description);
		expect(server.requests).toHaveLength(0);
	});

	test('a call that got a 5xx is not placed again', async () => {
		server.behaviour = () => ({ status: 502, body: { error: 'bad gateway' } });
		const { error } = await runPiopiyNode({ parameters: voiceCall(), credentials: server.credentials() });
		expect(server.requests).toHaveLength(1);
		expect(error?.description).toMatch(/The call may have been placed/);
	});
});
