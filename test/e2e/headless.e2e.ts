import { BALANCE_PATH, type RecordedRequest } from '../support/piopiyServer';
import { FakeOpenAi } from './support/fakeOpenAi';
import { n8n, type ExecuteResult } from './support/runtime';
import { recordRequests } from './support/requestLog';
import { placesHoldingSecrets } from './support/secrets';
import {
	GOOD_CREDENTIAL,
	N8N_VERSION,
	startStack,
	TYPE_PREFIX,
	WRONG_TOKEN_CREDENTIAL,
	type ExecuteOutcome,
	type Stack,
} from './support/stack';
import { forE2e, node, readExample, replaceTrigger, type Workflow } from './support/workflows';

/**
 * The package in a real n8n (2.41.1, or 1.123.81 with PIOPIY_N8N_LINE=1), headless, loaded as a custom extension (N8N_CUSTOM_EXTENSIONS =
 * its dist/, the way `npm start` loads it): it loads, the example workflows run with `n8n execute`
 * against the Piopiy stand-in, and failures are clear and keep the token out of everything n8n stores
 * and logs. (package.e2e.ts covers the package installed as a community package.)
 */

const typePrefix = TYPE_PREFIX.customExtension;

const AGENT_ID = '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c';
const CALL_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

const fakeOpenAi = new FakeOpenAi(`sk-e2e-${Date.now()}`, {
	to_number: '+91 98765 43210',
	customer_name: 'Asha Rao',
	call_purpose: "Remind her of tomorrow's 10:00 appointment",
});
const OPENAI_CREDENTIAL = { id: 'E2eFakeOpenAi001', name: 'OpenAI (e2e scripted stand-in)' };

const IDS = {
	form: 'E2eExFormCall001',
	formBadPhone: 'E2eExFormBadNum1',
	formWrongToken: 'E2eExFormWrong01',
	campaign: 'E2eExCampaign001',
	crm: 'E2eExCrmRoute001',
	balance: 'E2eExBalance0001',
	agent: 'E2eExAiAgent0001',
};

const formItem = (name: string, phone: string) => ({
	Name: name,
	Phone: phone,
	submittedAt: '2026-11-23T10:00:00.000Z',
	formMode: 'production',
});

/**
 * The form example without its Form Ending pages (they run only under a real Form Trigger; form.e2e.ts
 * submits the published form and checks them) and with the node stopping the run on a failure, so
 * these runs check the node's request and its error as such.
 */
function nodeAndTriggerOnly(workflow: Workflow, triggerName: string, nodeName: string): Workflow {
	workflow.nodes = workflow.nodes.filter((candidate) => [triggerName, nodeName].includes(candidate.name));
	delete node(workflow, nodeName).onError;
	workflow.connections = { [triggerName]: workflow.connections[triggerName] };
	return workflow;
}

