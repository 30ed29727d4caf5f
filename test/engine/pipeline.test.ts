import type { IDataObject } from 'n8n-workflow';

import {
	agent,
	connectTo,
	EVERY_ACTION_BUILDER,
	EVERY_ACTION_PIPELINE,
	MINIMAL_ACTIONS,
	pstn,
} from '../fixtures/pipelines';
import { runPiopiyNode } from '../support/engine';
import { AGENT_ID, BACKUP_AGENT_ID, CALL_ID } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/** The shared pipeline builder and JSON mode, through n8n's engine, on Transfer and PCMO Call. */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const THIRD_AGENT_ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

function transferWithBuilder(actions: IDataObject[]): IDataObject {
	return { resource: 'call', operation: 'transfer', callId: CALL_ID, pipeline: { actions } };
}

function transferWithJson(pipelineJson: string): IDataObject {
	return { resource: 'call', operation: 'transfer', callId: CALL_ID, pipelineInput: 'json', pipelineJson };
}

async function sentPipeline(parameters: IDataObject): Promise<unknown> {
	const { error } = await runPiopiyNode({ parameters, credentials: server.credentials() });
	expect(error).toBeUndefined();
	expect(server.requests).toHaveLength(1);
	expect(server.requests[0].violations).toEqual([]);
	expect(server.requests[0].status).toBe(200);
	return (server.requests[0].body as { pipeline: unknown }).pipeline;
}

describe('pipeline builder', () => {
	test('every action with every option is sent exactly, and the body passes the schema', async () => {
		expect(await sentPipeline(transferWithBuilder(EVERY_ACTION_BUILDER))).toEqual(EVERY_ACTION_PIPELINE);
	});

	test('PCMO Call uses the same builder and sends the same pipeline', async () => {
		const pipeline = await sentPipeline({
			resource: 'call',
			operation: 'pcmoCall',
			callerId: '918045678900',
			toNumber: '919876543210',
			pipeline: { actions: EVERY_ACTION_BUILDER },
		});
		expect(pipeline).toEqual(EVERY_ACTION_PIPELINE);
	});

	test.each(MINIMAL_ACTIONS)('%s with only its required fields', async (_name, builder, expected) => {
		expect(await sentPipeline(transferWithBuilder([builder]))).toEqual([expected]);
	});

	test("fields left out get the builder's defaults (as n8n fills them)", async () => {
		const pipeline = await sentPipeline(
			transferWithBuilder([
				{ type: 'connect', callerId: '918045678900', endpoints: { endpoint: [{ number: '919876543210' }] } },
				{ type: 'playGetInput', promptType: 'say', promptText: 'Hi', promptLanguage: 'en-IN', promptVoiceId: 'asha', onResultUrl: 'https://x.example/in' },
			]),
		);
		expect(pipeline).toEqual([
			{ action: 'connect', params: { caller_id: '918045678900', strategy: 'sequential' }, endpoints: [{ type: 'pstn', number: '919876543210' }] },
			{
				action: 'play_get_input',
				prompt: { type: 'say', say: 'Hi', language: 'en-IN', voice_id: 'asha', speed: 1 },
				input: ['dtmf'],
				on_result: { type: 'url', url: 'https://x.example/in' },
			},
		]);
	});

	test('a mixed sequence keeps its order, and fields of other action types are not sent', async () => {
		const pipeline = await sentPipeline(
			transferWithBuilder([
				{ type: 'play', fileName: 'one.mp3', callerId: '918045678900', promptText: 'left over from another type' },
				{ type: 'param', data: { text: [{ name: 'stage', value: 'greeting' }] } },
				connectTo([pstn('+91 98765 43210'), { type: 'sip', uri: 'sip:desk@pbx.example.com' }, agent(AGENT_ID)]),
				{ type: 'play', fileName: 'two.mp3' },
				{ type: 'record', recordOptions: { format: 'mp3' } },
				{ type: 'hangup' },
			]),
		);
		expect(pipeline).toEqual([
			{ action: 'play', file_name: 'one.mp3' },
			{ action: 'param', data: { stage: 'greeting' } },
			{
				action: 'connect',
				params: { caller_id: '918045678900', strategy: 'sequential' },
				endpoints: [
					{ type: 'pstn', number: '919876543210' },
					{ type: 'sip', uri: 'sip:desk@pbx.example.com' },
					{ type: 'agent', id: AGENT_ID },
				],
			},
			{ action: 'play', file_name: 'two.mp3' },
			{ action: 'record', format: 'mp3' },
			{ action: 'hangup' },
		]);
	});

	test('expressions in builder fields are resolved per item', async () => {
		const { error } = await runPiopiyNode({
			parameters: transferWithBuilder([
				connectTo([{ type: 'pstn', number: '={{ $json.agentPhone }}' }]),
			]),
			items: [{ agentPhone: '+91 99887 76655' }, { agentPhone: '+1 (555) 123-4567' }],
			credentials: server.credentials(),
		});
		expect(error).toBeUndefined();
		expect(server.requests.map((request) => (request.body as { pipeline: Array<{ endpoints: unknown }> }).pipeline[0].endpoints)).toEqual([
			[{ type: 'pstn', number: '919988776655' }],
			[{ type: 'pstn', number: '15551234567' }],
		]);
	});
});

