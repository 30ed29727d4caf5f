import { Piopiy } from '../../nodes/Piopiy/Piopiy.node.js';
import { registerNodeType, runPiopiyNode } from '../support/engine';
import { aiCallParameters, AGENT_ID, BACKUP_AGENT_ID } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/**
 * The node as an AI Agent's tool (n8n names that variant `<name>Tool`): the same call asked for twice in
 * one execution rings nobody twice, unless the workflow builder allows repeats. The AI Agent's own
 * repeated tool calls are run end to end in test/e2e (a scripted model asks twice).
 */
const TOOL_TYPE = 'n8n-nodes-piopiy.piopiyTool';
registerNodeType(TOOL_TYPE, new Piopiy());

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const sameLeadTwice = [{ phone: '+91 98765 43210' }, { phone: '919876543210' }];

/** The tool asked twice for the same call, one request at a time. */
async function askedTwice(onError?: 'continueRegularOutput') {
	return await runPiopiyNode({
		nodeType: TOOL_TYPE,
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { concurrency: 1 } }),
		items: sameLeadTwice,
		credentials: server.credentials(),
		onError,
	});
}

test('the same number with the same agent again: refused with words for the model, sent once', async () => {
	const { items } = await askedTwice('continueRegularOutput');
	expect(server.requests).toHaveLength(1);
	expect(items[0].json.message).toBe('call_queued');
	expect(items[1].json.message).toBe('notSent');
	expect(items[1].json.error).toMatch(/^Not sent: this exact call was already made earlier in this run \(its id: [0-9a-f-]{36}\)\. Repeating it would ring the same person again\. Tell the user it was already done/);
});

test('without On Error set, the repeat is still an item with the words: AI Agent 2.x gives the model an empty result for a tool that throws', async () => {
	const { items, error } = await askedTwice();
	expect(error).toBeUndefined();
	expect(server.requests).toHaveLength(1);
	expect(items.map((item) => item.json.message)).toEqual(['call_queued', 'notSent']);
	expect(items[1].json.error).toMatch(/^Not sent: this exact call was already made earlier in this run/);
});

test('without On Error set, bad input from the model is an item that names the field, nothing sent', async () => {
	const { items, error } = await runPiopiyNode({
		nodeType: TOOL_TYPE,
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
		items: [{ phone: 'n/a' }],
		credentials: server.credentials(),
	});
	expect(error).toBeUndefined();
	expect(server.requests).toHaveLength(0);
	expect(items).toEqual([{ json: { error: expect.stringMatching(/^To Number in item 0 is not valid: received "n\/a"\. Expected/), message: 'notSent' }, pairedItem: { item: 0 } }]);
});

test('without On Error set, a run refused as a whole (Retry On Fail on a tool that places calls) is an item per call, nothing sent', async () => {
	const { items, error } = await runPiopiyNode({
		nodeType: TOOL_TYPE,
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
		items: sameLeadTwice,
		credentials: server.credentials(),
		retry: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
	});
	expect(error).toBeUndefined();
	expect(server.requests).toHaveLength(0);
	expect(items.map((item) => [item.json.message, item.pairedItem])).toEqual([
		['notSent', { item: 0 }],
		['notSent', { item: 1 }],
	]);
	expect(items[0].json.error).toMatch(/^"Retry On Fail" is on, and it would place calls twice: nothing was sent/);
});

test('another agent for the same number is another call', async () => {
	const { items } = await runPiopiyNode({
		nodeType: TOOL_TYPE,
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', agentId: '={{ $json.agent }}' }),
		items: [
			{ phone: '919876543210', agent: AGENT_ID },
			{ phone: '919876543210', agent: BACKUP_AGENT_ID },
		],
		credentials: server.credentials(),
	});
	expect(items.map((item) => item.json.message)).toEqual(['call_queued', 'call_queued']);
	expect(server.requests).toHaveLength(2);
});

test('"Allow Repeated Calls From AI Agent" lets the builder allow repeats', async () => {
	const { items } = await runPiopiyNode({
		nodeType: TOOL_TYPE,
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { allowToolRepeats: true } }),
		items: sameLeadTwice,
		credentials: server.credentials(),
	});
	expect(items.map((item) => item.json.message)).toEqual(['call_queued', 'call_queued']);
	expect(server.requests).toHaveLength(2);
});

test('a call Piopiy refused was not made: asking again sends it', async () => {
	let first = true;
	server.behaviour = () => {
		if (!first) return undefined;
		first = false;
		return { status: 400, body: { error: 'agent busy' } };
	};
	const { items } = await askedTwice('continueRegularOutput');
	expect(items.map((item) => item.json.message)).toEqual(['refused', 'call_queued']);
	expect(server.requests).toHaveLength(2);
});

test('the plain node (not a tool) sends a campaign\'s duplicate numbers as the builder asked', async () => {
	const { items } = await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
		items: sameLeadTwice,
		credentials: server.credentials(),
	});
	expect(items).toHaveLength(2);
	expect(server.requests).toHaveLength(2);
});

describe('the waiting operations and the plain tool variant', () => {
	test('the editor does not offer them to the tool variant; the node and its human review keep Call and Ask', () => {
		const operationFields = new Piopiy().description.properties.filter((field) => field.name === 'operation' && field.displayOptions?.show?.resource?.includes('call'));
		const offered = (tool: boolean) =>
			operationFields
				.filter((field) => (field.displayOptions?.show?.['@tool'] ?? [tool]).includes(tool))
				.flatMap((field) => (field.options ?? []).map((option) => (option as { value: string }).value));
		expect(offered(true)).not.toEqual(expect.arrayContaining(['askAndWait']));
		expect(offered(true)).not.toContain('sendAndWait');
		expect(offered(true)).toContain('transfer');
		expect(offered(false)).toEqual(expect.arrayContaining(['askAndWait', 'sendAndWait', 'transfer']));
	});

	test('a tool saved with Call and Ask is refused as an item the model reads, nothing sent', async () => {
		const { items, error, run } = await runPiopiyNode({
			nodeType: TOOL_TYPE,
			parameters: { resource: 'call', operation: 'sendAndWait', callerId: '+91 80 4567 8900', toNumber: '+91 98765 43210', message: 'Approve?', promptLanguage: 'en-IN', promptVoiceId: 'anika' },
			credentials: server.credentials(),
			executionId: '4714',
		});
		expect(error).toBeUndefined();
		expect(run.status).toBe('success');
		expect(server.requests).toHaveLength(0);
		expect(items[0].json).toEqual({ error: expect.stringMatching(/^Call and Ask cannot run as an AI Agent tool: .*Nothing was sent\./), message: 'notSent' });
	});
});
