import { aiCallParameters } from '../support/fixtures';
import { recordRequests } from './support/requestLog';
import { GOOD_CREDENTIAL, log, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import type { Workflow } from './support/workflows';

/**
 * Every wait ends, in a real n8n (2.41.1, or 1.123.81 with PIOPIY_N8N_LINE=1): the Piopiy stand-in
 * answers every request with 429 and `Retry-After: 0` (a server that keeps saying "try again now"),
 * forever. With Max Rate-Limit Wait at 3 s, the execution ends with the wait-budget error within the
 * budget plus one request timeout, after a bounded number of requests.
 */

const typePrefix = TYPE_PREFIX.customExtension;
const BUDGET_SEC = 3;
const TIMEOUT_SEC = 10;
const IDS = { one: 'E2eRateLimitOne1', campaign: 'E2eRateLimitCmp1' };

/** Manual Trigger → (a Code node with the leads) → Piopiy AI call, waiting out 429s for at most 3 s. */
function workflow(id: string, phones: string[], onError?: string): Workflow {
	return {
		id,
		name: `Rate limit ${id}`,
		active: false,
		nodes: [
			{ id: 'trigger', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'leads',
				name: 'Leads',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: { jsCode: `return ${JSON.stringify(phones.map((phone) => ({ json: { phone } })))};` },
			},
			{
				id: 'piopiy',
				name: 'Piopiy',
				type: `${typePrefix}piopiy`,
				typeVersion: 1,
				position: [440, 0],
				parameters: aiCallParameters({
					toNumber: '={{ $json.phone }}',
					requestOptions: { maxRateLimitWaitSec: BUDGET_SEC, timeoutSec: TIMEOUT_SEC, concurrency: 3 },
				}),
				credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
				...(onError ? { onError } : {}),
			},
		],
		connections: {
			Start: { main: [[{ node: 'Leads', type: 'main', index: 0 }]] },
			Leads: { main: [[{ node: 'Piopiy', type: 'main', index: 0 }]] },
		},
	};
}

let stack: Stack;

beforeAll(async () => {
	stack = await startStack({
		name: 'rate-limit',
		install: 'customExtension',
		wrongTokenCredential: false,
		workflows: [
			workflow(IDS.one, ['+91 98765 43210']),
			workflow(IDS.campaign, ['+91 98765 43210', '+91 98765 43211', '+91 98765 43212'], 'continueRegularOutput'),
		],
	});
}, 300_000);

afterAll(async () => stack?.stop(), 60_000);

beforeEach(() => {
	stack.piopiy.reset();
	stack.piopiy.behaviour = () => ({
		status: 429,
		body: { success: false, error: 'Too many requests' },
		headers: { 'Retry-After': '0' },
	});
});
recordRequests(() => stack?.piopiy, { countVaries: true });

const GAVE_UP = /^Piopiy is rate limiting requests \(HTTP 429\) and the node gave up after \d+ attempts? in \d+(\.\d)? s/;

/** The node's own run time in n8n's run data, and the span of the requests the stand-in received. */
function measure(run: Awaited<ReturnType<Stack['execute']>>) {
	const nodeRun = run.result.data.resultData.runData.Piopiy?.[0] as { executionTime?: number } | undefined;
	const received = stack.piopiy.requests.map((request) => request.receivedAt);
	return {
		requests: received.length,
		requestSpanMs: received.length ? Math.max(...received) - Math.min(...received) : 0,
		nodeMs: nodeRun?.executionTime ?? NaN,
	};
}

it(`one lead, Stop Workflow, on n8n ${N8N_VERSION}: the execution ends with the wait-budget error within the bound`, async () => {
	const started = Date.now();
	const run = await stack.execute(IDS.one);
	const figures = { ...measure(run), executeMs: Date.now() - started };
	log(`[e2e:rate-limit] one lead, 429 Retry-After: 0 forever, budget ${BUDGET_SEC} s: ${JSON.stringify(figures)}`);

	expect(run.result.status).toBe('error');
	const error = run.result.data.resultData.error!;
	expect(error.message).toMatch(GAVE_UP);
	expect(error.description).toContain('nothing was placed and it is safe to run this item again');
	expect(error.description).toContain(`"Max Rate-Limit Wait" (now ${BUDGET_SEC} s)`);
	// Piopiy accepted nothing, so after the first 429 the node starts at most one request a second,
	// and waits at least a backoff step: a handful of requests in 3 s, never a flood.
	expect(figures.requests).toBeGreaterThanOrEqual(2);
	expect(figures.requests).toBeLessThanOrEqual(BUDGET_SEC + 2);
	expect(figures.requestSpanMs).toBeLessThanOrEqual(BUDGET_SEC * 1000 + 1000);
	expect(figures.nodeMs).toBeLessThanOrEqual((BUDGET_SEC + TIMEOUT_SEC) * 1000);
	expect(stack.piopiy.placedCalls()).toEqual([]);
});

it('three leads, Continue: every item ends with the wait-budget error, requests bounded', async () => {
	const started = Date.now();
	const run = await stack.execute(IDS.campaign);
	const figures = { ...measure(run), executeMs: Date.now() - started };
	log(`[e2e:rate-limit] three leads, 429 Retry-After: 0 forever, budget ${BUDGET_SEC} s: ${JSON.stringify(figures)}`);

	expect(run.result.status).toBe('success');
	const items = run.result.data.resultData.runData.Piopiy[0].data!.main![0]!;
	expect(items).toHaveLength(3);
	for (const item of items) {
		expect(item.json.message).toBe('refused');
		expect(String(item.json.error)).toMatch(GAVE_UP);
	}
	expect(figures.requests).toBeLessThanOrEqual(3 * (BUDGET_SEC + 2));
	expect(figures.nodeMs).toBeLessThanOrEqual((BUDGET_SEC + TIMEOUT_SEC) * 1000);
	expect(stack.piopiy.placedCalls()).toEqual([]);
});
