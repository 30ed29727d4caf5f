import type { IDataObject } from 'n8n-workflow';

import { runPiopiyNode } from '../support/engine';
import { echoNumber, rateLimit, serverError, withLatency } from '../support/faults';
import { aiCallParameters, everythingSeen } from '../support/fixtures';
import { PiopiyTestServer, type Behaviour, type RecordedRequest } from '../support/piopiyServer';

/**
 * "On Error → Stop Workflow" on a campaign: when an item fails, the node starts nothing new, lets the
 * requests in flight finish, and fails with the record of every item. Every figure in the record is
 * checked against what the Piopiy test server received and answered.
 */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const COUNT = 300;
const indexOf = (request: RecordedRequest) => Number((request.body as { to_number: string }).to_number.slice(3));
const leads = (count: number): IDataObject[] =>
	Array.from({ length: count }, (_, index) => ({ phone: `+91 9${String(index).padStart(9, '0')}` }));

/** Answers like Piopiy (with latency, so several items are in flight) and notes each call_id it gave. */
function recordingCallIds(callIds: Map<number, string>, fault: (index: number) => Behaviour | undefined): Behaviour {
	return withLatency(15, async (request, testServer) => {
		const special = fault(indexOf(request));
		if (special) return await special(request, testServer);
		const reply = (await echoNumber(request, testServer))!;
		if ('body' in reply && reply.status === 200) callIds.set(indexOf(request), (reply.body as { call_id: string }).call_id);
		return reply;
	});
}

async function campaign(requestOptions: IDataObject, onError?: 'continueRegularOutput' | 'continueErrorOutput') {
	return await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions }),
		items: leads(COUNT),
		credentials: server.credentials(),
		onError,
	});
}

/** `"0-2, 5"` → [0, 1, 2, 5] */
function expand(ranges: unknown): number[] {
	if (ranges === '') return [];
	return String(ranges)
		.split(', ')
		.flatMap((part) => {
			const [start, end = start] = part.split('-').map(Number);
			return Array.from({ length: end - start + 1 }, (_, offset) => start + offset);
		});
}

const all = Array.from({ length: COUNT }, (_, index) => index);
const sorted = (values: Iterable<number>) => [...values].sort((a, b) => a - b);

test('a 5xx at item 150: the calls placed before and in flight are in the record with their call_ids, the rest were not sent', async () => {
	const callIds = new Map<number, string>();
	server.behaviour = recordingCallIds(callIds, (index) => (index === 150 ? serverError(500) : undefined));

	const { items, error } = await campaign({ concurrency: 5 });

	expect(items).toEqual([]);
	const requested = sorted(new Set(server.requests.map(indexOf)));
	expect(server.requests).toHaveLength(requested.length); // nobody called twice
	const placed = sorted(callIds.keys());
	const notSent = all.filter((index) => !requested.includes(index));
	// Item 150 stopped the run: everything before it went out, at most 4 more were already in flight.
	expect(placed.slice(0, 150)).toEqual(all.slice(0, 150));
	expect(placed.length).toBeGreaterThan(150);
	expect(placed.length).toBeLessThanOrEqual(154);
	expect(notSent.length).toBe(COUNT - 1 - placed.length);

	expect(error?.message).toBe(
		`Stopped at item 150: ${placed.length} calls placed, 1 with unknown outcome, 0 refused, ${notSent.length} not sent (of 300 items)`,
	);
	const record = error?.context?.record as IDataObject;
	expect(record.failedItem).toBe(150);
	expect(expand(record.placed)).toEqual(placed);
	expect(record.ids).toEqual(placed.map((index) => callIds.get(index)));
	expect(record.unknownOutcome).toBe('150');
	expect(record.refused).toBe('');
	expect(expand(record.notSent)).toEqual(notSent);
	expect(error?.description).toContain('Item 150 failed: Piopiy answered with a server error (HTTP 500)');
	expect(error?.description).toContain(`Placed (${placed.length}): items 0-149, 151-${placed[placed.length - 1]}.`);
	expect(error?.description).toContain('Unknown outcome (1): item 150. These calls may have been placed');
	expect(error?.description).toContain(`Not sent (${notSent.length}): items ${notSent[0]}-299. Safe to run.`);
	expect(everythingSeen(error, items)).not.toContain(server.token);
});