describe('pipeline JSON mode', () => {
	test('a pasted pipeline with every action and option is sent as written', async () => {
		expect(await sentPipeline(transferWithJson(JSON.stringify(EVERY_ACTION_PIPELINE, null, 2)))).toEqual(
			EVERY_ACTION_PIPELINE,
		);
	});

	test('phone numbers in pasted JSON are normalised', async () => {
		const pipeline = await sentPipeline(
			transferWithJson(
				JSON.stringify([{ action: 'connect', params: { caller_id: '+91 80 4567 8900' }, endpoints: [{ type: 'pstn', number: '(555) 123 4567' }] }]),
			),
		);
		expect(pipeline).toEqual([
			{ action: 'connect', params: { caller_id: '918045678900' }, endpoints: [{ type: 'pstn', number: '5551234567' }] },
		]);
	});

	test('an expression that returns an array is used as the pipeline', async () => {
		const pipeline = await sentPipeline(transferWithJson('={{ [{ "action": "play", "file_name": "welcome" + ".mp3" }, { "action": "hangup" }] }}'));
		expect(pipeline).toEqual([{ action: 'play', file_name: 'welcome.mp3' }, { action: 'hangup' }]);
	});

	test('round trip: the builder and the same pipeline pasted as JSON send identical bodies', async () => {
		const sequences = [EVERY_ACTION_BUILDER, ...MINIMAL_ACTIONS.map(([, builder]) => [builder])];
		for (const actions of sequences) {
			server.reset();
			const built = await sentPipeline(transferWithBuilder(actions));
			const builderBody = server.requests[0].body;
			server.reset();
			await sentPipeline(transferWithJson(JSON.stringify(built)));
			expect(server.requests[0].body).toEqual(builderBody);
		}
	});
});

