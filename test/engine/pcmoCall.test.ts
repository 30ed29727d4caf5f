import { EVERY_ACTION_PIPELINE } from '../fixtures/pipelines';
import { runPiopiyNode } from '../support/engine';
import { AGENT_ID } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const pcmoCall = (parameters: object = {}) => ({
	resource: 'call',
	operation: 'pcmoCall',
	callerId: '+91 80 4567 8900',
	toNumber: '+91 98765-43210',
	pipeline: { actions: [{ type: 'play', fileName: 'welcome.mp3' }, { type: 'hangup' }] },
	...parameters,
});

describe('Call → Make PCMO Call', () => {
	test('minimal: caller, number, the App ID of the credential and a built pipeline', async () => {
		const { items, error } = await runPiopiyNode({ parameters: pcmoCall(), credentials: server.credentials() });
		expect(error).toBeUndefined();
		expect(server.requests[0].path).toBe('/voice/pcmo/call');
		expect(server.requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			app_id: String(server.appId),
			pipeline: [{ action: 'play', file_name: 'welcome.mp3' }, { action: 'hangup' }],
		});
		expect(server.requests[0].violations).toEqual([]);
		expect(items[0].json).toMatchObject({ success: true, message: 'call_queued' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	test('full: App ID, JSON pipeline with every action, agent ID, call options, JSON variables', async () => {
		const { error } = await runPiopiyNode({
			parameters: pcmoCall({
				appId: '5550001',
				pipelineInput: 'json',
				pipelineJson: JSON.stringify(EVERY_ACTION_PIPELINE),
				agentId: AGENT_ID,
				callOptions: { maxDurationSec: 3600, record: false, ringTimeoutSec: 20 },
				variablesInput: 'json',
				variablesJson: '{"customer_name": "Asha", "attempt": 2}',
			}),
			credentials: server.credentials({ appId: '' }),
		});
		expect(error).toBeUndefined();
		expect(server.requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			app_id: '5550001',
			pipeline: EVERY_ACTION_PIPELINE,
			agent_id: AGENT_ID,
			options: { max_duration_sec: 3600, record: false, ring_timeout_sec: 20 },
			variables: { customer_name: 'Asha', attempt: 2 },
		});
		expect(server.requests[0].violations).toEqual([]);
	});

	test.each<[string, object, Record<string, unknown>, RegExp, RegExp]>([
		['a malformed agent ID', { agentId: 'agent-1' }, {}, /^Agent ID in item 0 is not valid: received "agent-1"$/, /UUID/],
		['no App ID anywhere', {}, { appId: '' }, /^App ID in item 0 is not valid: received \(empty\)$/, /Piopiy API credential/],
		['no pipeline action', { pipeline: {} }, {}, /^Pipeline in item 0 is not valid/, /at least one action/],
		['a call option out of range', { callOptions: { maxDurationSec: 10 } }, {}, /^Max Duration \(Seconds\) in item 0 is not valid: received 10$/, /between 30 and 7200/],
	])('%s is refused and nothing is sent', async (_name, parameters, credentials, message, description) => {
		const { error } = await runPiopiyNode({ parameters: pcmoCall(parameters), credentials: server.credentials(credentials) });
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(description);
		expect(server.requests).toHaveLength(0);
	});

	test('a call that got a 5xx is not placed again', async () => {
		server.behaviour = () => ({ status: 500, body: { error: 'oops' } });
		const { error } = await runPiopiyNode({ parameters: pcmoCall(), credentials: server.credentials() });
		expect(server.requests).toHaveLength(1);
		expect(error?.description).toMatch(/The call may have been placed/);
	});
});