test('the 429 wait budget runs out midway: the refused item and the ones after it are safe to send again, the placed ones are listed', async () => {
	const callIds = new Map<number, string>();
	const limit = rateLimit(20, { retryAfter: true });
	const answering = recordingCallIds(callIds, () => undefined);
	server.behaviour = async (request, testServer) => (await limit(request, testServer)) ?? (await answering(request, testServer));

	// Retry-After is at least 1 s, so a 0.5 s budget gives up at an item's first 429.
	const { error } = await campaign({ concurrency: 5, maxRateLimitWaitSec: 0.5 });

	const statusesByIndex = new Map<number, number[]>();
	for (const request of server.requests) {
		statusesByIndex.set(indexOf(request), [...(statusesByIndex.get(indexOf(request)) ?? []), request.status]);
	}
	const placed = sorted(callIds.keys());
	const refused = sorted([...statusesByIndex].filter(([, statuses]) => statuses.every((status) => status === 429)).map(([index]) => index));
	const notSent = all.filter((index) => !statusesByIndex.has(index));
	expect(refused.length).toBeGreaterThanOrEqual(1);
	expect(placed.length).toBeGreaterThanOrEqual(20);
	expect(placed.length + refused.length + notSent.length).toBe(COUNT);
	expect(notSent.length).toBeGreaterThan(0);

	const record = error?.context?.record as IDataObject;
	expect(record.failedItem).toBe(refused[0]);
	expect(expand(record.placed)).toEqual(placed);
	expect(record.ids).toEqual(placed.map((index) => callIds.get(index)));
	expect(expand(record.refused)).toEqual(refused);
	expect(record.unknownOutcome).toBe('');
	expect(expand(record.notSent)).toEqual(notSent);
	expect(error?.message).toBe(
		`Stopped at item ${refused[0]}: ${placed.length} calls placed, 0 with unknown outcome, ${refused.length} refused, ${notSent.length} not sent (of 300 items)`,
	);
	expect(error?.description).toContain('is rate limiting requests (HTTP 429) and the node gave up');
	expect(error?.description).toContain('Refused (');
	expect(everythingSeen(error)).not.toContain(server.token);
});

test('bad input at item 0: nothing is sent, and the error is that item\'s own', async () => {
	const items = leads(COUNT);
	items[0] = { phone: 'call me maybe' };
	const { error } = await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
		items,
		credentials: server.credentials(),
	});
	expect(server.requests).toHaveLength(0);
	expect(error?.message).toBe('To Number in item 0 is not valid: received "call me maybe"');
	expect(error?.context?.record).toBeUndefined();
});

test('Continue (using error output): each failed item says in `message` whether it is safe to send again', async () => {
	const items = leads(6);
	items[4] = { phone: 'not a phone' };
	const limit = rateLimit(1, { retryAfter: true });
	server.behaviour = async (request, testServer) => {
		const index = indexOf(request);
		if (index === 1) return await serverError(503)(request, testServer);
		if (index === 2 || index === 3) return await limit(request, testServer);
		return await echoNumber(request, testServer);
	};
	const { run } = await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { concurrency: 1, maxRateLimitWaitSec: 0.5 } }),
		items,
		credentials: server.credentials(),
		onError: 'continueErrorOutput',
	});
	const [success, failure] = run.data.resultData.runData.Piopiy[0].data!.main;
	expect(success!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }, { item: 5 }]);
	expect(failure!.map((item) => [item.pairedItem, item.json.message])).toEqual([
		[{ item: 1 }, 'unknownOutcome'],
		[{ item: 3 }, 'refused'],
		[{ item: 4 }, 'notSent'],
	]);
	// The error branch keeps the lead's own fields, so a Filter on `message` can send the safe ones again.
	expect(failure![1].json.phone).toBe(leads(6)[3].phone);
});

