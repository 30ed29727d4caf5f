import { randomUUID } from 'node:crypto';

import { fixedWindowLimit, withLatency } from '../support/faults';
import { recordRequests } from './support/requestLog';
import { GOOD_CREDENTIAL, log, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import { finishedExecutions } from './support/webhooks';
import type { Workflow } from './support/workflows';

/**
 * A burst of form submissions (issue 27), in a real n8n (2.41.1, or 1.123.81 with
 * PIOPIY_N8N_LINE=1): 100 webhook executions of one lead each arrive at once, against a stand-in
 * Piopiy 100 ms away that allows 5 requests in each fixed second and answers 429 with
 * `Retry-After: 1`. Every execution uses the same account, so the node's limiter is shared: each of
 * the 100 is called exactly once, no execution fails, and few requests are refused (the goal, at most
 * 5 %, is printed with the span from the first call to the last, ideal 20 s, beside the span of
 * n8n's own execution starts). n8n's HTTP Request node, fed the same burst, is measured beside it (figures only:
 * it neither waits nor retries at its defaults).
 */

const LIMIT_PER_SECOND = 5;
const LATENCY_MS = 100;
const SUBMISSIONS = 100;
const typePrefix = TYPE_PREFIX.communityPackage;
const IDS = { node: 'E2eBurstPiopiy01', peer: 'E2eBurstHttpReq1' };
const PATHS = { node: 'burst-piopiy', peer: 'burst-http-request' };
/** Submission i calls +91 7000 000 iii, and the peer's +91 7100 000 iii: each has its own number. */
const phoneOf = (peer: boolean, index: number) => `+91${peer ? '71' : '70'}${String(index).padStart(8, '0')}`;

const webhook = (path: string) => ({
	id: randomUUID(),
	name: 'Form submitted',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0] as [number, number],
	webhookId: randomUUID(),
	parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
});

/** Webhook → Piopiy AI Agent → Call at its defaults: one execution per submission. */
const nodeWorkflow: Workflow = {
	id: IDS.node,
	name: 'Burst: Piopiy node',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		webhook(PATHS.node),
		{
			id: randomUUID(),
			name: 'Call',
			type: `${typePrefix}piopiy`,
			typeVersion: 1,
			position: [220, 0],
			parameters: {
				resource: 'aiAgent',
				operation: 'call',
				callerId: '+91 80 4567 8900',
				toNumber: '={{ $json.body.phone }}',
				agentId: '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c',
			},
			credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
		},
	],
	connections: { 'Form submitted': { main: [[{ node: 'Call', type: 'main', index: 0 }]] } },
};

let stack: Stack;