describe('pipeline refusals: nothing is sent', () => {
	async function refused(parameters: IDataObject, items: IDataObject[] = [{}]) {
		const { error, items: output } = await runPiopiyNode({ parameters, items, credentials: server.credentials() });
		expect(server.requests).toHaveLength(0);
		expect(output).toEqual([]);
		expect(error).toBeDefined();
		return error!;
	}

	test.each<[string, IDataObject, RegExp, RegExp]>([
		[
			'a third agent endpoint',
			transferWithBuilder([connectTo([pstn('919876543210'), agent(AGENT_ID), agent(BACKUP_AGENT_ID), agent(THIRD_AGENT_ID)])]),
			/^Pipeline action 1 \(Connect\) → Endpoint 4 in item 0 is not valid: received \{"type":"agent","id":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"\}$/,
			/at most 2 AI agent endpoints in one connect/,
		],
		[
			'an agent before a phone endpoint',
			transferWithBuilder([{ type: 'play', fileName: 'a.mp3' }, connectTo([agent(AGENT_ID), pstn('+91 98765 43210')])]),
			/^Pipeline action 2 \(Connect\) → Endpoint 2 in item 0 is not valid: received \{"type":"pstn","number":"919876543210"\}$/,
			/before the AI agent endpoints/,
		],
		[
			// An empty field is n8n's to refuse (it is marked required, see below); an expression may still come out empty.
			'a say prompt whose voice expression comes out empty',
			transferWithBuilder([
				{ type: 'playGetInput', promptType: 'say', promptText: 'Hello', promptLanguage: 'en-IN', promptVoiceId: '={{ "" }}', onResultUrl: 'https://x.example/in' },
			]),
			/^Pipeline action 1 \(Play and Get Input\) → Voice ID in item 0 is not valid: received \(empty\)$/,
			/text that is not empty/,
		],
		[
			'a result URL that is not http(s)',
			transferWithBuilder([{ type: 'input', onResultType: 'url', onResultUrl: 'ftp://files.example.com/in' }]),
			/^Pipeline action 1 \(Input\) → Result URL in item 0 is not valid: received "ftp:\/\/files.example.com\/in"$/,
			/an http:\/\/ or https:\/\/ URL/,
		],
		[
			'more than 10 params',
			transferWithBuilder([
				{ type: 'param', data: { text: Array.from({ length: 11 }, (_, index) => ({ name: `key_${index}`, value: 'v' })) } },
			]),
			/^Pipeline action 1 \(Param\) → Parameters in item 0 is not valid: received \{"key_0":"v",/,
			/1 to 10 named values \(got 11\)/,
		],
		[
			'a param text of 257 characters',
			transferWithBuilder([{ type: 'param', data: { text: [{ name: 'note', value: 'x'.repeat(257) }] } }]),
			/^Pipeline action 1 \(Param\) → Parameters "note" in item 0 is not valid: received "xxxx/,
			/at most 256 characters/,
		],
		[
			'an empty builder',
			transferWithBuilder([]),
			/^Pipeline in item 0 is not valid: received \[\]$/,
			/at least one action/,
		],
		[
			'pipeline JSON that does not parse',
			transferWithJson('[\n  {"action": "play", "file_name": "a.mp3"}\n  {"action": "hangup"}\n]'),
			/^Pipeline \(JSON\) line 3, column 3 in item 0 is not valid: received "\{\\"action\\": \\"hangup\\"\}"$/,
			/valid JSON at that point/,
		],
		[
			'pipeline JSON with a broken endpoint deep inside',
			transferWithJson(
				JSON.stringify([
					{ action: 'play', file_name: 'a.mp3' },
					{
						action: 'connect',
						params: { caller_id: '918045678900' },
						endpoints: [{ type: 'pstn', number: '919876543210' }, { type: 'sip', uri: 'sip:a@b.example' }, { type: 'pstn', number: 'ext. 42' }],
					},
				]),
			),
			/^Pipeline \(JSON\) action 2 \(connect\) → Endpoint 3 → Phone Number in item 0 is not valid: received "ext. 42"$/,
			/country code/,
		],
		[
			'pipeline JSON with a key the contract does not have',
			transferWithJson(JSON.stringify([{ action: 'record', format: 'mp3', bitrate: 128 }])),
			/^Pipeline \(JSON\) action 1 \(record\): "bitrate" in item 0 is not valid: received 128$/,
			/allowed: "action", "format", "channels"/,
		],
		[
			'pipeline JSON that is an object, not an array',
			transferWithJson('{"action": "hangup"}'),
			/^Pipeline \(JSON\) in item 0 is not valid: received \{"action":"hangup"\}$/,
			/a JSON array of one or more actions/,
		],
		[
			'pipeline JSON left at its default',
			transferWithJson('[]'),
			/^Pipeline \(JSON\) in item 0 is not valid: received \[\]$/,
			/a JSON array of one or more actions/,
		],
	])('%s', async (_name, parameters, message, description) => {
		const error = await refused(parameters);
		expect(error.message).toMatch(message);
		expect(error.description).toMatch(description);
		expect(error.description).toMatch(/Nothing was sent for this item/);
	});

	test.each([
		['Language', { promptLanguage: '', promptVoiceId: 'v1' }],
		['Voice ID', { promptLanguage: 'en-IN', promptVoiceId: '' }],
		['Prompt Text', { promptText: '', promptLanguage: 'en-IN', promptVoiceId: 'v1' }],
	])('a spoken prompt with %s left empty: n8n itself refuses to run the workflow, naming the field', async (field, prompt) => {
		const parameters = transferWithBuilder([
			{ type: 'playGetInput', promptType: 'say', promptText: 'Hello', ...prompt, onResultUrl: 'https://x.example/in' },
		]);
		await expect(runPiopiyNode({ parameters, credentials: server.credentials() })).rejects.toThrow(
			`Parameter "${field}" is required`,
		);
		expect(server.requests).toHaveLength(0);
	});

	test('a bad pipeline in item 1 stops the run before item 0 is sent, and names item 1', async () => {
		const error = await refused(
			transferWithBuilder([connectTo([{ type: 'pstn', number: '={{ $json.phone }}' }])]),
			[{ phone: '+91 98765 43210' }, { phone: 'not a number' }],
		);
		expect(error.message).toBe(
			'Pipeline action 1 (Connect) → Endpoint 1 → Phone Number in item 1 is not valid: received "not a number"',
		);
	});

	test('with Continue On Fail, the bad item gets an error item and the good one is sent', async () => {
		const { items, error } = await runPiopiyNode({
			parameters: transferWithBuilder([connectTo([{ type: 'pstn', number: '={{ $json.phone }}' }])]),
			items: [{ phone: 'not a number' }, { phone: '+91 98765 43210' }],
			credentials: server.credentials(),
			onError: 'continueRegularOutput',
		});
		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(items).toHaveLength(2);
		expect(items[0].json.error).toMatch(/Phone Number in item 0 is not valid/);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[1].json).toEqual({ success: true, message: 'transfer_queued' });
		expect(items[1].pairedItem).toEqual({ item: 1 });
	});
});
