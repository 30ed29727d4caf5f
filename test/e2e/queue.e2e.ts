import { randomUUID } from 'node:crypto';
import fs from 'node:fs';

import { rateLimit } from '../support/faults';
import type { RecordedRequest } from '../support/piopiyServer';
import { fairShares, ratioToLimit } from '../support/sharedLimit';
import { queueModeEnv, startRedis, type RunningRedis } from './support/redis';
import type { RunningN8n } from './support/runtime';
import { GOOD_CREDENTIAL, log, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import type { Workflow } from './support/workflows';

/**
 * n8n in queue mode (2.41.1, and 1.123.81 with the setting the README asks of 1.x), as teams run
 * campaigns: one main instance (webhooks, editor), Redis, and two workers (`n8n worker`) on one
 * database, each with the package installed as a community package. The Piopiy stand-in allows 20
 * requests/s in all, shared by every worker.
 *
 * 1. Four campaigns of 250 leads start at once through production webhooks: every lead is called
 *    exactly once, every execution succeeds, both workers work, and the aggregate rate is printed.
 * 2. A worker is killed (SIGKILL) in the middle of a campaign and a new one started: n8n 2.41.1 never
 *    runs a stalled job again (Bull's maxStalledCount is fixed at 0), so with n8n's default settings
 *    nobody is called twice, and the killed execution ends as failed once its lock expires. n8n 1.x
 *    reads maxStalledCount from QUEUE_WORKER_MAX_STALLED_COUNT, default 1 (run a stalled job once
 *    more, so everyone called before the kill would be called again): the README tells 1.x users to
 *    set it to 0, and so does this test.
 */

const LIMIT_PER_SECOND = 20;
const CAMPAIGNS = 4;
const LEADS = 250;
let redis: RunningRedis;
let stack: Stack;
const workers = new Map<string, RunningN8n>();

const typePrefix = TYPE_PREFIX.communityPackage;
const campaignPath = (campaign: number) => `queue-campaign-${campaign}`;
/** Campaign c, lead i calls +91 8c iiiiiiii: every lead of every campaign has its own number. */
const leadNumber = (campaign: number, lead: number) => `918${campaign}${String(lead).padStart(8, '0')}`;
const leadsOf = (campaign: number, count: number) =>
	Array.from({ length: count }, (_, lead) => ({ name: `Lead ${campaign}-${lead}`, phone: `+${leadNumber(campaign, lead)}` }));

/** Webhook (the leads in its body) → Split Out → Piopiy AI Agent → Call with the default options. */
function campaignWorkflow(campaign: number): Workflow {
	return {
		id: `QueueCampaign00${campaign}`.padEnd(16, '0').slice(0, 16),
		name: `Queue campaign ${campaign}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: randomUUID(),
				name: 'Leads arrive',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: campaignPath(campaign), responseMode: 'onReceived', options: {} },
			},
			{
				id: randomUUID(),
				name: 'One item per lead',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.leads', options: {} },
			},
			{
				id: randomUUID(),
				name: 'AI call each lead',
				type: `${typePrefix}piopiy`,
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					resource: 'aiAgent',
					operation: 'call',
					callerId: '+91 80 4567 8900',
					toNumber: '={{ $json.phone }}',
					agentId: '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c',
				},
				credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
			},
		],
		connections: {
			'Leads arrive': { main: [[{ node: 'One item per lead', type: 'main', index: 0 }]] },
			'One item per lead': { main: [[{ node: 'AI call each lead', type: 'main', index: 0 }]] },
		},
	};
}

async function startCampaign(campaign: number, count: number): Promise<void> {
	const response = await fetch(new URL(`/webhook/${campaignPath(campaign)}`, stack.url), {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ leads: leadsOf(campaign, count) }),
	});
	expect(response.status).toBe(200);
}

const toNumber = (request: RecordedRequest) => (request.body as { to_number?: string } | undefined)?.to_number ?? '';
/** Calls Piopiy accepted (the stand-in answered 200), per number. */
function acceptedPerNumber(prefix: string): Map<string, number> {
	const counts = new Map<string, number>();
	for (const request of stack.piopiy.requests) {
		if (request.status !== 200 || !toNumber(request).startsWith(prefix)) continue;
		counts.set(toNumber(request), (counts.get(toNumber(request)) ?? 0) + 1);
	}
	return counts;
}

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** Which worker logged that it started the execution. */
function workerOf(executionId: string): string | undefined {
	for (const [name, worker] of workers) {
		if (worker.logs().includes(`Worker started execution ${executionId} `)) return name;
	}
	return undefined;
}

beforeAll(async () => {
	redis = await startRedis();
	stack = await startStack({
		name: 'queue',
		install: 'communityPackage',
		wrongTokenCredential: false,
		workflows: Array.from({ length: CAMPAIGNS + 1 }, (_, campaign) => campaignWorkflow(campaign + 1)),
		// Bull's lock and stalled-job settings are n8n's defaults (the test measures what they do).
		env: queueModeEnv(redis),
	});
	workers.set('worker-1', await stack.startWorker('worker-1'));
	workers.set('worker-2', await stack.startWorker('worker-2'));
	for (let campaign = 1; campaign <= CAMPAIGNS + 1; campaign++) {
		await stack.publish(campaignWorkflow(campaign).id, `/webhook/${campaignPath(campaign)}`);
	}
}, 600_000);

afterAll(async () => {
	await stack?.stop();
	await redis?.stop();
}, 120_000);

test('four campaigns of 250 leads on two workers under one 20/s limit: every lead called exactly once', async () => {
	stack.piopiy.reset();
	stack.piopiy.behaviour = rateLimit(LIMIT_PER_SECOND, { retryAfter: true });

	await Promise.all(Array.from({ length: CAMPAIGNS }, (_, index) => startCampaign(index + 1, LEADS)));
	const finished = await waitFor('the four campaigns to finish', 300_000, async () => {
		const all = await Promise.all(Array.from({ length: CAMPAIGNS }, (_, index) => stack.executions(campaignWorkflow(index + 1).id)));
		const done = all.flat().filter((execution) => !['new', 'running', 'waiting'].includes(execution.status));
		return done.length === CAMPAIGNS ? all.flat() : undefined;
	});

	for (const execution of finished.filter((each) => each.status !== 'success')) {
		const error = (await stack.storedExecution(execution.id)).data.resultData.error;
		log(`[e2e:queue] execution ${execution.id} ended "${execution.status}": ${error?.message ?? '(no error)'} ${error?.description ?? ''}`);
	}
	expect(finished.map((execution) => execution.status)).toEqual(['success', 'success', 'success', 'success']);
	const counts = acceptedPerNumber('918');
	for (let campaign = 1; campaign <= CAMPAIGNS; campaign++) {
		for (let lead = 0; lead < LEADS; lead++) expect([leadNumber(campaign, lead), counts.get(leadNumber(campaign, lead))]).toEqual([leadNumber(campaign, lead), 1]);
	}
	expect(counts.size).toBe(CAMPAIGNS * LEADS);
	for (const request of stack.piopiy.requests) expect(request.violations).toEqual([]);

	const ranBy = finished.map((execution) => workerOf(execution.id));
	expect(new Set(ranBy)).toEqual(new Set(['worker-1', 'worker-2']));

	const accepted = stack.piopiy.requests
		.filter((request) => request.status === 200)
		.map((request) => ({ at: request.receivedAt, campaign: Number(toNumber(request).charAt(3)) }));
	const times = accepted.map((request) => request.at);
	const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
	const ratio = ratioToLimit(accepted, LIMIT_PER_SECOND);
	const shares = fairShares(accepted, Array.from({ length: CAMPAIGNS }, (_, index) => index + 1));
	const refused = stack.piopiy.requests.filter((request) => request.status === 429).length;
	const duplicates = [...counts.values()].filter((count) => count > 1).length;
	// The same columns as `npm run bench`, which prints this line with `-- --queue`.
	const line = {
		scenario: `(q) queue mode, n8n ${N8N_VERSION}: main + 2 workers, ${CAMPAIGNS} campaigns x ${LEADS} leads at once, server limit ${LIMIT_PER_SECOND}/s, default options`,
		items: CAMPAIGNS * LEADS,
		wall: `${seconds.toFixed(2)} s`,
		'items/s': (ratio * LIMIT_PER_SECOND).toFixed(1),
		ratio: ratio.toFixed(3),
		duplicates,
		lost: CAMPAIGNS * LEADS - counts.size,
		'429s': refused,
		'429 share': `${((refused / stack.piopiy.requests.length) * 100).toFixed(1)} %`,
		// Each campaign's calls while all four ran, against an even split (1 = fair; the goal ±15%).
		'fair shares': shares.map((share) => share.toFixed(2)).join(', '),
		workers: ranBy.join(', '),
	};
	log(`[e2e:queue] ${JSON.stringify(line)}`);
	if (process.env.PIOPIY_BENCH_QUEUE_OUT) fs.writeFileSync(process.env.PIOPIY_BENCH_QUEUE_OUT, JSON.stringify(line));
}, 400_000);

test('a worker killed mid-campaign: nobody is called twice, and the killed execution ends as failed', async () => {
	stack.piopiy.reset();
	stack.piopiy.behaviour = rateLimit(LIMIT_PER_SECOND, { retryAfter: true });
	const campaign = CAMPAIGNS + 1;
	const workflowId = campaignWorkflow(campaign).id;

	await startCampaign(campaign, 400);
	const [execution] = await waitFor('the campaign to start on a worker', 60_000, async () => {
		const list = await stack.executions(workflowId);
		return list.length === 1 && workerOf(list[0].id) ? list : undefined;
	});
	const victimName = workerOf(execution.id)!;
	await waitFor('100 calls placed', 60_000, () => (acceptedPerNumber(`918${campaign}`).size >= 100 ? true : undefined));
	const victim = workers.get(victimName)!;
	process.kill(-victim.pid, 'SIGKILL');
	const killedAt = Date.now();
	await victim.exited;
	const placedByKilled = acceptedPerNumber(`918${campaign}`).size;
	log(`[e2e:queue] killed ${victimName} (pid ${victim.pid}) after ${placedByKilled} of 400 calls of execution ${execution.id}`);
	workers.delete(victimName);
	workers.set('worker-3', await stack.startWorker('worker-3'));

	// With n8n's defaults the dead worker's lock expires after 60 s and the stalled check runs every 30 s.
	const ended = await waitFor('the killed execution to end', 180_000, async () => {
		const [current] = await stack.executions(workflowId);
		return ['new', 'running', 'waiting'].includes(current.status) ? undefined : current;
	});
	// n8n marks the execution crashed before Bull looks at the job: Bull finds it stalled only once the
	// dead worker's lock has expired (60 s by default) at a stalled check (every 30 s), and then, if
	// maxStalledCount allows, queues it again. So wait out a whole lock and two checks after the kill
	// before counting: a re-run would have started by then.
	const BULL_STALLED_WINDOW_MS = 60_000 + 2 * 30_000 + 5_000;
	await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + BULL_STALLED_WINDOW_MS - Date.now())));

	const counts = acceptedPerNumber(`918${campaign}`);
	const calledTwice = [...counts.values()].filter((count) => count > 1).length;
	log(
		`[e2e:queue] after the kill: execution ${ended.id} ended "${ended.status}", ${counts.size} leads called (${placedByKilled} before the kill), ${calledTwice} called twice, ` +
			`${(await stack.executions(workflowId)).length} execution(s), run again by: ${[...workers.keys()].filter((name) => workers.get(name)!.logs().includes(`Worker started execution ${ended.id} `)).join(', ') || 'nobody'}`,
	);
	const stored = await stack.storedExecution(ended.id);
	log(`[e2e:queue] the killed execution's error: ${stored.data.resultData.error?.message ?? '(none)'}`);
	expect(calledTwice).toBe(0);
	expect(counts.size).toBeLessThan(400);
	expect(['crashed', 'error']).toContain(ended.status);
	expect(await stack.executions(workflowId)).toHaveLength(1);
	for (const name of workers.keys()) expect(workers.get(name)!.logs()).not.toContain(`Worker started execution ${ended.id} `);

	// The editor's Retry on the crashed execution: n8n may refuse it, or run it again; either way the
	// Piopiy node must not call anybody again (it cannot know which leads the dead worker rang).
	const retry = await fetch(new URL(`/rest/executions/${ended.id}/retry`, stack.url), {
		method: 'POST',
		headers: { cookie: stack.cookie, 'Content-Type': 'application/json' },
		body: JSON.stringify({ loadWorkflow: false }),
	});
	const retryAnswer = (await retry.text()).slice(0, 300);
	const retried = await waitFor('the retry to end', 120_000, async () => {
		const list = await stack.executions(workflowId);
		const unfinished = list.some((execution) => ['new', 'running', 'waiting'].includes(execution.status));
		return unfinished ? undefined : list;
	});
	const afterRetry = acceptedPerNumber(`918${campaign}`);
	const retryRun = retried.find((execution) => execution.id !== ended.id);
	const retryError = retryRun ? (await stack.storedExecution(retryRun.id)).data.resultData.runData : undefined;
	log(
		`[e2e:queue] Retry of the crashed execution: HTTP ${retry.status} ${retryAnswer}; ${retried.length - 1} new execution(s)` +
			`${retryRun ? ` (${retryRun.status}: ${JSON.stringify(Object.values(retryError ?? {}).flat().map((run) => (run as { error?: { message?: string } }).error?.message).filter(Boolean))})` : ''}; ` +
			`${afterRetry.size} leads called in all, ${[...afterRetry.values()].filter((count) => count > 1).length} called twice`,
	);
	expect([...afterRetry.values()].filter((count) => count > 1)).toHaveLength(0);
	expect(afterRetry.size).toBe(counts.size);
}, 600_000);
