import { randomUUID } from 'node:crypto';

import { BALANCE_PATH } from '../support/piopiyServer';
import { n8n, type ExecuteResult } from './support/runtime';
import { GOOD_CREDENTIAL, log, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import type { Workflow, WorkflowNode } from './support/workflows';

/**
 * n8n's own ways of running the Piopiy node again, in a real n8n (2.41.1, or 1.123.81 with
 * PIOPIY_N8N_LINE=1): the node's "Retry On Fail" under each "On Error" setting, and "Retry" of a
 * failed execution (`POST /rest/executions/:id/retry`, what the editor's Retry button calls). A lead
 * whose call was not sent never comes out looking placed, and nobody is called twice; a Retry goes
 * ahead when this node sent nothing that could have acted in the failed execution.
 */

const typePrefix = TYPE_PREFIX.customExtension;
const AGENT_ID = '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c';
const LEADS = ['+91 98765 43210', '+91 98765 43211', '+91 98765 43212'].map((phone) => ({ phone }));

const IDS = {
	retryOnFailStop: 'E2eRetryOnFail01',
	retryOnFailRegular: 'E2eRetryOnFail02',
	retryOnFailError: 'E2eRetryOnFail03',
	calls: 'E2eRetryCalls001',
	upstream: { stopWorkflow: 'E2eRetryUpstrm01', continueRegularOutput: 'E2eRetryUpstrm02', continueErrorOutput: 'E2eRetryUpstrm03' },
	downstream: 'E2eRetryDownstr1',
	loop: 'E2eRetryLoop0001',
	stopped: 'E2eRetryStopped1',
};
const STOP_WEBHOOK_PATH = 'e2e-stopped-campaign';
/** Six leads for the campaign that is stopped midway. */
const SIX_LEADS = Array.from({ length: 6 }, (_, index) => ({ phone: `+91 98765 4320${index}` }));
const ON_ERROR = ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'] as const;

function workflowNode(name: string, type: string, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return { id: randomUUID(), name, type, typeVersion: type.includes('code') ? 2 : 1, position: [0, 0], parameters, ...extra };
}

const callNode = (extra: Partial<WorkflowNode> = {}) =>
	workflowNode(
		'Call leads',
		`${typePrefix}piopiy`,
		{
			resource: 'aiAgent',
			operation: 'call',
			callerId: '+91 80 4567 8900',
			toNumber: '={{ $json.phone }}',
			agentId: AGENT_ID,
			// One at a time, so which item fails is certain. These tests are about n8n's retries of one
			// execution; the memory of calls across executions (recentCalls.e2e.ts) would otherwise
			// refuse the leads an earlier test of this file called in the same n8n process.
			requestOptions: { concurrency: 1, repeatWindowMin: 0 },
		},
		{ credentials: { piopiyApi: { ...GOOD_CREDENTIAL } }, ...extra },
	);

/** Manual Trigger → [Check balance →] Leads (Code) → Call leads [→ Update CRM, which fails]. */
function leadsWorkflow(id: string, call: WorkflowNode, { balanceFirst = false, failingAfter = false } = {}): Workflow {
	const nodes = [
		workflowNode('Run', 'n8n-nodes-base.manualTrigger', {}),
		workflowNode('Leads', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(LEADS.map((json) => ({ json })))};` }),
		call,
	];
	const chain = ['Run', 'Leads', call.name];
	if (balanceFirst) {
		nodes.push(
			workflowNode('Check balance', `${typePrefix}piopiy`, { resource: 'account', operation: 'getBalance' }, {
				credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
			}),
		);
		chain.splice(1, 0, 'Check balance');
	}
	if (failingAfter) {
		nodes.push(workflowNode('Update CRM', 'n8n-nodes-base.code', { jsCode: "throw new Error('the CRM is down');" }));
		chain.push('Update CRM');
	}
	const connections: Workflow['connections'] = {};
	for (let i = 0; i + 1 < chain.length; i++) {
		connections[chain[i]] = { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] };
	}
	return { id, name: `e2e ${id}`, nodes, connections, active: false, settings: { executionOrder: 'v1' } };
}

/** A connection to `node`'s first input. */
const to = (node: string) => [{ node, type: 'main' as const, index: 0 }];

/**
 * Manual Trigger → Leads → Loop Over Items (one lead a pass) → Call leads → Check balance → back to
 * the loop: the call node runs once per pass, and a failed balance check stops the loop midway.
 */
function loopWorkflow(id: string): Workflow {
	const nodes = [
		workflowNode('Run', 'n8n-nodes-base.manualTrigger', {}),
		workflowNode('Leads', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(LEADS.map((json) => ({ json })))};` }),
		workflowNode('Loop Over Items', 'n8n-nodes-base.splitInBatches', { batchSize: 1, options: {} }, { typeVersion: 3 }),
		callNode(),
		workflowNode('Check balance', `${typePrefix}piopiy`, { resource: 'account', operation: 'getBalance' }, {
			credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
		}),
	];
	const connections: Workflow['connections'] = {
		Run: { main: [to('Leads')] },
		Leads: { main: [to('Loop Over Items')] },
		// Output 0 is "done", output 1 is each pass.
		'Loop Over Items': { main: [[], to('Call leads')] },
		'Call leads': { main: [to('Check balance')] },
		'Check balance': { main: [to('Loop Over Items')] },
	};
	return { id, name: `e2e ${id}`, nodes, connections, active: false, settings: { executionOrder: 'v1' } };
}

