import { randomUUID } from 'node:crypto';

import { BALANCE_PATH } from '../support/piopiyServer';
import { n8n } from './support/runtime';
import { recordRequests } from './support/requestLog';
import { placesHoldingSecrets } from './support/secrets';
import { GOOD_CREDENTIAL, N8N_LINE, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import { finishedExecutions, postTo, storedOutput } from './support/webhooks';
import type { Workflow, WorkflowNode } from './support/workflows';

/**
 * Issue 16, "Secrets: in no output, and never by corrupting data", in a real n8n (2.41.1, or 1.123.81
 * with PIOPIY_N8N_LINE=1), the package installed as a community package:
 * (a) Piopiy replies that echo the API token and the App Secret: neither is anywhere in what n8n
 *     printed, stored (executions, database files) or logged, and the rest of the reply is output;
 * (b) the Piopiy Trigger with its secret in a Piopiy Webhook API credential: n8n's credential test
 *     checks its length, a short one cannot be published, requests without it or with a wrong one get
 *     401, requests with it start executions, and the secret is in no stored workflow, execution or file;
 * (c) a workflow saved before, with the secret typed into the trigger (version 1), still works.
 */

const typePrefix = TYPE_PREFIX.communityPackage;
const AGENT_ID = '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c';
const CALL_ID = 'c4504776-d91e-423b-a9a7-56000429abc3';

const TRIGGER_SECRET = `whs_${randomUUID().replace(/-/g, '')}`;
const SHORT_SECRET = `s${randomUUID().replace(/-/g, '').slice(0, 11)}`;
const LEGACY_SECRET = `old_${randomUUID().replace(/-/g, '')}`;

const WEBHOOK_CREDENTIAL = { id: 'PiopiyWebhook001', name: 'Piopiy webhook secret (e2e)' };
const SHORT_CREDENTIAL = { id: 'PiopiyWebhookShr', name: 'Piopiy webhook secret, too short (e2e)' };

const IDS = { echo: 'E2eSecretsEcho01', credential: 'E2eSecretsCred01', short: 'E2eSecretsShort1', legacy: 'E2eSecretsLegacy' };
const WEBHOOK_IDS = {
	credential: '6e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a61',
	short: '6e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a62',
	legacy: '6e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a63',
};

function piopiyNode(name: string, position: [number, number], parameters: Record<string, unknown>): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: `${typePrefix}piopiy`,
		typeVersion: 1,
		position,
		parameters,
		credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
	};
}

/** Manual Trigger → AI call → Get balance. */
function echoWorkflow(): Workflow {
	return {
		id: IDS.echo,
		name: 'e2e: Piopiy replies that echo the secrets',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			piopiyNode('AI call', [220, 0], {
				resource: 'aiAgent',
				operation: 'call',
				callerId: '+91 80 4567 8900',
				toNumber: '+91 98765 43210',
				agentId: AGENT_ID,
			}),
			piopiyNode('Get balance', [440, 0], { resource: 'account', operation: 'getBalance' }),
		],
		connections: {
			Start: { main: [[{ node: 'AI call', type: 'main', index: 0 }]] },
			'AI call': { main: [[{ node: 'Get balance', type: 'main', index: 0 }]] },
		},
	};
}