/** Webhook → n8n's HTTP Request node placing the same call, at its defaults (bench/peerNode.ts's fields). */
function peerWorkflow(): Workflow {
	const { baseUrl, apiToken } = stack.piopiy.credentials();
	return {
		id: IDS.peer,
		name: 'Burst: HTTP Request node',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook(PATHS.peer),
			{
				id: randomUUID(),
				name: 'Call',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: {
					method: 'POST',
					url: `${baseUrl}/voice/ai/call`,
					sendHeaders: true,
					headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${apiToken}` }] },
					sendBody: true,
					contentType: 'json',
					specifyBody: 'keypair',
					bodyParameters: {
						parameters: [
							{ name: 'caller_id', value: '918045678900' },
							{ name: 'to_number', value: "={{ $json.body.phone.replace(/\\D/g, '') }}" },
							{ name: 'agent_id', value: '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c' },
						],
					},
					options: {},
				},
			},
		],
		connections: { 'Form submitted': { main: [[{ node: 'Call', type: 'main', index: 0 }]] } },
	};
}

beforeAll(async () => {
	stack = await startStack({ name: 'burst', install: 'communityPackage', wrongTokenCredential: false, workflows: [nodeWorkflow] });
	await stack.importWorkflows([peerWorkflow()]);
	await stack.publish(IDS.node, `/webhook/${PATHS.node}`);
	await stack.publish(IDS.peer, `/webhook/${PATHS.peer}`);
}, 300_000);

afterAll(async () => stack?.stop(), 60_000);

beforeEach(() => {
	stack.piopiy.reset();
	stack.piopiy.behaviour = withLatency(LATENCY_MS, fixedWindowLimit(LIMIT_PER_SECOND));
});
recordRequests(() => stack?.piopiy, { countVaries: true });

/**
 * Every execution of the workflow once all have finished. n8n 1.123.81's SQLite may answer the
 * executions list with 503 "Database is not ready!" while a hundred executions write to it: asked again.
 */
async function settledExecutions(workflowId: string) {
	const deadline = Date.now() + 180_000;
	for (;;) {
		try {
			return await finishedExecutions(stack, workflowId, SUBMISSIONS, Math.max(1000, deadline - Date.now()));
		} catch (error) {
			if ((error as { status?: number }).status !== 503 || Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}
}

/** Submits the burst, waits for every execution, and measures what the stand-in saw. */
async function burst(peer: boolean) {
	const path = peer ? PATHS.peer : PATHS.node;
	const answers = await Promise.all(
		Array.from({ length: SUBMISSIONS }, async (_, index) => {
			const response = await fetch(new URL(`/webhook/${path}`, stack.url), {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ name: `Lead ${index}`, phone: phoneOf(peer, index) }),
			});
			return response.status;
		}),
	);
	expect(answers.every((status) => status === 200)).toBe(true);
	const executions = await settledExecutions(peer ? IDS.peer : IDS.node);
	const calls = stack.piopiy.requests.filter((request) => request.path === '/voice/ai/call');
	const accepted = calls.filter((request) => request.status === 200);
	const perNumber = new Map<string, number>();
	for (const request of accepted) {
		const number = String((request.body as { to_number?: string }).to_number);
		perNumber.set(number, (perNumber.get(number) ?? 0) + 1);
	}
	const times = accepted.map((request) => request.receivedAt);
	// When n8n started each execution: on a busy machine n8n itself takes seconds to start 100.
	const started = executions.map((execution) => Date.parse(String((execution as { startedAt?: string }).startedAt)));
	const figures = {
		scenario: `(burst) ${peer ? "n8n's HTTP Request node" : 'Piopiy node'}, n8n ${N8N_VERSION}: ${SUBMISSIONS} webhook executions of one lead at once, ${LATENCY_MS} ms, fixed window ${LIMIT_PER_SECOND}/s, Retry-After: 1`,
		called: perNumber.size,
		'called twice': [...perNumber.values()].filter((count) => count > 1).length,
		'executions failed': executions.filter((execution) => execution.status !== 'success').length,
		requests: calls.length,
		'429s': calls.filter((request) => request.status === 429).length,
		'429 share': calls.length ? calls.filter((request) => request.status === 429).length / calls.length : 0,
		'first to last call (s)': times.length ? (Math.max(...times) - Math.min(...times)) / 1000 : 0,
		'first to last execution start (s)': (Math.max(...started) - Math.min(...started)) / 1000,
	};
	log(`[e2e:burst] ${JSON.stringify({ ...figures, '429 share': `${(figures['429 share'] * 100).toFixed(1)} %` })}`);
	return { figures, calls };
}

// The goal (at most 5 % refused, the last call within 22.2 s) is printed and kept in
// docs/measurements.md, not asserted: both move with the machine's load (n8n's own event loop delays
// requests past the second they were meant for, and may take 20 s to start 100 executions). What is
// asserted holds on any machine: a shared limiter, not a hundred retry loops (those refused 77 %).
it(`the Piopiy node on n8n ${N8N_VERSION}: all ${SUBMISSIONS} called once, none failed, a few requests refused, not one per request`, async () => {
	const { figures, calls } = await burst(false);
	expect(figures.called).toBe(SUBMISSIONS);
	expect(figures['called twice']).toBe(0);
	expect(figures['executions failed']).toBe(0);
	expect(figures['429 share']).toBeLessThanOrEqual(0.15);
	for (const request of calls) expect(request.violations).toEqual([]);
}, 240_000);

it("n8n's HTTP Request node, the same burst: nobody called twice (figures printed; it neither waits nor retries)", async () => {
	const { figures } = await burst(true);
	expect(figures['called twice']).toBe(0);
	expect(figures.called + figures['executions failed']).toBe(SUBMISSIONS);
}, 240_000);