/**
 * Webhook (answers at once) → Leads (six) → Call leads, one at a time: a campaign that runs inside the
 * n8n server, so that n8n's Stop (`POST /rest/executions/:id/stop`) reaches it.
 */
function stoppableWorkflow(id: string): Workflow {
	const webhook = workflowNode('Start campaign', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path: STOP_WEBHOOK_PATH, options: {} }, {
		typeVersion: 2,
		webhookId: randomUUID(),
	});
	const nodes = [
		webhook,
		workflowNode('Leads', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(SIX_LEADS.map((json) => ({ json })))};` }),
		callNode(),
	];
	const connections: Workflow['connections'] = { 'Start campaign': { main: [to('Leads')] }, Leads: { main: [to('Call leads')] } };
	return { id, name: `e2e ${id}`, nodes, connections, active: false, settings: { executionOrder: 'v1' } };
}

const retryOnFail = { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 };

let stack: Stack;

beforeAll(async () => {
	stack = await startStack({
		name: 'retries',
		install: 'customExtension',
		workflows: [
			leadsWorkflow(IDS.retryOnFailStop, callNode(retryOnFail)),
			leadsWorkflow(IDS.retryOnFailRegular, callNode({ ...retryOnFail, onError: 'continueRegularOutput' })),
			leadsWorkflow(IDS.retryOnFailError, callNode({ ...retryOnFail, onError: 'continueErrorOutput' })),
			leadsWorkflow(IDS.calls, callNode()),
			...ON_ERROR.map((onError) => leadsWorkflow(IDS.upstream[onError], callNode({ onError }), { balanceFirst: true })),
			leadsWorkflow(IDS.downstream, callNode({ onError: 'continueErrorOutput' }), { failingAfter: true }),
			loopWorkflow(IDS.loop),
			stoppableWorkflow(IDS.stopped),
		],
	});
}, 300_000);

afterAll(async () => stack?.stop(), 60_000);

beforeEach(() => stack?.piopiy.reset());

const outputOf = (result: ExecuteResult, nodeName: string, output = 0) => n8n.nodeOutput(result, nodeName, { output });

describe(`Retry On Fail in n8n ${N8N_VERSION}: refused before anything is sent, whatever On Error says`, () => {
	it('Stop Workflow: the execution fails with the refusal, nothing sent', async () => {
		const { result } = await stack.execute(IDS.retryOnFailStop);
		expect(result.status).toBe('error');
		expect(result.data.resultData.error?.message).toBe('"Retry On Fail" is on, and it would place calls twice: nothing was sent');
		expect(stack.piopiy.requests).toHaveLength(0);
	});

	it('Continue (regular output): every lead comes out failed, "notSent", none looks placed', async () => {
		const { result } = await stack.execute(IDS.retryOnFailRegular);
		const items = outputOf(result, 'Call leads');
		expect(items.map((item) => item.message)).toEqual(['notSent', 'notSent', 'notSent']);
		expect(items.every((item) => String(item.error).startsWith('"Retry On Fail" is on'))).toBe(true);
		// Not the input items passed on: no lead's phone number comes out as if it had been called.
		expect(items.some((item) => 'phone' in item)).toBe(false);
		expect(stack.piopiy.requests).toHaveLength(0);
	});

	it('Continue (error output): every lead goes to the error output, "notSent"; the success output is empty', async () => {
		const { result } = await stack.execute(IDS.retryOnFailError);
		expect(outputOf(result, 'Call leads', 1).map((item) => item.message)).toEqual(['notSent', 'notSent', 'notSent']);
		expect(outputOf(result, 'Call leads', 0)).toEqual([]);
		expect(stack.piopiy.requests).toHaveLength(0);
	});
});

describe(`Retry of a failed execution in n8n ${N8N_VERSION}`, () => {
	/** The editor's "Retry with original workflow"; resolves with the retry's stored execution. */
	async function retry(workflowId: string, failedId: string) {
		const before = new Set((await stack.executions(workflowId)).map((execution) => execution.id));
		await stack.rest(`/rest/executions/${failedId}/retry`, { method: 'POST', body: { loadWorkflow: false } });
		for (let waited = 0; waited < 60_000; waited += 250) {
			const retried = (await stack.executions(workflowId)).find(
				(execution) => !before.has(execution.id) && execution.mode === 'retry' && !['new', 'running', 'waiting'].includes(execution.status),
			);
			if (retried) return await stack.storedExecution(retried.id);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		throw new Error(`no finished retry of execution ${failedId}`);
	}

	const nodeError = (data: ExecuteResult['data'], nodeName: string) => data.resultData.runData[nodeName]?.at(-1)?.error;

	it('after the node placed a call and then stopped on an unknown outcome: refused, "may have placed", nothing sent again', async () => {
		stack.piopiy.behaviour = (request) =>
			(request.body as { to_number?: string }).to_number === '919876543211' ? { status: 503, body: { error: 'upstream busy' } } : undefined;
		const failed = await stack.execute(IDS.calls);
		expect(failed.result.data.resultData.error?.message).toBe(
			'Stopped at item 1: 1 call placed, 1 with unknown outcome, 0 refused, 1 not sent (of 3 items)',
		);
		expect(stack.piopiy.requests).toHaveLength(2);

		stack.piopiy.reset();
		const retried = await retry(IDS.calls, failed.executionId);
		expect(retried.status).toBe('error');
		expect(nodeError(retried.data, 'Call leads')?.message).toBe(
			'This node may have placed calls in the execution being retried: nothing was sent',
		);
		expect(stack.piopiy.requests).toHaveLength(0);
	});

	it('after Piopiy refused the first call (nothing placed): goes ahead and places the calls once', async () => {
		let refuseCalls = true;
		stack.piopiy.behaviour = () => (refuseCalls ? { status: 400, body: { error: 'app suspended' } } : undefined);
		const failed = await stack.execute(IDS.calls);
		expect(failed.result.data.resultData.error?.message).toContain('Stopped at item 0: 0 calls placed, 0 with unknown outcome, 1 refused');
		expect(stack.piopiy.requests).toHaveLength(1);

		stack.piopiy.reset();
		refuseCalls = false;
		const retried = await retry(IDS.calls, failed.executionId);
		expect(retried.status).toBe('success');
		expect(stack.piopiy.requests.map((request) => (request.body as { to_number: string }).to_number)).toEqual([
			'919876543210',
			'919876543211',
			'919876543212',
		]);
	});

	it.each(ON_ERROR)('after a failure upstream (the node never ran), On Error %s: goes ahead and places the calls once', async (onError) => {
		let balanceDown = true;
		stack.piopiy.behaviour = (request) =>
			balanceDown && request.path === BALANCE_PATH ? { status: 400, body: { code: 400, message: 'appid missing' } } : undefined;
		const failed = await stack.execute(IDS.upstream[onError]);
		expect(failed.result.data.resultData.error?.node?.name).toBe('Check balance');
		expect(failed.result.data.resultData.runData['Call leads']).toBeUndefined();

		stack.piopiy.reset();
		balanceDown = false;
		const retried = await retry(IDS.upstream[onError], failed.executionId);
		expect(retried.status).toBe('success');
		expect(stack.piopiy.requests.filter((request) => request.path === '/voice/ai/call')).toHaveLength(3);
	});

	it('after a failure downstream of a node that placed its calls: n8n restarts at the failed node, nobody is called again', async () => {
		const failed = await stack.execute(IDS.downstream);
		expect(failed.result.status).toBe('error');
		expect(failed.result.data.resultData.lastNodeExecuted).toBe('Update CRM');
		expect(stack.piopiy.requests).toHaveLength(3);

		stack.piopiy.reset();
		const retried = await retry(IDS.downstream, failed.executionId);
		expect(nodeError(retried.data, 'Update CRM')?.message).toContain('the CRM is down');
		expect(stack.piopiy.requests).toHaveLength(0);
	});

	it('inside a loop, a failure after the second pass: the Retry reaches the third pass, which is refused and says why', async () => {
		let balanceChecks = 0;
		let failSecondCheck = true;
		stack.piopiy.behaviour = (request) =>
			request.path === BALANCE_PATH && ++balanceChecks === 2 && failSecondCheck
				? { status: 400, body: { code: 400, message: 'appid missing' } }
				: undefined;
		const failed = await stack.execute(IDS.loop);
		expect(failed.result.data.resultData.lastNodeExecuted).toBe('Check balance');
		expect(failed.result.data.resultData.runData['Call leads']).toHaveLength(2);
		const called = () => stack.piopiy.requests.filter((request) => request.path === '/voice/ai/call');
		expect(called()).toHaveLength(2);

		stack.piopiy.reset();
		failSecondCheck = false;
		const retried = await retry(IDS.loop, failed.executionId);
		// n8n restarted at the balance check, which passed, and the loop went on to its third pass.
		expect(retried.data.resultData.runData['Call leads']).toHaveLength(3);
		const refusal = nodeError(retried.data, 'Call leads');
		expect(refusal?.message).toBe('This node may have placed calls in the execution being retried: nothing was sent');
		expect(refusal?.description).toMatch(/^This node runs more than once in that execution \(a loop, run 3\), and n8n kept no record of this run/);
		expect(called()).toHaveLength(0);
	});

	it("n8n's Stop in the middle of a campaign: no lead is called after it", async () => {
		// Each call takes 700 ms to answer: six leads one at a time would take over 4 s.
		stack.piopiy.behaviour = async (request, self) => ({ ...self.standardReply(request), delayMs: 700 });
		await stack.publish(IDS.stopped, `/webhook/${STOP_WEBHOOK_PATH}`);
		const started = await fetch(new URL(`/webhook/${STOP_WEBHOOK_PATH}`, stack.url), { method: 'POST' });
		expect(started.status).toBe(200);

		const called = () => stack.piopiy.requests.filter((request) => request.path === '/voice/ai/call');
		for (let waited = 0; called().length < 2; waited += 20) {
			if (waited > 30_000) throw new Error('the campaign did not reach its second lead');
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		const [running] = (await stack.executions(IDS.stopped)).filter((execution) => execution.status === 'running');
		expect(running).toBeDefined();
		await stack.rest(`/rest/executions/${running.id}/stop`, { method: 'POST', body: {} });
		const calledAtStop = called().length;

		// Long enough for the four leads left to have been called, had the node gone on.
		await new Promise((resolve) => setTimeout(resolve, 4000));
		expect(called()).toHaveLength(calledAtStop);
		expect(calledAtStop).toBeLessThanOrEqual(3);
		const stopped = await stack.storedExecution(running.id);
		expect(stopped.status).toBe('canceled');
		// n8n stores a stopped execution as it started (no run of any node): it keeps no record of who
		// was called, which is why the README says to check the call log before running the rest.
		const ran = Object.keys(stopped.data.resultData.runData);
		log(`[e2e:retries] stopped campaign: ${calledAtStop} of 6 leads called, stored as ${stopped.status} with runs of [${ran.join(', ')}]`);
	});
});