/** Piopiy Trigger (Call Status / CDR) → No Operation, the trigger at `typeVersion` with `parameters`. */
function triggerWorkflow(id: string, webhookId: string, trigger: Pick<WorkflowNode, 'typeVersion' | 'parameters' | 'credentials'>): Workflow {
	return {
		id,
		name: `e2e: Piopiy Trigger ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: randomUUID(), name: 'Piopiy Trigger', type: `${typePrefix}piopiyTrigger`, position: [0, 0], webhookId, ...trigger },
			{ id: randomUUID(), name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { 'Piopiy Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
	};
}

let stack: Stack;

/**
 * Publishes a workflow that must fail to activate, and returns n8n's reason. n8n 1.x activates at once
 * and answers the request with the error; 2.x accepts the request, activates in the background and
 * reports the outcome in the workflow's publication status (what the editor shows).
 */
async function publicationFailure(workflowId: string): Promise<string> {
	const { data } = await stack.rest<{ data: { versionId: string } }>(`/rest/workflows/${workflowId}`);
	const publish = stack.rest(`/rest/workflows/${workflowId}/activate`, { method: 'POST', body: { versionId: data.versionId } });
	if (N8N_LINE === 1) {
		const refused = await publish.then(
			() => undefined,
			(error: Error & { status?: number; body?: { message?: string } }) => error,
		);
		expect(refused?.status).toBe(400);
		return String(refused?.body?.message);
	}
	await publish;
	type Status = { data: { status: string; triggers: Array<{ status: string; errorMessage: string | null }> } };
	const deadline = Date.now() + 60_000;
	for (;;) {
		const { data: status } = await stack.rest<Status>(`/rest/workflows/${workflowId}/publication-status`);
		if (!['in_progress', 'not_published'].includes(status.status)) {
			expect(status.status).toBe('failed');
			expect(status.triggers.map((trigger) => trigger.status)).toEqual(['failed']);
			return String(status.triggers[0].errorMessage);
		}
		if (Date.now() > deadline) throw new Error(`the publication of ${workflowId} did not settle: ${JSON.stringify(status)}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

beforeAll(async () => {
	stack = await startStack({
		name: 'secrets',
		install: 'communityPackage',
		wrongTokenCredential: false,
		credentials: [
			{ ...WEBHOOK_CREDENTIAL, type: 'piopiyWebhookApi', data: { secret: TRIGGER_SECRET } },
			{ ...SHORT_CREDENTIAL, type: 'piopiyWebhookApi', data: { secret: SHORT_SECRET } },
		],
		workflows: [
			echoWorkflow(),
			// What the editor saves for a new trigger: version 1.1, the credential, defaults left out.
			triggerWorkflow(IDS.credential, WEBHOOK_IDS.credential, {
				typeVersion: 1.1,
				parameters: {},
				credentials: { piopiyWebhookApi: { ...WEBHOOK_CREDENTIAL } },
			}),
			triggerWorkflow(IDS.short, WEBHOOK_IDS.short, {
				typeVersion: 1.1,
				parameters: {},
				credentials: { piopiyWebhookApi: { ...SHORT_CREDENTIAL } },
			}),
			// What a workflow saved before holds: version 1, the secret typed in, Authentication left out as the default.
			triggerWorkflow(IDS.legacy, WEBHOOK_IDS.legacy, { typeVersion: 1, parameters: { secret: LEGACY_SECRET } }),
		],
	});
}, 300_000);

afterAll(async () => {
	await stack?.stop();
}, 60_000);

beforeEach(() => stack?.piopiy.reset());
recordRequests(() => stack?.piopiy);

describe('(a) a Piopiy reply that echoes the token or the App Secret', () => {
	it('puts neither into the output, the stored execution, n8n’s log or its files; the rest of the reply is output', async () => {
		stack.piopiy.behaviour = (request, piopiy) => {
			if (request.path === '/voice/ai/call') {
				return {
					status: 200,
					body: {
						success: true,
						message: 'call_queued',
						call_id: CALL_ID,
						debug: {
							headers: { Authorization: `Bearer ${piopiy.token}` },
							echo: [`token=${piopiy.token}`, { token: encodeURIComponent(piopiy.token) }],
						},
					},
				};
			}
			if (request.path === BALANCE_PATH) {
				return { status: 200, body: { code: 200, balance: 1523.75, sms: 40, expire: 1798761600000, request: { appid: piopiy.appId, secret: piopiy.appSecret } } };
			}
			return undefined;
		};
		const run = await stack.execute(IDS.echo);
		if (run.result.status !== 'success') throw new Error(`run failed: ${run.result.data.resultData.error?.message}\n${run.stdout.slice(-3000)}`);

		// The stand-in sent them: a search that finds nothing could have found them.
		expect(stack.piopiy.requests.map((request) => request.path)).toEqual(['/voice/ai/call', BALANCE_PATH]);
		expect(stack.piopiy.requests[0].headers.authorization).toBe(`Bearer ${stack.piopiy.token}`);
		expect(stack.piopiy.requests[1].body).toEqual({ appid: stack.piopiy.appId, secret: stack.piopiy.appSecret });

		expect(n8n.nodeOutput(run.result, 'AI call')).toEqual([
			{
				success: true,
				message: 'call_queued',
				call_id: CALL_ID,
				debug: { headers: { Authorization: '[redacted]' }, echo: ['token=[redacted]', { token: '[redacted]' }] },
			},
		]);
		expect(n8n.nodeOutput(run.result, 'Get balance')).toEqual([
			expect.objectContaining({ balance: 1523.75, sms: 40, request: { appid: stack.piopiy.appId, secret: '[redacted]' } }),
		]);
		const secrets = { 'API token': stack.piopiy.token, 'App Secret': stack.piopiy.appSecret };
		expect(await placesHoldingSecrets(stack, secrets, { printed: [run.stdout, run.stderr], executionIds: [run.executionId] })).toEqual([]);
	});
});

describe('(b) the Piopiy Trigger with its secret in a Piopiy Webhook API credential', () => {
	const productionPath = `/webhook/${WEBHOOK_IDS.credential}/piopiy`;
	const cdr = { cmiuuid: CALL_ID, status: 'answered', from: '919876543210', to: '918045678900', duration: 42 };

	it('n8n’s credential test checks the secret’s length', async () => {
		const test = async (credential: { id: string; name: string }, secret: string) =>
			await n8n.testCredential({ url: stack.url, cookie: stack.cookie, ...credential, type: 'piopiyWebhookApi', data: { secret } });
		expect(await test(WEBHOOK_CREDENTIAL, TRIGGER_SECRET)).toEqual({ status: 'OK', message: 'The secret is long enough' });
		expect(await test(SHORT_CREDENTIAL, SHORT_SECRET)).toEqual({
			status: 'Error',
			message:
				'Not usable: the secret set in this credential is shorter than 16 characters. Use a long random secret, e.g. the output of openssl rand -hex 32.',
		});
	});

	it('a workflow whose credential holds a short secret cannot be published, and says why', async () => {
		const why =
			'Piopiy Trigger "Piopiy Trigger" cannot accept requests: the secret set in its Piopiy Webhook API credential is shorter than 16 characters';
		expect(await publicationFailure(IDS.short)).toContain(why);
		expect((await postTo(stack, `/webhook/${WEBHOOK_IDS.short}/piopiy?secret=${SHORT_SECRET}`, { json: cdr })).status).toBe(404);
	});

	it('published: 401 without the secret or with a wrong one, executions with it; the secret is in no stored workflow, execution or file', async () => {
		await stack.publish(IDS.credential, productionPath);

		const refused = [
			await postTo(stack, productionPath, { json: cdr }),
			await postTo(stack, `${productionPath}?secret=${TRIGGER_SECRET}x`, { json: cdr }),
			await postTo(stack, productionPath, { json: cdr, headers: { 'X-Piopiy-Secret': LEGACY_SECRET } }),
		];
		const unauthorized = JSON.stringify({ code: 401, message: 'Unauthorized: missing or wrong secret' });
		expect(refused).toEqual(Array.from({ length: 3 }, () => ({ status: 401, text: unauthorized })));

		const inQuery = await postTo(stack, `${productionPath}?secret=${TRIGGER_SECRET}&step=menu`, {
			json: { ...cdr, on_result: `https://n8n.example${productionPath}?secret=${TRIGGER_SECRET}&step=menu` },
		});
		const inHeader = await postTo(stack, productionPath, { form: { ...cdr, duration: '42' }, headers: { 'X-Piopiy-Secret': TRIGGER_SECRET } });
		expect([inQuery.status, inHeader.status]).toEqual([200, 200]);

		const executions = await finishedExecutions(stack, IDS.credential, 2);
		// Give a wrongly started execution time to show up before counting.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect((await stack.executions(IDS.credential)).map((execution) => [execution.mode, execution.status])).toEqual([
			['webhook', 'success'],
			['webhook', 'success'],
		]);
		const first = await storedOutput(stack, executions[0].id, 'Piopiy Trigger');
		expect(first.items).toEqual([
			{
				...cdr,
				on_result: `https://n8n.example${productionPath}?secret=[redacted]&step=menu`,
				piopiyTrigger: { event: 'callStatus', receivedAt: expect.any(String), query: { step: 'menu' } },
			},
		]);
		expect((await storedOutput(stack, executions[1].id, 'Received')).items).toEqual([expect.objectContaining({ cmiuuid: CALL_ID, duration: '42' })]);

		expect(
			await placesHoldingSecrets(stack, { 'trigger secret': TRIGGER_SECRET }, {
				executionIds: executions.map((execution) => execution.id),
				workflowIds: [IDS.credential],
			}),
		).toEqual([]);
	});
});