/** The example workflows, in the form `n8n execute` runs (see support/workflows.ts). */
function exampleWorkflows(): Workflow[] {
	const good = GOOD_CREDENTIAL;
	const form = nodeAndTriggerOnly(readExample('form-to-ai-call.json'), 'On form submission', 'AI call the submitter');
	const formAs = (id: string, phone: string, credential = good) =>
		forE2e(replaceTrigger(form, 'On form submission', [formItem('Asha Rao', phone)]), { id, credential, typePrefix });

	const crm = replaceTrigger(readExample('crm-webhook-transfer-or-hangup.json'), 'CRM webhook', [
		{ headers: {}, params: {}, query: {}, body: { call_id: CALL_ID, action: 'transfer', agent_phone: '+91 99887 76655' } },
		{ headers: {}, params: {}, query: {}, body: { call_id: CALL_ID, action: 'hangup', reason: 'Resolved by chat' } },
		{ headers: {}, params: {}, query: {}, body: { call_id: CALL_ID, action: 'call-back-later' } },
	]);

	const balance = replaceTrigger(readExample('balance-check-before-campaign.json'), 'Every weekday at 10:00', [
		{ timestamp: '2026-11-23T10:00:00.000+00:00', 'Day of week': 'Monday' },
	]);

	const agent = forE2e(
		replaceTrigger(readExample('ai-agent-places-call.json'), 'When chat message received', [
			{
				sessionId: 'e2e-session-1',
				action: 'sendMessage',
				chatInput: "Call Asha Rao on +91 98765 43210 and remind her of tomorrow's 10:00 appointment.",
			},
		]),
		{ id: IDS.agent, credential: good, typePrefix },
	);
	node(agent, 'OpenAI Chat Model').credentials = { openAiApi: { ...OPENAI_CREDENTIAL } };

	return [
		formAs(IDS.form, '+91 98765 43210'),
		formAs(IDS.formBadPhone, 'n/a'),
		formAs(IDS.formWrongToken, '+91 98765 43210', WRONG_TOKEN_CREDENTIAL),
		forE2e(readExample('ai-call-campaign.json'), { id: IDS.campaign, credential: good, typePrefix }),
		forE2e(crm, { id: IDS.crm, credential: good, typePrefix }),
		forE2e(balance, { id: IDS.balance, credential: good, typePrefix }),
		agent,
	];
}

let stack: Stack;

beforeAll(async () => {
	await fakeOpenAi.start();
	stack = await startStack({
		name: 'headless',
		install: 'customExtension',
		workflows: exampleWorkflows(),
		credentials: [{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: fakeOpenAi.apiKey, url: fakeOpenAi.url } }],
	});
}, 300_000);

afterAll(async () => {
	await stack?.stop();
	await fakeOpenAi.stop();
}, 60_000);

beforeEach(() => stack?.piopiy.reset());
recordRequests(() => stack?.piopiy);

/** Items of a node's output (main output `output`), or a readable failure. */
function outputOf(result: ExecuteResult, nodeName: string, output = 0) {
	return n8n.nodeOutput(result, nodeName, { output });
}

function expectValid(requests: RecordedRequest[]) {
	for (const request of requests) {
		expect({ path: request.path, violations: request.violations }).toEqual({ path: request.path, violations: [] });
		expect(request.status).toBe(200);
	}
}

function expectSucceeded({ result, stdout }: ExecuteOutcome) {
	if (result.status !== 'success') {
		throw new Error(`run failed: ${result.data.resultData.error?.message}\n${stdout.slice(-3000)}`);
	}
}

