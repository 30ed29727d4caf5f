import { randomUUID } from 'node:crypto';

import { McpClient, resultText } from './support/mcpClient';
import { GOOD_CREDENTIAL, log, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import { finishedExecutions, storedOutput } from './support/webhooks';
import { forE2e, node, readExample, type Workflow, type WorkflowNode } from './support/workflows';

/**
 * Issue 28: nobody is called twice across executions of one n8n server. A form submitted twice (two
 * posts to a production webhook at once), the same with "Allow Repeated Calls After (Minutes)" 0, a
 * stopped campaign retried through n8n's REST API, and an outside MCP client (streamable HTTP) that
 * calls the Piopiy tool of n8n's MCP Server Trigger twice. One n8n per line.
 */

const typePrefix = TYPE_PREFIX.communityPackage;
const AGENT_ID = '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c';
const IDS = { form: 'E2eRecentForm001', formNoWindow: 'E2eRecentForm002', campaign: 'E2eRecentCamp001', mcp: 'E2eRecentMcp0001' };
const PATHS = { form: 'e2e-recent-form', formNoWindow: 'e2e-recent-form-no-window', campaign: 'e2e-recent-campaign', mcp: 'e2e-recent-mcp' };
const SIX_LEADS = Array.from({ length: 6 }, (_, index) => ({ phone: `+91 98700 1110${index}` }));
const TOOL_ARGUMENTS = { to_number: '+91 98765 43277', customer_name: 'Asha Rao', call_purpose: "Remind her of tomorrow's 10:00 appointment" };

const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];

const workflow = (id: string, nodes: WorkflowNode[], connections: Workflow['connections']): Workflow => ({
	id,
	name: `e2e ${id}`,
	nodes,
	connections,
	active: false,
	settings: { executionOrder: 'v1' },
});

function webhookNode(path: string): WorkflowNode {
	return {
		id: randomUUID(),
		name: 'Form posted',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, options: {} },
	};
}

function callNode(toNumber: string, requestOptions: Record<string, unknown> = {}): WorkflowNode {
	return {
		id: randomUUID(),
		name: 'Call',
		type: `${typePrefix}piopiy`,
		typeVersion: 1,
		position: [200, 0],
		parameters: { resource: 'aiAgent', operation: 'call', callerId: '+91 80 4567 8900', toNumber, agentId: AGENT_ID, requestOptions },
		credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
		onError: 'continueRegularOutput',
	};
}

/** Webhook (answers at once) → AI Agent → Call to the posted number: a form's submission. */
function formWorkflow(id: string, path: string, requestOptions: Record<string, unknown> = {}): Workflow {
	return workflow(id, [webhookNode(path), callNode('={{ $json.body.phone }}', requestOptions)], { 'Form posted': { main: [to('Call')] } });
}

/** Webhook → six leads → Call, one at a time: a campaign n8n's Stop can reach. */
function campaignWorkflow(): Workflow {
	const leads: WorkflowNode = {
		id: randomUUID(),
		name: 'Leads',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [100, 0],
		parameters: { jsCode: `return ${JSON.stringify(SIX_LEADS.map((json) => ({ json })))};` },
	};
	return workflow(IDS.campaign, [webhookNode(PATHS.campaign), leads, callNode('={{ $json.phone }}', { concurrency: 1 })], {
		'Form posted': { main: [to('Leads')] },
		Leads: { main: [to('Call')] },
	});
}

/** n8n's MCP Server Trigger with the example's "Place a Piopiy call" tool, at its defaults. */
function mcpWorkflow(): Workflow {
	const example = forE2e(readExample('ai-agent-places-call.json'), { id: IDS.mcp, credential: GOOD_CREDENTIAL, typePrefix });
	const tool = node(example, 'Place a Piopiy call');
	delete tool.onError;
	const trigger: WorkflowNode = {
		id: randomUUID(),
		name: 'MCP Server Trigger',
		type: '@n8n/n8n-nodes-langchain.mcpTrigger',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { authentication: 'none', path: PATHS.mcp },
	};
	return workflow(IDS.mcp, [trigger, tool], { [tool.name]: { ai_tool: [[{ node: trigger.name, type: 'ai_tool', index: 0 }]] } });
}