describe('(c) a workflow saved before, with the secret typed into the trigger', () => {
	it('still works: 401 without the secret, an execution with it', async () => {
		const productionPath = `/webhook/${WEBHOOK_IDS.legacy}/piopiy`;
		await stack.publish(IDS.legacy, productionPath);
		expect((await postTo(stack, productionPath, { json: { status: 'answered' } })).status).toBe(401);
		expect((await postTo(stack, `${productionPath}?secret=${TRIGGER_SECRET}`, { json: { status: 'answered' } })).status).toBe(401);
		expect((await postTo(stack, `${productionPath}?secret=${LEGACY_SECRET}`, { json: { cmiuuid: CALL_ID, status: 'answered' } })).status).toBe(200);

		const [execution] = await finishedExecutions(stack, IDS.legacy, 1);
		expect(execution.status).toBe('success');
		const { items, stored } = await storedOutput(stack, execution.id, 'Piopiy Trigger');
		expect(items).toEqual([{ cmiuuid: CALL_ID, status: 'answered', piopiyTrigger: { event: 'callStatus', receivedAt: expect.any(String), query: {} } }]);
		// The secret is not in the run data (it is in the workflow itself, which is why the credential replaces it).
		expect(JSON.stringify(stored.data)).not.toContain(LEGACY_SECRET);
	});
});
