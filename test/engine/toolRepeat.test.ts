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

test('without On Error set, the repeat fails the tool call with that message (n8n hands it to the model)', async () => {
	const { error } = await askedTwice();
	expect(server.requests).toHaveLength(1);
	expect(error?.message).toContain('1 call placed, 0 with unknown outcome, 0 refused, 1 not sent');
	expect(error?.description).toContain('Not sent: this exact call was already made earlier in this run');
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
