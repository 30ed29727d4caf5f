import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CREDENTIAL_TEST_MESSAGES } from '../../credentials/PiopiyApi.credentials';
import { CALL_PLACING_PATHS } from '../support/piopiyServer';
import { recordRequests } from './support/requestLog';
import { GOOD_CREDENTIAL, N8N_LINE, startStack, TYPE_PREFIX, WRONG_TOKEN_CREDENTIAL, type Stack } from './support/stack';
import { finishedExecutions as finishedExecutionsOf, postTo, storedOutput as storedOutputOf, type PostOptions } from './support/webhooks';
import { forE2e, readExample, type Workflow, type WorkflowNode } from './support/workflows';

/**
 * The package installed the way users install it, as a community package (the `npm pack` tarball
 * unpacked into <user folder>/.n8n/nodes/node_modules/n8n-nodes-piopiy), in a real n8n (2.41.1, or
 * 1.123.81 with PIOPIY_N8N_LINE=1):
 * - its types load under the package name, so examples/ import as shipped;
 * - "Test" of the credential works through n8n's REST API;
 * - issue #6: published workflows with the Piopiy Trigger start on POSTs to its production URL only
 *   with the secret, and the executions hold what Piopiy posted;
 * - the CRM webhook example runs live, from its production webhook.
 */

const typePrefix = TYPE_PREFIX.communityPackage;
const SECRET = `trg_${randomUUID().replace(/-/g, '')}`;
const CALL_STATUS_WEBHOOK_ID = '5d0c2f7e-8a41-4b6f-9e3a-1c2d3e4f5a6b';
const CALL_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

const IDS = {
	callStatus: 'E2eTrigCallStat1',
	callerInput: 'E2eExCallerInput',
	crm: 'E2eExCrmLive0001',
};