describe(`the package loads in n8n ${N8N_VERSION}`, () => {
	it('logs no load error for the package', () => {
		const lines = stack.n8n.logs().split('\n');
		const problems = lines.filter(
			(line) =>
				/piopiy|CUSTOM\.|custom nodes?|Failed to load|could not be (found|loaded)|Unknown credential|Unrecognized(Node|Credential)Type|is not contained within the package/i.test(
					line,
				) && /error|fail|unknown|unrecognized|not contained|could not/i.test(line),
		);
		expect(problems).toEqual([]);
		expect(stack.n8n.logs()).toContain('Editor is now accessible');
	});

	it('registers the node, the trigger and the credential types', async () => {
		const nodes = await stack.rest<Array<{ name: string; displayName: string; credentials?: Array<{ name: string }> }>>('/types/nodes.json');
		const byName = new Map(nodes.map((type) => [type.name, type]));
		expect(byName.get('CUSTOM.piopiy')).toMatchObject({ displayName: 'Piopiy', credentials: [{ name: 'piopiyApi' }] });
		expect(byName.get('CUSTOM.piopiyTrigger')).toMatchObject({ displayName: 'Piopiy Trigger' });

		const credentials = await stack.rest<Array<{ name: string; displayName: string; properties: Array<{ name: string }> }>>(
			'/types/credentials.json',
		);
		const piopiyApi = credentials.find((type) => type.name === 'piopiyApi');
		expect(piopiyApi?.displayName).toBe('Piopiy API');
		// n8n 2.x appends its own domain-restriction fields after the credential's.
		expect(piopiyApi?.properties.map((property) => property.name).slice(0, 5)).toEqual([
			'apiToken',
			'baseUrl',
			'appId',
			'appSecret',
			'accountApiUrl',
		]);
	});

	it('keeps the regular node out of the AI tools category, so the node creator lists its actions', async () => {
		// With "AI" → "Tools" in its codex, n8n's node creator takes the Piopiy node for a tool: searching
		// "Piopiy" then offers only the trigger ("We don't have Piopiy Trigger actions yet"). n8n gives
		// the generated tool variant its own AI/Tools codex.
		const nodes = await stack.rest<Array<{ name: string; codex?: { categories?: string[]; subcategories?: Record<string, string[]> } }>>(
			'/types/nodes.json',
		);
		const codex = nodes.find((type) => type.name === 'CUSTOM.piopiy')?.codex;
		expect(codex?.subcategories?.AI ?? []).not.toContain('Tools');
		expect(nodes.find((type) => type.name === 'CUSTOM.piopiyTool')?.codex?.subcategories?.AI).toContain('Tools');
	});

	it('registers the tool variant CUSTOM.piopiyTool, an AI tool with the same operations', async () => {
		const nodes = await stack.rest<Array<{ name: string; displayName: string; outputs: unknown; codex?: { categories?: string[] } }>>(
			'/types/nodes.json',
		);
		const tool = nodes.find((type) => type.name === 'CUSTOM.piopiyTool');
		expect(tool).toBeDefined();
		expect(tool!.displayName).toBe('Piopiy Tool');
		expect(JSON.stringify(tool!.outputs)).toContain('ai_tool');
		expect(tool!.codex?.categories).toContain('AI');
	});

	it('serves the node icon', async () => {
		const nodes = await stack.rest<Array<{ name: string; iconUrl?: string | { light: string; dark: string } }>>('/types/nodes.json');
		for (const name of ['CUSTOM.piopiy', 'CUSTOM.piopiyTrigger']) {
			// Light and dark icons: n8n gives both URLs.
			const iconUrl = nodes.find((type) => type.name === name)?.iconUrl;
			expect(iconUrl).toEqual({ light: expect.stringMatching(/\.svg$/), dark: expect.stringMatching(/\.dark\.svg$/) });
			for (const url of Object.values(iconUrl as { light: string; dark: string })) {
				const response = await fetch(new URL(url, stack.url));
				expect(response.status).toBe(200);
				expect(await response.text()).toContain('<svg');
			}
		}
	});
});

describe('credential test in custom-extension mode', () => {
	// The credential's test is declarative (n8n sends the request itself), so it works however the
	// package is loaded. A node's `testedBy` function did not: n8n gives credentials loaded from a
	// custom-extension folder no `supportedNodes`, so "Test" answered "No testing function found".
	it('tests the token with the harmless probe, as in a community-package install', async () => {
		const result = await stack.testCredential(GOOD_CREDENTIAL, stack.piopiy.credentials());
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(stack.piopiy.requests.map((request) => [request.path, request.violations])).toEqual([['/voice/call/hangup', []]]);
		expect(stack.piopiy.placedCalls()).toEqual([]);
	});
});

