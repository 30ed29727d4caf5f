import { FakeOpenAi, toolResults } from './support/fakeOpenAi';
import { GOOD_CREDENTIAL, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import { forE2e, node, readExample, replaceTrigger, type Workflow } from './support/workflows';

/**
 * Issue 20: the model must read why a repeated tool call was refused in every AI Agent version users
 * run. examples/ai-agent-places-call.json with the tool's On Error left at its default (the example
 * sets Continue), run by `n8n execute` with AI Agent 2.2 (the only version on n8n 1.x before 3,
 * LangChain's AgentExecutor, which hands the model an empty string for a tool that throws) and the
 * line's 3.x Agent; the scripted model asks for the same call twice.
 */

const typePrefix = TYPE_PREFIX.communityPackage;
const OPENAI_CREDENTIAL = { id: 'E2eFakeOpenAi002', name: 'OpenAI (e2e, asks twice)' };
const TOOL_PARAMETERS = { to_number: '+91 98765 43210', customer_name: 'Asha Rao', call_purpose: "Remind her of tomorrow's 10:00 appointment" };
const model = new FakeOpenAi(`sk-e2e-twice-${Date.now()}`, TOOL_PARAMETERS, 2);
// AI Agent 3.1 came with n8n 2.x; 1.123 has 3.
const AGENTS: Record<string, string> = N8N_VERSION.startsWith('1.') ? { '2.2': 'E2eAgentRepeat22', '3': 'E2eAgentRepeat30' } : { '2.2': 'E2eAgentRepeat22', '3.1': 'E2eAgentRepeat31' };
let stack: Stack;

function repeatWorkflow(id: string, agentVersion: number): Workflow {
	const request = { sessionId: 'e2e-repeat', action: 'sendMessage', chatInput: "Call Asha Rao on +91 98765 43210 and remind her of tomorrow's 10:00 appointment." };
	const workflow = forE2e(replaceTrigger(readExample('ai-agent-places-call.json'), 'When chat message received', [request]), { id, credential: GOOD_CREDENTIAL, typePrefix });
	node(workflow, 'OpenAI Chat Model').credentials = { openAiApi: { ...OPENAI_CREDENTIAL } };
	node(workflow, 'AI Agent').typeVersion = agentVersion;
	delete node(workflow, 'Place a Piopiy call').onError;
	return workflow;
}

beforeAll(async () => {
	await model.start();
	stack = await startStack({
		name: 'agent-tool-repeat',
		install: 'communityPackage',
		wrongTokenCredential: false,
		workflows: Object.entries(AGENTS).map(([version, id]) => repeatWorkflow(id, Number(version))),
		credentials: [{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: model.apiKey, url: model.url } }],
	});
}, 300_000);

afterAll(async () => {
	await stack?.stop();
	await model.stop();
}, 60_000);

describe(`n8n ${N8N_VERSION}: a repeated tool call, refused, is explained to the model in every AI Agent version`, () => {
	it.each(Object.entries(AGENTS))('AI Agent %s, the tool\'s On Error at its default: one call placed, the second tool result says why', async (version, id) => {
		stack.piopiy.reset();
		model.requests.length = 0;
		const run = await stack.execute(id);
		expect(run.result.status).toBe('success');
		expect(stack.piopiy.requests.map((sent) => sent.path)).toEqual(['/voice/ai/call']);
		const results = toolResults(model);
		expect(results).toHaveLength(2);
		expect(results[0]).toContain('call_queued');
		expect(results[1]).toContain('Not sent: this exact call was already made earlier in this run');
		process.stderr.write(`[agent-tool-repeat] n8n ${N8N_VERSION} AI Agent ${version}: the model's second tool result: ${results[1].slice(0, 200)}\n`);
	}, 150_000);
});
