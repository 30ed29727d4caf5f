import { Piopiy } from '../../nodes/Piopiy/Piopiy.node.js';
import { replyId } from '../../nodes/Piopiy/helpers/runRecord';
import { forgetCalls, registerNodeType, runPiopiyNode, type RunOptions } from '../support/engine';
import { aiCallParameters } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/**
 * Issue 28: executions in one n8n process share the account's memory of the calls placed. The same
 * call from another execution within the window is not sent: a form submitted twice, an MCP client
 * repeating its tool call, a stopped campaign run again. The real thing runs in test/e2e/recentCalls.e2e.ts.
 */
const TOOL_TYPE = 'n8n-nodes-piopiy.piopiyTool';
registerNodeType(TOOL_TYPE, new Piopiy());

const server = new PiopiyTestServer();
const other = new PiopiyTestServer();
beforeAll(async () => Promise.all([server.start(), other.start()]));
afterAll(async () => Promise.all([server.stop(), other.stop()]));

let execution = 0;
/** One execution of "Test Items" → Piopiy in the process the test's earlier runs ran in. */
async function execute(options: Partial<RunOptions> & { requestOptions?: Record<string, unknown> } = {}) {
	const { requestOptions, ...rest } = options;
	return await runPiopiyNode({
		parameters: aiCallParameters({ requestOptions: { ...requestOptions } }),
		credentials: server.credentials(),
		onError: 'continueRegularOutput',
		executionId: `exec-${++execution}`,
		sameProcess: true,
		...rest,
	});
}

beforeEach(() => {
	server.reset();
	other.reset();
	// Each test starts as a fresh n8n process; its runs then share it.
	forgetCalls(server.credentials());
	forgetCalls(other.credentials());
});

test('the same call from a second execution: not sent, and its item says when the first was placed, its call_id and how to allow it', async () => {
	const first = await execute();
	expect(first.items[0].json.message).toBe('call_queued');
	const second = await execute();
	expect(server.requests).toHaveLength(1);
	const callId = replyId(first.items[0].json);
	expect(callId).toMatch(/^[0-9a-f-]{36}$/);
	expect(second.items).toEqual([
		{
			json: {
				message: 'notSent',
				error: expect.stringMatching(
					new RegExp(
						`^Not sent: a call to this number with the same AI agent was already placed \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, \\d seconds? ago, call_id ${callId}\\)\\. This Piopiy account sent it from this n8n process within the last 10 minutes\\. .*"Allow Repeated Calls After \\(Minutes\\)"`,
					),
				),
			},
			pairedItem: { item: 0 },
		},
	]);
});

test('two executions at the same moment (a double click): one call, the other says one was sent and has had no answer yet', async () => {
	server.behaviour = (request, self) => ({ ...self.standardReply(request), delayMs: 200 });
	const [a, b] = await Promise.all([execute(), execute()]);
	expect(server.requests).toHaveLength(1);
	const messages = [a.items[0].json, b.items[0].json].map((json) => json.message).sort();
	expect(messages).toEqual(['call_queued', 'notSent']);
	const refused = [a, b].find((run) => run.items[0].json.message === 'notSent');
	expect(refused?.items[0].json.error).toMatch(/^Not sent: a call to this number with the same AI agent was sent \(.*\) by another run and has had no answer yet: it may be placed\./);
});

test('"Allow Repeated Calls After (Minutes)" 0: both executions place the call', async () => {
	await execute({ requestOptions: { repeatWindowMin: 0 } });
	const second = await execute({ requestOptions: { repeatWindowMin: 0 } });
	expect(second.items[0].json.message).toBe('call_queued');
	expect(server.requests).toHaveLength(2);
});

test('Stop Workflow: the second execution fails with the reason, nothing sent', async () => {
	await execute({ onError: undefined });
	const second = await execute({ onError: undefined });
	expect(server.requests).toHaveLength(1);
	expect(second.error?.message).toMatch(/^Not sent: a call to this number with the same AI agent was already placed/);
});