describe('example workflows, run with n8n execute against the Piopiy stand-in', () => {
	it('(a) Form → AI call: one AI call with the submitter as variables; the output is Piopiy’s answer', async () => {
		const run = await stack.execute(IDS.form);
		expectSucceeded(run);
		const requests = stack.piopiy.requests;
		expect(requests.map((request) => request.path)).toEqual(['/voice/ai/call']);
		expectValid(requests);
		expect(requests[0].headers.authorization).toBe(`Bearer ${stack.piopiy.token}`);
		expect(requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			agent_id: AGENT_ID,
			options: { record: true, ring_timeout_sec: 30 },
			variables: { customer_name: 'Asha Rao', customer_phone: '+91 98765 43210' },
		});
		const [output] = outputOf(run.result, 'AI call the submitter');
		expect(output).toMatchObject({ success: true, message: 'call_queued' });
		expect(output.call_id).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('(b) campaign: four calls at most three at a time, the typo refused unsent, a summary', async () => {
		const run = await stack.execute(IDS.campaign);
		expectSucceeded(run);
		const requests = stack.piopiy.requests;
		expectValid(requests);
		expect(requests.every((request) => request.path === '/voice/ai/call')).toBe(true);
		expect(requests.map((request) => (request.body as { to_number: string }).to_number).sort()).toEqual(
			['14155550134', '919123456789', '919876543210', '919988776655'],
		);
		expect(stack.piopiy.maxInFlight).toBeLessThanOrEqual(3);
		const asha = requests.find((request) => (request.body as { to_number: string }).to_number === '919876543210')!;
		expect(asha.body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			agent_id: AGENT_ID,
			options: { record: true, max_duration_sec: 300 },
			variables: { customer_name: 'Asha Rao', amount_due: 1200 },
		});

		const [summary] = outputOf(run.result, 'Summary');
		expect(summary).toMatchObject({ leads: 5, placed: 4, failed: 1 });
		expect(summary.failures).toEqual([
			{ name: 'Priya Shah', phone: '+91 98765 4321O', error: expect.stringMatching(/^To Number in item 4 is not valid: received "\+91 98765 4321O"/) },
		]);
		const placed = outputOf(run.result, 'Placed');
		expect(placed.map((item) => item.name)).toEqual(['Asha Rao', 'Ravi Kumar', 'Meera Iyer', 'John Miller']);
		expect(placed.every((item) => /^[0-9a-f-]{36}$/.test(String(item.call_id)))).toBe(true);
	});

	it('(b) campaign, re-run pattern: the summary lists the leads safe to call again apart from those that may have been called', async () => {
		// John Miller's call gets a 503: Piopiy may have placed it. Priya's typo was never sent.
		stack.piopiy.behaviour = (request) =>
			(request.body as { to_number?: string } | undefined)?.to_number === '14155550134'
				? { status: 503, body: { success: false, error: 'upstream failure' } }
				: undefined;
		const run = await stack.execute(IDS.campaign);
		expectSucceeded(run);
		// Nobody is sent twice: one request per lead that had a valid number.
		expect(stack.piopiy.requests.map((request) => (request.body as { to_number: string }).to_number).sort()).toEqual(
			['14155550134', '919123456789', '919876543210', '919988776655'],
		);
		const failed = outputOf(run.result, 'Failed');
		expect(failed.map((item) => [item.name, item.outcome])).toEqual([
			['John Miller', 'unknownOutcome'],
			['Priya Shah', 'notSent'],
		]);
		const [summary] = outputOf(run.result, 'Summary');
		expect(summary).toMatchObject({ leads: 5, placed: 3, failed: 2 });
		expect(summary.call_again).toEqual([{ name: 'Priya Shah', phone: '+91 98765 4321O' }]);
		expect(summary.check_call_log_first).toEqual([{ name: 'John Miller', phone: '+1 (415) 555-0134' }]);
	});

	it('(c) CRM webhook: transfer runs the pipeline, hangup ends the call, an unknown action touches nothing', async () => {
		const run = await stack.execute(IDS.crm);
		expectSucceeded(run);
		const requests = stack.piopiy.requests;
		expectValid(requests);
		expect(requests.map((request) => request.path).sort()).toEqual(['/voice/call/hangup', '/voice/pcmo/transfer']);
		const transfer = requests.find((request) => request.path === '/voice/pcmo/transfer')!;
		expect(transfer.body).toEqual({
			call_id: CALL_ID,
			pipeline: [
				{ action: 'play', file_name: 'please_hold.mp3' },
				{
					action: 'connect',
					params: { caller_id: '918045678900', strategy: 'sequential', options: { ring_timeout_sec: 30 } },
					endpoints: [{ type: 'pstn', number: '919988776655' }],
				},
			],
		});
		const hangup = requests.find((request) => request.path === '/voice/call/hangup')!;
		expect(hangup.body).toEqual({ call_id: CALL_ID, cause: 'NORMAL_CLEARING', reason: 'Resolved by chat' });

		expect(outputOf(run.result, 'Transfer to a human')).toEqual([{ success: true, message: 'transfer_queued' }]);
		expect(outputOf(run.result, 'Hang up')).toEqual([{ success: true, message: 'call_hangup_requested' }]);
		expect(outputOf(run.result, 'Unknown action')).toEqual([
			expect.objectContaining({ body: { call_id: CALL_ID, action: 'call-back-later' } }),
		]);
	});

	it('(e) balance check: enough credit, so the campaign runs', async () => {
		const run = await stack.execute(IDS.balance);
		expectSucceeded(run);
		const requests = stack.piopiy.requests;
		expectValid(requests);
		const balance = requests.filter((request) => request.path === BALANCE_PATH);
		expect(balance).toHaveLength(1);
		expect(balance[0].body).toEqual({ appid: stack.piopiy.appId, secret: stack.piopiy.appSecret });
		expect(balance[0].headers.authorization).toBeUndefined();
		expect(outputOf(run.result, 'Get balance')).toEqual([
			expect.objectContaining({ balance: 1523.75, sms: 40, expireAt: new Date(1798761600000).toISOString() }),
		]);
		expect(requests.filter((request) => request.path === '/voice/ai/call')).toHaveLength(3);
		expect(outputOf(run.result, 'AI call each lead')).toHaveLength(3);
		// The secret is in the request body by contract, never in what the node outputs.
		expect(JSON.stringify(run.result)).not.toContain(stack.piopiy.appSecret);
	});

	it('(e) balance check: too little credit stops the run before any call', async () => {
		stack.piopiy.behaviour = (request) =>
			request.path === BALANCE_PATH ? { status: 200, body: { code: 200, balance: 120.5, sms: 0, expire: 1798761600000 } } : undefined;
		const run = await stack.execute(IDS.balance);
		expect(run.result.status).toBe('error');
		expect(run.result.data.resultData.error?.message).toMatch(/^Piopiy balance is 120\.5, below .*No calls were placed\.$/i);
		expect(stack.piopiy.requests.map((request) => request.path)).toEqual([BALANCE_PATH]);
		expect(stack.piopiy.placedCalls()).toEqual([]);
	});

	it('(d) AI Agent with Piopiy as a tool: the agent’s tool call places one AI call (model scripted offline)', async () => {
		fakeOpenAi.requests.length = 0;
		const run = await stack.execute(IDS.agent);
		expectSucceeded(run);

		// n8n turned the Piopiy node into a tool whose inputs are exactly the $fromAI() fields.
		const firstAsk = fakeOpenAi.requests[0];
		expect(firstAsk.authorization).toBe(`Bearer ${fakeOpenAi.apiKey}`);
		const tool = firstAsk.body.tools?.[0]?.function;
		expect(tool?.name).toBe('Place_a_Piopiy_call');
		expect(tool?.description).toMatch(/^Places an outbound phone call/);
		expect(Object.keys(tool?.parameters?.properties ?? {}).sort()).toEqual(['call_purpose', 'customer_name', 'to_number']);

		// The tool call reached the stand-in as a valid AI call with fixed caller and agent.
		const requests = stack.piopiy.requests;
		expect(requests.map((request) => request.path)).toEqual(['/voice/ai/call']);
		expectValid(requests);
		expect(requests[0].body).toEqual({
			caller_id: '918045678900',
			to_number: '919876543210',
			agent_id: AGENT_ID,
			options: { record: true },
			variables: { customer_name: 'Asha Rao', call_purpose: "Remind her of tomorrow's 10:00 appointment" },
		});

		// The model got Piopiy's answer back as the tool result, and the agent answered with it.
		expect(fakeOpenAi.requests).toHaveLength(2);
		const toolMessage = fakeOpenAi.requests[1].body.messages.find((message) => message.role === 'tool');
		expect(String(toolMessage?.content)).toContain('call_queued');
		const [answer] = outputOf(run.result, 'AI Agent');
		expect(String(answer.output)).toMatch(/^Done\. The tool answered: .*call_queued/);
	});

	it('(d) a model that asks for the same call twice rings the person once, and is told why', async () => {
		fakeOpenAi.requests.length = 0;
		fakeOpenAi.toolCalls = 2;
		try {
			const run = await stack.execute(IDS.agent);
			expectSucceeded(run);
			expect(stack.piopiy.requests.map((request) => request.path)).toEqual(['/voice/ai/call']);
			expect(fakeOpenAi.requests).toHaveLength(3);
			const toolMessages = fakeOpenAi.requests[2].body.messages.filter((message) => message.role === 'tool');
			expect(toolMessages).toHaveLength(2);
			expect(String(toolMessages[0].content)).toContain('call_queued');
			expect(String(toolMessages[1].content)).toContain('Not sent: this exact call was already made earlier in this run');
		} finally {
			fakeOpenAi.toolCalls = 1;
		}
	});
});