describe('n8n\'s Retry On Fail and Retry of an execution', () => {
	const retry = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };
	const calls = () => aiCallParameters({ toNumber: '={{ $json.phone }}' });

	/** A run of 3 leads, one at a time: item 0 placed, item 1 a 503 (unknown outcome), item 2 not sent. */
	async function placedThenStopped() {
		server.behaviour = (request, testServer) =>
			indexOf(request) === 1 ? serverError(503)(request, testServer) : echoNumber(request, testServer);
		return await runPiopiyNode({
			parameters: { ...calls(), requestOptions: { concurrency: 1 } },
			items: leads(3),
			credentials: server.credentials(),
		});
	}

	test('Retry On Fail with Stop Workflow: refused for a call-placing operation before anything is sent', async () => {
		server.behaviour = serverError(500);
		const { error } = await runPiopiyNode({ parameters: calls(), items: leads(3), credentials: server.credentials(), retry });
		expect(server.requests).toHaveLength(0);
		expect(error?.message).toBe('"Retry On Fail" is on, and it would place calls twice: nothing was sent');
		expect(error?.description).toContain('Turn it off in the node\'s Settings');
	});

	// n8n passes a failed node's input items on unchanged when On Error continues; the node must not
	// fail then, or every lead would come out of the success output looking called.
	test.each([
		['continueRegularOutput', 0],
		['continueErrorOutput', 1],
	] as const)('Retry On Fail with %s: every lead comes out failed ("notSent") on output %i, nothing sent', async (onError, output) => {
		const { run } = await runPiopiyNode({
			parameters: calls(),
			items: leads(3),
			credentials: server.credentials(),
			retry,
			onError,
		});
		expect(server.requests).toHaveLength(0);
		const outputs = run.data.resultData.runData.Piopiy[0].data!.main;
		expect(outputs[output]!.map((item) => [item.pairedItem, item.json.message])).toEqual([
			[{ item: 0 }, 'notSent'],
			[{ item: 1 }, 'notSent'],
			[{ item: 2 }, 'notSent'],
		]);
		expect(String(outputs[output]![0].json.error)).toContain('"Retry On Fail" is on');
		if (output === 1) expect(outputs[0] ?? []).toHaveLength(0);
	});

	test('Retry On Fail is refused for Transfer (it changes a live call)', async () => {
		const { error } = await runPiopiyNode({
			parameters: {
				resource: 'call',
				operation: 'transfer',
				callId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
				pipeline: { actions: [{ type: 'hangup' }] },
			},
			credentials: server.credentials(),
			retry,
		});
		expect(server.requests).toHaveLength(0);
		expect(error?.message).toBe('"Retry On Fail" is on, and it would change live calls twice: nothing was sent');
	});

	test('Retry of an execution in which the node placed calls and then stopped: refused, nothing sent again', async () => {
		const failed = await placedThenStopped();
		expect(failed.error?.message).toBe('Stopped at item 1: 1 call placed, 1 with unknown outcome, 0 refused, 1 not sent (of 3 items)');
		expect(server.requests).toHaveLength(2);

		server.reset();
		const retried = await runPiopiyNode({ parameters: calls(), credentials: server.credentials(), retryOf: failed.run });
		expect(server.requests).toHaveLength(0);
		expect(retried.error?.message).toBe('This node may have placed calls in the execution being retried: nothing was sent');
		expect(retried.error?.description).toContain(
			'In that execution this node stopped after 1 call placed, 1 with unknown outcome, 0 refused, 1 not sent (of 3 items).',
		);
	});

	test('Retry of an execution whose run of the node ended without its memory (a crash n8n recorded): refused', async () => {
		const failed = await placedThenStopped();
		// What n8n keeps of a run its worker died in: the node's entry (recovered from n8n's event log as
		// crashed), but none of what the node held in memory.
		const contextData = failed.run.data.executionData!.contextData as Record<string, unknown>;
		expect(contextData['node:Piopiy']).toMatchObject({ piopiyRun: { runIndex: 0, acted: true } });
		delete contextData['node:Piopiy'];

		server.reset();
		const retried = await runPiopiyNode({ parameters: calls(), credentials: server.credentials(), retryOf: failed.run });
		expect(server.requests).toHaveLength(0);
		expect(retried.error?.message).toBe('This node may have placed calls in the execution being retried: nothing was sent');
		expect(retried.error?.description).toMatch(/^In that execution this node was sending its items when its run ended without its own record/);
	});

	test('Retry of an execution in which the node sent nothing that could act (a rejected token): goes ahead', async () => {
		const failed = await runPiopiyNode({
			parameters: calls(),
			items: leads(2),
			credentials: { ...server.credentials(), apiToken: 'not-the-token-of-this-account' },
		});
		expect(failed.error?.message).toContain('Stopped at item 0: 0 calls placed, 0 with unknown outcome');
		expect(server.requests.every((request) => request.status === 401)).toBe(true);

		server.reset();
		const retried = await runPiopiyNode({ parameters: calls(), credentials: server.credentials(), retryOf: failed.run });
		expect(retried.error).toBeUndefined();
		expect(retried.items.map((item) => item.json.message)).toEqual(['call_queued', 'call_queued']);
		expect(server.requests).toHaveLength(2);
	});

	test('Retry after bad input stopped the node before any request: goes ahead', async () => {
		const failed = await runPiopiyNode({
			parameters: calls(),
			items: [{ phone: '+91 98765 43210' }, { phone: 'call me maybe' }],
			credentials: server.credentials(),
		});
		expect(failed.error?.message).toContain('To Number in item 1 is not valid');
		expect(server.requests).toHaveLength(0);
		// The retry runs the same stored input; a fixed expression would be a new workflow version, so
		// here the retry is shown to go ahead (and stop again on the same bad item, still sending nothing).
		const retried = await runPiopiyNode({ parameters: calls(), credentials: server.credentials(), retryOf: failed.run });
		expect(retried.error?.message).toContain('To Number in item 1 is not valid');
		expect(server.requests).toHaveLength(0);
	});

	test('Retry of a call run started for the first time in the retry (the failure was upstream): goes ahead', async () => {
		const { items, error } = await runPiopiyNode({
			parameters: calls(),
			items: leads(2),
			credentials: server.credentials(),
			mode: 'retry',
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		expect(server.requests).toHaveLength(2);
	});

	test('is allowed for Hang Up, which is safe to repeat', async () => {
		const { items, error } = await runPiopiyNode({
			parameters: { resource: 'call', operation: 'hangup', callId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' },
			credentials: server.credentials(),
			retry,
			mode: 'retry',
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(server.requests).toHaveLength(1);
	});
});