test('an unknown outcome (503) counts as placed: the next execution is not sent and says it may have been placed', async () => {
	server.behaviour = () => ({ status: 503, body: { error: 'unavailable' } });
	const first = await execute();
	expect(first.items[0].json.message).toBe('unknownOutcome');
	server.behaviour = undefined;
	const second = await execute();
	expect(server.requests).toHaveLength(1);
	expect(second.items[0].json.error).toMatch(/^Not sent: a call to this number with the same AI agent was sent \(.*\) and its outcome is unknown: it may have been placed\..*Check the Piopiy call log/);
});

test('a refused call placed nothing: the next execution sends it', async () => {
	server.behaviour = () => ({ status: 400, body: { error: 'agent busy' } });
	expect((await execute()).items[0].json.message).toBe('refused');
	server.behaviour = undefined;
	expect((await execute()).items[0].json.message).toBe('call_queued');
	expect(server.requests).toHaveLength(2);
});

test('the Idempotency Key: the same submission with another number is not sent again', async () => {
	const first = await execute({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { idempotencyKey: '={{ $json.submissionId }}' } }),
		items: [{ phone: '+91 98765 43210', submissionId: 'form-42' }],
	});
	expect(first.items[0].json.message).toBe('call_queued');
	const second = await execute({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { idempotencyKey: '={{ $json.submissionId }}' } }),
		items: [{ phone: '+91 98765 43299', submissionId: 'form-42' }],
	});
	expect(second.items[0].json.error).toMatch(/^Not sent: a call with the same Idempotency Key was already placed/);
	expect(server.requests).toHaveLength(1);
});

test('an Idempotency Key that is not text or a number: the item names the field, nothing sent', async () => {
	const run = await execute({
		parameters: aiCallParameters({ requestOptions: { idempotencyKey: '={{ { id: 1 } }}' } }),
	});
	expect(server.requests).toHaveLength(0);
	expect(run.items[0].json).toEqual({ message: 'notSent', error: expect.stringMatching(/^Idempotency Key in item 0 is not valid: received/) });
});

test('another account (another token) does not share the memory', async () => {
	await execute();
	const elsewhere = await execute({ credentials: other.credentials() });
	expect(elsewhere.items[0].json.message).toBe('call_queued');
	expect(server.requests).toHaveLength(1);
	expect(other.requests).toHaveLength(1);
});

describe('as a tool (an AI Agent in another execution, an MCP client calling again)', () => {
	test('the result says so in words a model acts on', async () => {
		await execute({ nodeType: TOOL_TYPE });
		const second = await execute({ nodeType: TOOL_TYPE, onError: undefined });
		expect(server.requests).toHaveLength(1);
		expect(second.error).toBeUndefined();
		expect(second.items[0].json.message).toBe('notSent');
		expect(second.items[0].json.error).toMatch(
			/^Not sent: a call to this number with the same AI agent was already placed \(.*\)\. Sending it again within 10 minutes would ring the same person twice\. Tell the user the call was already placed \(call_id [0-9a-f-]{36}\); do not call this tool again for this number\./,
		);
	});

	test('"Allow Repeated Calls From AI Agent" lets a tool call repeat across executions too', async () => {
		await execute({ nodeType: TOOL_TYPE, requestOptions: { allowToolRepeats: true } });
		const second = await execute({ nodeType: TOOL_TYPE, requestOptions: { allowToolRepeats: true } });
		expect(second.items[0].json.message).toBe('call_queued');
		expect(server.requests).toHaveLength(2);
	});
});

test('a re-run of a campaign: the leads already called are not sent, the others are', async () => {
	const leads = (count: number) => Array.from({ length: count }, (_, index) => ({ phone: `+91 98765 4320${index}` }));
	const parameters = aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { concurrency: 1 } });
	await execute({ parameters, items: leads(2) });
	const rerun = await execute({ parameters, items: leads(4) });
	expect(rerun.items.map((item) => item.json.message)).toEqual(['notSent', 'notSent', 'call_queued', 'call_queued']);
	const called = server.requests.map((request) => (request.body as { to_number: string }).to_number);
	expect(called).toEqual(['919876543200', '919876543201', '919876543202', '919876543203']);
});