describe('failures are clear, send nothing they should not, and keep the token secret', () => {
	/** Every place the token could leak to: the run, the stored execution, n8n's files and logs. */
	async function expectNoSecrets(run: ExecuteOutcome) {
		const secrets = { token: stack.piopiy.token, 'wrong token': stack.wrongToken, 'app secret': stack.piopiy.appSecret };
		expect(await placesHoldingSecrets(stack, secrets, { printed: [run.stdout, run.stderr], executionIds: [run.executionId] })).toEqual([]);
		return await stack.storedExecution(run.executionId);
	}

	it('bad input: a phone number "n/a" fails the run with the field and value named, and nothing is sent', async () => {
		const run = await stack.execute(IDS.formBadPhone);
		expect(run.result.status).toBe('error');
		const error = run.result.data.resultData.error!;
		expect(error.message).toBe('To Number in item 0 is not valid: received "n/a"');
		expect(error.description).toMatch(/^Expected a phone number with its country code.*Nothing was sent for this item\.$/);
		expect(run.stdout).toContain('Execution was NOT successful');
		expect(stack.piopiy.requests).toEqual([]);

		const stored = await expectNoSecrets(run);
		expect(stored.status).toBe('error');
		expect(stored.data.resultData.error?.message).toBe('To Number in item 0 is not valid: received "n/a"');
	});

	it('401: a wrong token fails with "Piopiy rejected the API token", no call was placed, the token is nowhere', async () => {
		const run = await stack.execute(IDS.formWrongToken);
		expect(run.result.status).toBe('error');
		const error = run.result.data.resultData.error!;
		expect(error.message).toBe('Piopiy rejected the API token (HTTP 401)');
		expect(error.description).toMatch(/Check the API Token of the Piopiy API credential.*Nothing was placed\.$/);
		// One request, refused: Piopiy placed nothing, and the node did not retry a 401.
		expect(stack.piopiy.requests).toHaveLength(1);
		expect(stack.piopiy.requests[0].status).toBe(401);
		expect(stack.piopiy.requests[0].headers.authorization).toBe(`Bearer ${stack.wrongToken}`);
		expect(stack.piopiy.placedCalls()).toEqual([]);

		const stored = await expectNoSecrets(run);
		expect(stored.status).toBe('error');
		expect(stored.data.resultData.error?.message).toBe('Piopiy rejected the API token (HTTP 401)');
	});

	it('successful runs keep the token out of the stored execution too', async () => {
		const run = await stack.execute(IDS.form);
		expectSucceeded(run);
		await expectNoSecrets(run);
	});
});
