import { ScriptedCaller } from '../support/caller';
import { CALL_ID } from '../support/fixtures';
import { askWorkflow, firstOutput, startFromWebhook, untilStatus } from './support/executions';
import { queueModeEnv, startRedis, type RunningRedis } from './support/redis';
import type { RunningN8n } from './support/runtime';
import { log, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';

/**
 * Asking and waiting in queue mode (issue 17): Redis, a main instance (webhooks, editor) and two
 * workers on one database. An execution starts on a worker, waits (stored in the database), Piopiy's
 * post reaches the main instance at the resume URL, and the execution goes on, on a worker. Prints
 * the figures: how many runs, on which workers, and how long from the post to the finished run.
 */

const typePrefix = TYPE_PREFIX.communityPackage;
const RUNS = 6;
const ASK = { id: 'E2eQueueAsk00001', path: 'queue-ask' };
let redis: RunningRedis;
let stack: Stack;
const workers = new Map<string, RunningN8n>();
const caller = new ScriptedCaller((question) => ({ call_id: question.callId, digits: '1' }), 1_000);

/** The workers that logged starting the execution, once per start (a resumed execution starts again). */
function startsOf(executionId: string): string[] {
	const starts: string[] = [];
	for (const [name, worker] of workers) {
		const count = worker.logs().split(`Worker started execution ${executionId} `).length - 1;
		for (let index = 0; index < count; index++) starts.push(name);
	}
	return starts;
}

beforeAll(async () => {
	redis = await startRedis();
	stack = await startStack({
		name: 'interactive-queue',
		install: 'communityPackage',
		wrongTokenCredential: false,
		workflows: [askWorkflow({ ...ASK, waitLimit: 5, typePrefix })],
		env: queueModeEnv(redis),
	});
	// The resume URL a worker puts in the question must be the main instance's, as in any queue-mode
	// deployment (WEBHOOK_URL is the same for every process).
	const main = stack.url.endsWith('/') ? stack.url : `${stack.url}/`;
	for (const name of ['worker-1', 'worker-2']) {
		workers.set(name, await stack.startWorker(name, { N8N_WEBHOOK_URL: main, WEBHOOK_URL: main }));
	}
	await stack.publish(ASK.id, `/webhook/${ASK.path}`);
}, 600_000);

afterAll(async () => {
	await caller.settled();
	await stack?.stop();
	await redis?.stop();
}, 120_000);

test(`queue mode, n8n ${N8N_VERSION}: waiting executions are resumed through the main instance and finish on the workers`, async () => {
	stack.piopiy.reset();
	stack.piopiy.behaviour = caller.behaviour;
	const started = Date.now();
	// Started one after the other (each start returns as soon as n8n queued it), so each ID is known.
	const ids: string[] = [];
	for (let run = 0; run < RUNS; run++) ids.push(await startFromWebhook(stack, ASK.id, ASK.path, { call_id: CALL_ID }));
	const stored = await Promise.all(ids.map((id) => untilStatus(stack, id, 'success', 120_000)));
	const finishedAt = Date.now();

	for (const execution of stored) {
		expect(firstOutput(execution, 'Ask')).toMatchObject({ answered: true, digits: '1', call_id: CALL_ID });
		expect(firstOutput(execution, 'After the answer')).toMatchObject({ digits: '1' });
	}
	// Asked once per run, answered once per run, and every answer reached the main instance.
	expect(stack.piopiy.requests).toHaveLength(RUNS);
	expect(caller.posts.map((post) => post.status)).toEqual(Array(RUNS).fill(200));
	for (const post of caller.posts) expect(post.url.startsWith(stack.url.replace(/\/$/, ''))).toBe(true);

	// Each execution started twice on the workers: its first part, and its resumed part.
	const starts = ids.map(startsOf);
	for (const list of starts) expect(list).toHaveLength(2);
	const used = new Set(starts.flat());
	expect(used.size).toBeGreaterThanOrEqual(1);
	const seconds = (finishedAt - started) / 1000;
	const line = {
		scenario: `(q) queue mode, n8n ${N8N_VERSION}: main + 2 workers, ${RUNS} Ask and Wait runs at once, the caller answers after 1 s`,
		runs: RUNS,
		wall: `${seconds.toFixed(1)} s`,
		'resumed on': `${starts.map((list) => list.join('→')).join(', ')}`,
		'resumed by another worker': starts.filter(([first, second]) => first !== second).length,
	};
	log(`[e2e:interactive-queue] ${JSON.stringify(line)}`);
}, 300_000);