let stack: Stack;

beforeAll(async () => {
	stack = await startStack({
		name: 'recent-calls',
		install: 'communityPackage',
		wrongTokenCredential: false,
		workflows: [
			formWorkflow(IDS.form, PATHS.form),
			formWorkflow(IDS.formNoWindow, PATHS.formNoWindow, { repeatWindowMin: 0 }),
			campaignWorkflow(),
			mcpWorkflow(),
		],
	});
	await stack.publish(IDS.form, `/webhook/${PATHS.form}`);
	await stack.publish(IDS.formNoWindow, `/webhook/${PATHS.formNoWindow}`);
	await stack.publish(IDS.campaign, `/webhook/${PATHS.campaign}`);
}, 300_000);

afterAll(async () => stack?.stop(), 60_000);

beforeEach(() => stack.piopiy.reset());

const aiCalls = () => stack.piopiy.requests.filter((request) => request.path === '/voice/ai/call');
const post = async (path: string, body: unknown) =>
	await fetch(new URL(`/webhook/${path}`, stack.url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** The Call node's item in each finished execution of a workflow, oldest first. */
async function callItems(workflowId: string, count: number) {
	const executions = await finishedExecutions(stack, workflowId, count);
	return await Promise.all(executions.map(async (execution) => (await storedOutput(stack, execution.id, 'Call')).items[0]));
}

describe(`n8n ${N8N_VERSION}: nobody is called twice across executions`, () => {
	it('a form submitted twice at once: one call, and the second execution\'s item says why', async () => {
		const phone = '+91 98765 43271';
		const answers = await Promise.all([post(PATHS.form, { phone }), post(PATHS.form, { phone })]);
		expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
		const items = await callItems(IDS.form, 2);
		expect(aiCalls()).toHaveLength(1);
		expect(items.map((item) => item.message).sort()).toEqual(['call_queued', 'notSent']);
		const refused = items.find((item) => item.message === 'notSent');
		expect(refused?.error).toMatch(/^Not sent: a call to this number with the same AI agent (was already placed \(.* UTC, .*, call_id [0-9a-f-]{36}\)|was sent \(.*\) by another run and has had no answer yet)/);
		expect(refused?.error).toContain('"Allow Repeated Calls After (Minutes)"');
		log(`[e2e:recent-calls] n8n ${N8N_VERSION} form twice: ${aiCalls().length} call; the second: ${String(refused?.error).slice(0, 220)}`);
	}, 90_000);

	it('the same with "Allow Repeated Calls After (Minutes)" 0: two calls', async () => {
		const phone = '+91 98765 43272';
		await Promise.all([post(PATHS.formNoWindow, { phone }), post(PATHS.formNoWindow, { phone })]);
		const items = await callItems(IDS.formNoWindow, 2);
		expect(aiCalls()).toHaveLength(2);
		expect(items.map((item) => item.message)).toEqual(['call_queued', 'call_queued']);
	}, 90_000);

	it('a stopped campaign retried through n8n\'s REST API within the window: nobody is called twice', async () => {
		stack.piopiy.behaviour = async (request, self) => ({ ...self.standardReply(request), delayMs: 700 });
		expect((await post(PATHS.campaign, {})).status).toBe(200);
		for (let waited = 0; aiCalls().length < 2; waited += 20) {
			if (waited > 30_000) throw new Error('the campaign did not reach its second lead');
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		const [running] = (await stack.executions(IDS.campaign)).filter((execution) => execution.status === 'running');
		await stack.rest(`/rest/executions/${running.id}/stop`, { method: 'POST', body: {} });
		await finishedExecutions(stack, IDS.campaign, 1);
		const calledAtStop = aiCalls().length;

		const retry = await fetch(new URL(`/rest/executions/${running.id}/retry`, stack.url), {
			method: 'POST',
			headers: { cookie: stack.cookie, 'Content-Type': 'application/json' },
			body: JSON.stringify({ loadWorkflow: false }),
		});
		const retryAnswer = (await retry.text()).slice(0, 200);
		// Six leads at 700 ms each, had the retry called them all.
		await new Promise((resolve) => setTimeout(resolve, 5000));
		const executions = await finishedExecutions(stack, IDS.campaign, (await stack.executions(IDS.campaign)).length, 30_000);

		const perNumber = new Map<string, number>();
		for (const request of aiCalls()) {
			const number = String((request.body as { to_number: string }).to_number);
			perNumber.set(number, (perNumber.get(number) ?? 0) + 1);
		}
		const retried = executions.find((execution) => execution.id !== running.id);
		const retriedItems = retried ? (await storedOutput(stack, retried.id, 'Call')).items : [];
		log(
			`[e2e:recent-calls] n8n ${N8N_VERSION} stopped campaign: ${calledAtStop} of 6 called before the stop; retry answered ${retry.status} ${retryAnswer}; ` +
				`after it ${perNumber.size} leads called, ${[...perNumber.values()].filter((count) => count > 1).length} twice; the retry's items: ${retriedItems.map((item) => item.message).join(', ') || '(none)'}`,
		);
		expect([...perNumber.values()].every((count) => count === 1)).toBe(true);
		if (retriedItems.length > 0) {
			// The retry ran the campaign again (n8n 2.x): the leads called before the stop are refused.
			expect(retriedItems.slice(0, calledAtStop).map((item) => item.message)).toEqual(Array(calledAtStop).fill('notSent'));
			expect(perNumber.size).toBe(6);
		}
	}, 120_000);

	it("n8n's MCP Server Trigger: an outside MCP client calls the Piopiy tool twice with the same arguments: one call, the second result is the refusal", async () => {
		await activate(IDS.mcp);
		const client = new McpClient(new URL(`/mcp/${PATHS.mcp}`, stack.url).toString());
		await untilAnswers(client);
		const tools = await client.listTools();
		expect(tools.map((tool) => tool.name)).toEqual(['Place_a_Piopiy_call']);

		const first = resultText(await client.callTool('Place_a_Piopiy_call', TOOL_ARGUMENTS));
		const second = resultText(await client.callTool('Place_a_Piopiy_call', TOOL_ARGUMENTS));
		log(`[e2e:recent-calls] n8n ${N8N_VERSION} MCP: first result ${first.slice(0, 160)}; second ${second.slice(0, 400)}`);
		expect(aiCalls()).toHaveLength(1);
		expect(aiCalls()[0].body).toMatchObject({ to_number: '919876543277' });
		expect(first).toContain('call_queued');
		expect(second).toMatch(/Not sent: a call to this number with the same AI agent was already placed \(.*call_id [0-9a-f-]{36}\)\. Sending it again within 10 minutes would ring the same person twice\./);
		expect(second).toContain('Tell the user the call was already placed');
		expect(second).not.toContain('call_queued');
	}, 120_000);
});

/** Publishes a workflow without a webhook preflight (the MCP endpoint is not a plain webhook). */
async function activate(workflowId: string): Promise<void> {
	const { data } = await stack.rest<{ data: { versionId: string } }>(`/rest/workflows/${workflowId}`);
	await stack.rest(`/rest/workflows/${workflowId}/activate`, { method: 'POST', body: { versionId: data.versionId } });
}

/** Connects, retrying while n8n registers the trigger's endpoint. */
async function untilAnswers(client: McpClient): Promise<void> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			await client.connect();
			return;
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
}
