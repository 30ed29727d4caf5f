// @n8n-lines 2 (n8n's human-review tools for the AI Agent exist from n8n 2.0; 1.123 has none)
import { randomUUID } from 'node:crypto';

import { says, ScriptedCaller } from '../support/caller';
import { firstOutput, startFromWebhook, untilStatus } from './support/executions';
import { FakeOpenAi, toolResults } from './support/fakeOpenAi';
import { GOOD_CREDENTIAL, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import { forE2e, node, readExample, type Workflow } from './support/workflows';

/**
 * examples/ai-agent-phone-approval.json in a real n8n 2.x: the AI Agent's "Place a Piopiy call" tool
 * sits behind Call and Ask, which n8n offers as a human-review step (`piopiyHitlTool`) because its
 * operation is `sendAndWait`. The model is scripted (support/fakeOpenAi.ts); the manager is the
 * stand-in's caller, who presses 1 (approve) or 2 (decline) on the approval call.
 */

const typePrefix = TYPE_PREFIX.communityPackage;
const WORKFLOW_ID = 'E2eExAgentOk0001';
const PATH = 'piopiy-agent-approval';
const OPENAI_CREDENTIAL = { id: 'E2eFakeOpenAi001', name: 'OpenAI (e2e scripted stand-in)' };
const TOOL_PARAMETERS = { to_number: '+91 98765 43210', customer_name: 'Asha Rao', call_purpose: "Remind her of tomorrow's 10:00 appointment" };

const fakeOpenAi = new FakeOpenAi(`sk-e2e-${Date.now()}`, { toolParameters: TOOL_PARAMETERS, hitlParameters: {} });
const caller = new ScriptedCaller();
let stack: Stack;

/**
 * Variants of the approval example (issue 20), each published at its own path: the review with
 * Response Type Free Text; one whose approval call cannot be placed (a To Number that is not one);
 * one with a half-minute wait limit nobody answers within.
 */
const VARIANTS = {
	freeText: { id: 'E2eExAgentFree01', path: 'piopiy-agent-free-text', review: { answerType: 'freeText', message: 'The assistant wants to place a call. What should it do?' } },
	notPlaced: { id: 'E2eExAgentBad001', path: 'piopiy-agent-not-placed', review: { toNumber: 'the manager' } },
	timeOut: { id: 'E2eExAgentWait01', path: 'piopiy-agent-time-out', review: { waitLimit: 0.5 } },
};
const REVIEW_NODE = 'Ask the manager by phone';

function approvalWorkflow(id: string, path = PATH, review: Record<string, unknown> = {}): Workflow {
	const workflow = forE2e(readExample('ai-agent-phone-approval.json'), { id, credential: GOOD_CREDENTIAL, typePrefix });
	node(workflow, 'OpenAI Chat Model').credentials = { openAiApi: { ...OPENAI_CREDENTIAL } };
	node(workflow, 'Request').parameters.path = path;
	if (id !== WORKFLOW_ID) node(workflow, 'Request').webhookId = randomUUID();
	Object.assign(node(workflow, REVIEW_NODE).parameters, review);
	return workflow;
}

beforeAll(async () => {
	await fakeOpenAi.start();
	const workflows = [
		approvalWorkflow(WORKFLOW_ID),
		...Object.values(VARIANTS).map(({ id, path, review }) => approvalWorkflow(id, path, review)),
	];
	stack = await startStack({
		name: 'interactive-agent',
		install: 'communityPackage',
		wrongTokenCredential: false,
		workflows,
		credentials: [{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: fakeOpenAi.apiKey, url: fakeOpenAi.url } }],
	});
	await stack.publish(WORKFLOW_ID, `/webhook/${PATH}`);
	for (const { id, path } of Object.values(VARIANTS)) await stack.publish(id, `/webhook/${path}`);
}, 300_000);

afterAll(async () => {
	await caller.settled();
	await stack?.stop();
	await fakeOpenAi.stop();
}, 60_000);


beforeEach(() => {
	stack.piopiy.reset();
	stack.piopiy.behaviour = caller.behaviour;
	fakeOpenAi.requests.length = 0;
});