/** Piopiy Trigger (call status / CDR, only answered calls) → No Operation. */
function callStatusWorkflow(): Workflow {
	return {
		id: IDS.callStatus,
		name: 'e2e: Piopiy Trigger, answered calls',
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{
				id: randomUUID(),
				name: 'Piopiy Trigger',
				type: `${typePrefix}piopiyTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: CALL_STATUS_WEBHOOK_ID,
				parameters: { event: 'callStatus', authentication: 'secret', secret: SECRET, filters: { statuses: ['answered'] } },
			},
			{ id: randomUUID(), name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { 'Piopiy Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
	};
}

/** A stand-in for the helpdesk the caller-input example opens tickets in. */
class TicketDesk {
	readonly tickets: Array<Record<string, unknown>> = [];
	private server: Server | undefined;
	get url() {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/api/tickets`;
	}
	async start() {
		this.server = createServer((request, response) => {
			let raw = '';
			request.on('data', (chunk) => (raw += chunk));
			request.on('end', () => {
				this.tickets.push(JSON.parse(raw || '{}') as Record<string, unknown>);
				response.writeHead(201, { 'Content-Type': 'application/json' });
				response.end(JSON.stringify({ id: `T-${this.tickets.length}` }));
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return this;
	}
	async stop() {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}

const ticketDesk = new TicketDesk();

function byType(workflow: Workflow, type: string): WorkflowNode {
	const found = workflow.nodes.filter((candidate) => candidate.type === type);
	if (found.length !== 1) throw new Error(`expected one ${type} node in "${workflow.name}", found ${found.length}`);
	return found[0];
}

/** The trigger's secret, in a Piopiy Webhook API credential. */
const WEBHOOK_CREDENTIAL = { id: 'PiopiyWebhookE2e', name: 'Piopiy webhook secret (e2e)' };

/** examples/piopiy-trigger-caller-input.json with the user's two set-up steps done: a secret, a real helpdesk URL. */
function callerInputWorkflow(): Workflow {
	const workflow = forE2e(readExample('piopiy-trigger-caller-input.json'), { id: IDS.callerInput, credential: GOOD_CREDENTIAL, typePrefix });
	byType(workflow, `${typePrefix}piopiyTrigger`).credentials = { piopiyWebhookApi: { ...WEBHOOK_CREDENTIAL } };
	byType(workflow, 'n8n-nodes-base.httpRequest').parameters.url = ticketDesk.url;
	return workflow;
}

let stack: Stack;

beforeAll(async () => {
	await ticketDesk.start();
	stack = await startStack({
		name: 'package',
		install: 'communityPackage',
		credentials: [{ ...WEBHOOK_CREDENTIAL, type: 'piopiyWebhookApi', data: { secret: SECRET } }],
		workflows: [
			callStatusWorkflow(),
			callerInputWorkflow(),
			forE2e(readExample('crm-webhook-transfer-or-hangup.json'), { id: IDS.crm, credential: GOOD_CREDENTIAL, typePrefix }),
		],
	});
}, 300_000);

afterAll(async () => {
	await stack?.stop();
	await ticketDesk.stop();
}, 60_000);

beforeEach(() => stack?.piopiy.reset());
recordRequests(() => stack?.piopiy);

/** Publishes a workflow and waits for its production webhook (see Stack.publish). */
async function activate(workflowId: string, webhookPath: string) {
	await stack.publish(workflowId, webhookPath);
}

const post = async (urlPath: string, options: PostOptions) => await postTo(stack, urlPath, options);
const finishedExecutions = async (workflowId: string, count: number) => await finishedExecutionsOf(stack, workflowId, count);
const storedOutput = async (executionId: string, nodeName: string) => await storedOutputOf(stack, executionId, nodeName);

describe('installed as a community package', () => {
	it('loads without errors, under the package name, with the tool variant', async () => {
		const problems = stack.n8n
			.logs()
			.split('\n')
			.filter((line) => /piopiy|Skipping package|Failed to load/i.test(line) && /error|fail|skipping|unknown|unrecognized/i.test(line));
		expect(problems).toEqual([]);
		const nodes = await stack.rest<Array<{ name: string }>>('/types/nodes.json');
		const names = nodes.map((type) => type.name).filter((name) => name.startsWith('n8n-nodes-piopiy.'));
		// n8n 2.x also makes a human-review variant of a node with a `sendAndWait` operation (Call and Ask).
		const hitl = N8N_LINE === 2 ? ['n8n-nodes-piopiy.piopiyHitlTool'] : [];
		expect(names.sort()).toEqual(['n8n-nodes-piopiy.piopiy', ...hitl, 'n8n-nodes-piopiy.piopiyTool', 'n8n-nodes-piopiy.piopiyTrigger']);
		const credentials = await stack.rest<Array<{ name: string; supportedNodes?: string[] }>>('/types/credentials.json');
		expect(credentials.find((type) => type.name === 'piopiyApi')?.supportedNodes).toEqual(['n8n-nodes-piopiy.piopiy']);
		expect(credentials.find((type) => type.name === 'piopiyWebhookApi')?.supportedNodes).toEqual(['n8n-nodes-piopiy.piopiyTrigger']);
	});
});

/**
 * What "Test" says for a status the credential has a rule for. n8n 2.41.1 shows the credential's own
 * message; n8n 1.123.81 does not apply a declarative test's status rules (its credentials tester finds
 * no `cause.response` on the error it gets) and shows its own message for the status instead.
 */
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const CREDENTIAL_TEST_SAYS =
	N8N_LINE === 2
		? {
				401: exactly(CREDENTIAL_TEST_MESSAGES.rejected(401)),
				404: exactly(CREDENTIAL_TEST_MESSAGES.notConfirmed(404)),
				503: exactly(CREDENTIAL_TEST_MESSAGES.notNow(503)),
			}
		: {
				401: /^Authorization failed - please check your credentials$/,
				404: /^The resource you are requesting could not be found$/,
				503: /^Service unavailable - try again later/,
			};

describe('credential test through POST /rest/credentials/test', () => {
	it('accepts the right token with one harmless probe, and places no call', async () => {
		const result = await stack.testCredential(GOOD_CREDENTIAL, stack.piopiy.credentials());
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(stack.piopiy.requests.map((request) => request.path)).toEqual(['/voice/call/hangup']);
		expect(stack.piopiy.requests[0].headers.authorization).toBe(`Bearer ${stack.piopiy.token}`);
		expect(stack.piopiy.requests[0].violations).toEqual([]);
		expect(stack.piopiy.requests[0].body).toEqual({ call_id: '00000000-0000-0000-0000-000000000000', reason: 'n8n credential test' });
	});

	it('says a wrong token was rejected, without echoing it, and places no call', async () => {
		const result = await stack.testCredential(WRONG_TOKEN_CREDENTIAL, stack.piopiy.credentials({ apiToken: stack.wrongToken }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(CREDENTIAL_TEST_SAYS[401]);
		expect(result.message).not.toContain(stack.wrongToken);
		// n8n sends a request once more after a 401 (httpRequestWithAuthentication lets a credential
		// refresh itself), so the probe arrives twice; a 401 placed nothing.
		expect(stack.piopiy.requests.map((request) => [request.path, request.headers.authorization, request.status])).toEqual(
			Array.from({ length: 2 }, () => ['/voice/call/hangup', `Bearer ${stack.wrongToken}`, 401]),
		);
		expect(stack.piopiy.requests.filter((request) => CALL_PLACING_PATHS.has(request.path))).toEqual([]);
		expect(stack.piopiy.placedCalls()).toEqual([]);
	});

	it('tests the stored token when the dialog sends back the redacted form it was given', async () => {
		// What the credential dialog loads: the token is replaced by n8n's blanking placeholder.
		const { data: opened } = await stack.rest<{ data: { data: Record<string, unknown> } }>(
			`/rest/credentials/${GOOD_CREDENTIAL.id}?includeData=true`,
		);
		expect(JSON.stringify(opened)).not.toContain(stack.piopiy.token);
		expect(opened.data.apiToken).toMatch(/^__n8n_BLANK_VALUE_/);
		expect(opened.data.baseUrl).toBe(stack.piopiy.url);

		const result = await stack.testCredential(GOOD_CREDENTIAL, opened.data);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(stack.piopiy.requests[0].headers.authorization).toBe(`Bearer ${stack.piopiy.token}`);
		expect(stack.piopiy.placedCalls()).toEqual([]);
	});

	it('points at the Base URL when /v3 is left off (the path answers 404), without calling it a good token', async () => {
		const result = await stack.testCredential(GOOD_CREDENTIAL, stack.piopiy.credentials({ baseUrl: `${stack.piopiy.url.replace(/\/+$/, '')}/nope` }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(CREDENTIAL_TEST_SAYS[404]);
		expect(stack.piopiy.placedCalls()).toEqual([]);
	});

	it('does not read a 2xx whose body says it failed, or that is not JSON, as a good token (both lines apply these rules)', async () => {
		try {
			stack.piopiy.behaviour = () => ({ status: 200, body: { success: false, error: 'call not found' } });
			expect(await stack.testCredential(GOOD_CREDENTIAL, stack.piopiy.credentials())).toEqual({
				status: 'Error',
				message: CREDENTIAL_TEST_MESSAGES.bodySaysFailed('success: false'),
			});
			stack.piopiy.behaviour = () => ({ status: 200, body: { error: 'call not found' } });
			expect(await stack.testCredential(GOOD_CREDENTIAL, stack.piopiy.credentials())).toEqual({
				status: 'Error',
				message: CREDENTIAL_TEST_MESSAGES.bodySaysFailed('an error'),
			});
			stack.piopiy.behaviour = () => ({ status: 200, rawBody: '<html><body>Welcome</body></html>' });
			expect(await stack.testCredential(GOOD_CREDENTIAL, stack.piopiy.credentials())).toEqual({
				status: 'Error',
				message: CREDENTIAL_TEST_MESSAGES.notJson,
			});
			expect(stack.piopiy.placedCalls()).toEqual([]);
		} finally {
			stack.piopiy.behaviour = undefined;
		}
	});

	it('does not call a server error a good or a bad token', async () => {
		stack.piopiy.behaviour = () => ({ status: 503, body: {} });
		try {
			const result = await stack.testCredential(GOOD_CREDENTIAL, stack.piopiy.credentials());
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(CREDENTIAL_TEST_SAYS[503]) });
		} finally {
			stack.piopiy.behaviour = undefined;
		}
	});
});

describe('Piopiy Trigger in a published workflow (issue #6)', () => {
	const productionPath = `/webhook/${CALL_STATUS_WEBHOOK_ID}/piopiy`;

	beforeAll(async () => {
		await activate(IDS.callStatus, productionPath);
	});

	it('listens on /webhook/<webhookId>/piopiy, not on /webhook/piopiy', async () => {
		const registered = await post('/webhook/piopiy', { json: { status: 'answered' } });
		expect(registered.status).toBe(404);
		const test = await post(`/webhook-test/${CALL_STATUS_WEBHOOK_ID}/piopiy?secret=${SECRET}`, { json: { status: 'answered' } });
		expect(test.status).toBe(404); // the test URL listens only while the editor waits for a test event
	});

	it('answers 401 and starts nothing without the secret or with a wrong one; starts only with it', async () => {
		const cdr = {
			cmiuuid: CALL_ID,
			status: 'answered',
			from: '919876543210',
			to: '918045678900',
			duration: 42,
			extra_params: '{"crm_id":"L-1001","campaign":"renewals"}',
		};
		const noSecret = await post(productionPath, { json: cdr });
		expect(noSecret).toEqual({ status: 401, text: JSON.stringify({ code: 401, message: 'Unauthorized: missing or wrong secret' }) });
		const wrongInQuery = await post(`${productionPath}?secret=${SECRET}x`, { json: cdr });
		expect(wrongInQuery.status).toBe(401);
		const wrongInHeader = await post(productionPath, { json: cdr, headers: { 'X-Piopiy-Secret': 'not-the-secret' } });
		expect(wrongInHeader.status).toBe(401);

		// Right secret: in the query with a JSON body, then in the header with a form body.
		const inQuery = await post(`${productionPath}?secret=${SECRET}&source=dashboard`, { json: cdr });
		expect(inQuery.status).toBe(200);
		const inHeader = await post(productionPath, {
			form: { cmiuuid: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e', status: 'answered', duration: '7' },
			headers: { 'X-Piopiy-Secret': SECRET },
		});
		expect(inHeader.status).toBe(200);
		// Right secret, filtered out (only answered calls): a quick 200, no execution.
		const missed = await post(`${productionPath}?secret=${SECRET}`, { json: { ...cdr, status: 'missed' } });
		expect(missed.status).toBe(200);

		const executions = await finishedExecutions(IDS.callStatus, 2);
		// Give a wrongly started execution time to show up before counting.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(await stack.executions(IDS.callStatus)).toHaveLength(2);
		expect(executions.map((execution) => [execution.mode, execution.status])).toEqual([
			['webhook', 'success'],
			['webhook', 'success'],
		]);

		const first = await storedOutput(executions[0].id, 'Piopiy Trigger');
		expect(first.items).toEqual([
			{
				cmiuuid: CALL_ID,
				status: 'answered',
				from: '919876543210',
				to: '918045678900',
				duration: 42,
				extra_params: { crm_id: 'L-1001', campaign: 'renewals' },
				piopiyTrigger: { event: 'callStatus', receivedAt: expect.any(String), query: { source: 'dashboard' } },
			},
		]);
		const second = await storedOutput(executions[1].id, 'Piopiy Trigger');
		expect(second.items).toEqual([
			expect.objectContaining({ cmiuuid: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e', status: 'answered', duration: '7' }),
		]);
		expect((await storedOutput(executions[1].id, 'Received')).items).toHaveLength(1);

		// The secret is not in the run data: not in the items, nor in the query they keep. (It is a
		// node parameter, so the workflow snapshot stored with each execution holds it, as the workflow
		// itself does.)
		for (const execution of executions) {
			const { stored } = await storedOutput(execution.id, 'Piopiy Trigger');
			expect(JSON.stringify(stored.data)).not.toContain(SECRET);
		}
	});

	it('caller-input example: pressing 2 opens a ticket, pressing 1 does not', async () => {
		const webhookId = byType(readExample('piopiy-trigger-caller-input.json'), `${typePrefix}piopiyTrigger`).webhookId;
		await activate(IDS.callerInput, `/webhook/${webhookId}/piopiy`);
		const url = `/webhook/${webhookId}/piopiy?secret=${SECRET}&step=menu`;

		expect((await post(url.replace(SECRET, 'wrong'), { json: { call_id: CALL_ID, dtmf: '2' } })).status).toBe(401);
		expect((await post(url, { json: { call_id: CALL_ID, from: '919876543210', dtmf: '2' } })).status).toBe(200);
		await finishedExecutions(IDS.callerInput, 1);
		expect((await post(url, { form: { call_id: CALL_ID, from: '919876543210', dtmf: '1' } })).status).toBe(200);
		const executions = await finishedExecutions(IDS.callerInput, 2);
		expect(executions.map((execution) => execution.status)).toEqual(['success', 'success']);

		expect(ticketDesk.tickets).toEqual([
			expect.objectContaining({ subject: 'Caller asked for support', call_id: CALL_ID, from: '919876543210', step: 'menu' }),
		]);
		expect((await storedOutput(executions[1].id, 'Other input')).items).toEqual([
			expect.objectContaining({ dtmf: '1', piopiyTrigger: expect.objectContaining({ event: 'callerInput', query: { step: 'menu' } }) }),
		]);
	});
});

describe('CRM webhook example, published', () => {
	it('a POST to /webhook/piopiy-crm-call transfers the live call through Piopiy', async () => {
		await activate(IDS.crm, '/webhook/piopiy-crm-call');
		const response = await post('/webhook/piopiy-crm-call', {
			json: { call_id: CALL_ID, action: 'transfer', agent_phone: '+91 99887 76655' },
		});
		expect(response.status).toBe(200);
		const [execution] = await finishedExecutions(IDS.crm, 1);
		expect(execution.status).toBe('success');
		expect(stack.piopiy.requests.map((request) => request.path)).toEqual(['/voice/pcmo/transfer']);
		expect(stack.piopiy.requests[0].violations).toEqual([]);
		expect(stack.piopiy.requests[0].body).toMatchObject({
			call_id: CALL_ID,
			pipeline: [
				{ action: 'play', file_name: 'please_hold.mp3' },
				{ action: 'connect', endpoints: [{ type: 'pstn', number: '919988776655' }] },
			],
		});
	});
});
