import { EVERY_ACTION_BUILDER, EVERY_ACTION_PIPELINE } from '../fixtures/pipelines';
import { runPiopiyNode } from '../support/engine';
import { CALL_ID } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const transfer = (parameters: object = {}) => ({ resource: 'call', operation: 'transfer', callId: CALL_ID, ...parameters });

describe('Call → Transfer', () => {
	test('minimal: a call ID and one action, sent to /voice/pcmo/transfer with the token', async () => {
		const { items, error } = await runPiopiyNode({
			parameters: transfer({ pipeline: { actions: [{ type: 'hangup' }] } }),
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].path).toBe('/voice/pcmo/transfer');
		expect(server.requests[0].headers.authorization).toBe(`Bearer ${server.token}`);
		expect(server.requests[0].body).toEqual({ call_id: CALL_ID, pipeline: [{ action: 'hangup' }] });
		expect(server.requests[0].violations).toEqual([]);
		expect(items).toEqual([{ json: { success: true, message: 'transfer_queued' }, pairedItem: { item: 0 } }]);
	});

	test('full: every pipeline action with every option', async () => {
		const { error } = await runPiopiyNode({
			parameters: transfer({ callId: ` ${CALL_ID.toUpperCase()} `, pipeline: { actions: EVERY_ACTION_BUILDER } }),
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(server.requests[0].body).toEqual({ call_id: CALL_ID.toUpperCase(), pipeline: EVERY_ACTION_PIPELINE });
		expect(server.requests[0].violations).toEqual([]);
	});

	test('full, with the pipeline pasted as JSON', async () => {
		await runPiopiyNode({
			parameters: transfer({ pipelineInput: 'json', pipelineJson: JSON.stringify(EVERY_ACTION_PIPELINE) }),
			credentials: server.credentials(),
		});
		expect(server.requests[0].body).toEqual({ call_id: CALL_ID, pipeline: EVERY_ACTION_PIPELINE });
		expect(server.requests[0].violations).toEqual([]);
	});

	test('a malformed call ID is refused and nothing is sent', async () => {
		const { error } = await runPiopiyNode({
			parameters: transfer({ callId: 'call-17', pipeline: { actions: [{ type: 'hangup' }] } }),
			credentials: server.credentials(),
		});
		expect(error?.message).toBe('Call ID in item 0 is not valid: received "call-17"');
		expect(error?.description).toMatch(/UUID/);
		expect(server.requests).toHaveLength(0);
	});

	test('a transfer that got a 5xx is not sent again: it may have acted on the live call', async () => {
		server.behaviour = () => ({ status: 503, body: { error: 'busy' } });
		const { error } = await runPiopiyNode({
			parameters: transfer({ pipeline: { actions: [{ type: 'hangup' }] } }),
			credentials: server.credentials(),
		});
		expect(server.requests).toHaveLength(1);
		expect(error?.message).toMatch(/HTTP 503/);
		expect(error?.description).toMatch(/may have been applied to the live call/);
	});

	test('an HTTP 200 whose body says it failed is a failure', async () => {
		server.behaviour = () => ({ status: 200, body: { success: false, message: 'call not found' } });
		const { error } = await runPiopiyNode({
			parameters: transfer({ pipeline: { actions: [{ type: 'hangup' }] } }),
			credentials: server.credentials(),
		});
		expect(error?.message).toBe('Piopiy reported a failure: call not found');
	});
});