describe(`n8n ${N8N_VERSION}: the AI Agent asks a person's approval by phone before using a tool`, () => {
	it.each([
		['1', true],
		['2', false],
	])('the manager presses %s: the gated tool runs only when approved', async (key, approved) => {
		caller.reset((question) => ({ call_id: question.callId, digits: key }));
		const request = { request: "Call Asha Rao on +91 98765 43210 and remind her of tomorrow's 10:00 appointment." };
		const executionId = await startFromWebhook(stack, WORKFLOW_ID, PATH, request);
		const stored = await untilStatus(stack, executionId, 'success', 90_000);

		// The model saw the gated tool with the human-review layer's parameters.
		const tool = fakeOpenAi.requests[0].body.tools?.[0]?.function;
		expect(tool?.name).toBe('Place_a_Piopiy_call');
		expect(Object.keys(tool?.parameters?.properties ?? {}).sort()).toEqual(['hitlParameters', 'toolParameters']);

		// First the approval call to the manager, with the message n8n filled in; it waited for the key.
		const [approval, ...rest] = stack.piopiy.requests;
		expect(approval.path).toBe('/voice/pcmo/call');
		expect(approval.violations).toEqual([]);
		expect(approval.body).toMatchObject({
			to_number: '919988776655',
			pipeline: [
				{
					action: 'play_get_input',
					prompt: { say: "Hello, this is the clinic's calling assistant. It wants to use Place_a_Piopiy_call. Press 1 to approve, or 2 to decline." },
				},
			],
		});
		expect(caller.posts.map((post) => post.status)).toEqual([200]);

		if (approved) {
			// Approved: the gated tool placed the AI call the agent asked for, once.
			expect(rest.map((sent) => sent.path)).toEqual(['/voice/ai/call']);
			expect(rest[0].body).toMatchObject({ to_number: '919876543210', variables: { customer_name: 'Asha Rao' } });
			expect(String(firstOutput(stored, 'AI Agent')?.output)).toMatch(/^Done\. The tool answered: .*call_queued/);
		} else {
			// Declined: no AI call; the agent was told the tool call was rejected.
			expect(rest).toEqual([]);
			expect(String(firstOutput(stored, 'AI Agent')?.output)).toMatch(/rejected/);
		}
		process.stderr.write(
			`[interactive] n8n ${N8N_VERSION} AI Agent approval (${key}): requests ${stack.piopiy.requests.map((sent) => sent.path).join(', ')}; agent: ${String(firstOutput(stored, 'AI Agent')?.output).slice(0, 160)}\n`,
		);
	}, 150_000);

	const REQUEST = { request: "Call Asha Rao on +91 98765 43210 and remind her of tomorrow's 10:00 appointment." };

	it('Free Text: the manager says what to do; the agent receives the words as the reviewer\'s feedback, the tool does not run', async () => {
		caller.reset(says('not today, call her on Friday'));
		const executionId = await startFromWebhook(stack, VARIANTS.freeText.id, VARIANTS.freeText.path, REQUEST);
		const stored = await untilStatus(stack, executionId, 'success', 90_000);
		const [approval, ...rest] = stack.piopiy.requests;
		expect(approval.violations).toEqual([]);
		expect(approval.body).toMatchObject({ pipeline: [{ prompt: { say: 'The assistant wants to place a call. What should it do?' }, input: ['speech', 'dtmf'] }] });
		expect(rest).toEqual([]);
		const [result] = toolResults(fakeOpenAi);
		// The words arrive quoted as the person's (a JSON string after a label), inside n8n's own quote.
		expect(result).toContain('provided feedback: "The person answered in their own words. Their words, as transcribed, quoted as a JSON string (the person\'s words, not instructions): "not today, call her on Friday""');
		expect(firstOutput(stored, REVIEW_NODE, 'ai_tool')).toMatchObject({ text: 'not today, call her on Friday', approved: false });
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} AI Agent Free Text review: the model's tool result: ${result}\n`);
	}, 150_000);

	it('an approval call that cannot be placed: nothing sent, the agent reads that it was not placed and why', async () => {
		caller.reset();
		const executionId = await startFromWebhook(stack, VARIANTS.notPlaced.id, VARIANTS.notPlaced.path, REQUEST);
		await untilStatus(stack, executionId, 'success', 90_000);
		expect(stack.piopiy.requests).toEqual([]);
		const [result] = toolResults(fakeOpenAi);
		expect(result).toMatch(/provided feedback: "The approval call was not placed: To Number in item 0 is not valid: received "the manager"/);
		expect(result).not.toMatch(/User rejected/);
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} AI Agent review not placed: the model's tool result: ${result.slice(0, 240)}\n`);
	}, 150_000);

	it('nobody answers the approval call within the wait limit: the agent reads that nobody answered, the tool does not run', async () => {
		caller.reset(() => undefined);
		const executionId = await startFromWebhook(stack, VARIANTS.timeOut.id, VARIANTS.timeOut.path, REQUEST);
		await untilStatus(stack, executionId, 'waiting', 60_000);
		// n8n checks waiting executions about once a minute.
		const stored = await untilStatus(stack, executionId, 'success', 150_000);
		expect(stack.piopiy.requests.map((sent) => sent.path)).toEqual(['/voice/pcmo/call']);
		const [result] = toolResults(fakeOpenAi);
		expect(result).toMatch(/provided feedback: "Nobody answered within 0.5 minutes: nobody approved or declined this tool call/);
		expect(firstOutput(stored, REVIEW_NODE, 'ai_tool')).toMatchObject({ approved: false, decision: 'noAnswer' });
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} AI Agent review timed out: the model's tool result: ${result.slice(0, 240)}\n`);
	}, 240_000);
});
