import { setTimeout as delay } from 'node:timers/promises';

import { runPiopiyNode } from '../support/engine';
import { aiCallParameters } from '../support/fixtures';
import { PiopiyTestServer, type RecordedRequest } from '../support/piopiyServer';

/**
 * A stopped execution places no more calls, ends its waits, and says which leads were not reached.
 * n8n's Stop (the editor's button, a cancelled or timed-out execution) cancels the engine's run and
 * aborts the node's requests, but the node's own code runs on unless it listens to n8n's cancel
 * signal. Before the node did, a wait for a 429 went on after the Stop, and every lead not reached
 * came out "may have been placed" (n8n's helper refused to send it, as if the connection dropped).
 */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const leads = (count: number) => Array.from({ length: count }, (_, index) => ({ phone: `+91 98765 4321${index}` }));

/** Resolves when the stand-in has received `count` requests. */
async function received(count: number): Promise<void> {
	while (server.requests.length < count) await delay(5);
}

/** The requests that arrive from now on for `ms`, to see whether the node sends anything after a Stop. */
async function requestsWithin(ms: number): Promise<RecordedRequest[]> {
	const before = server.requests.length;
	await delay(ms);
	return server.requests.slice(before);
}

test('a campaign stopped while its second call is in flight: no later lead is called', async () => {
	// Each call takes 300 ms to answer, one at a time: six leads would take 1.8 s.
	server.behaviour = (request, self) => ({ ...self.standardReply(request), delayMs: 300 });
	const { error } = await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { concurrency: 1 } }),
		items: leads(6),
		credentials: server.credentials(),
		stopWhen: received(2),
	});
	// n8n-core waits for the node's end, and aborts the request in flight: the node ends as a stopped
	// run whose record says which lead may have been called, and that the rest were not.
	expect(error?.message).toBe('Stopped at item 1: 1 call placed, 1 with unknown outcome, 0 refused, 4 not sent (of 6 items)');
	expect(error?.description).toMatch(
		/^Item 1 failed: The execution was stopped before Piopiy answered \(n8n ended the request when the execution was stopped \(ERR_CANCELED\)\. The call may have been placed\./,
	);
	// Nothing is started after the Stop.
	const after = await requestsWithin(2000);
	expect(after).toEqual([]);
	expect(server.requests.map((request) => (request.body as { to_number: string }).to_number)).toEqual([
		'919876543210',
		'919876543211',
	]);
});

test('under On Error: Continue, the leads after the Stop come out "notSent", not "may have been placed"', async () => {
	server.behaviour = (request, self) => ({ ...self.standardReply(request), delayMs: 300 });
	const { items } = await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { concurrency: 1 } }),
		items: leads(6),
		credentials: server.credentials(),
		onError: 'continueRegularOutput',
		stopWhen: received(2),
	});
	expect(await requestsWithin(1000)).toEqual([]);
	expect(server.requests).toHaveLength(2);
	// n8n aborts the call in flight: whether Piopiy placed it is unknown. The rest were never sent
	// (n8n's helper would refuse to send them, yet call that a dropped connection).
	expect(items.map((item) => item.json.message)).toEqual(['call_queued', 'unknownOutcome', 'notSent', 'notSent', 'notSent', 'notSent']);
	expect(items[2].json.error).toBe(
		"Not sent: the execution was stopped. The execution was stopped before this item's turn, so nothing was sent for it. It is safe to run this item again.",
	);
});

test('a call waiting out a 429 when the execution is stopped: the wait ends at once and it is not sent again', async () => {
	server.behaviour = () => ({ status: 429, body: { success: false, error: 'Too many requests' }, headers: { 'Retry-After': '30' } });
	let stoppedAt = 0;
	const { error } = await runPiopiyNode({
		parameters: aiCallParameters({ requestOptions: { maxRateLimitWaitSec: 60 } }),
		credentials: server.credentials(),
		// Stopped once the 429 has had time to reach the node (it is then waiting out Retry-After); a
		// Stop while the request is still in flight is another case ("may have been placed").
		stopWhen: received(1)
			.then(() => delay(300))
			.then(() => (stoppedAt = performance.now())),
	});
	// n8n-core waits for the node to end: it ends when stopped, not 30 s later.
	expect(performance.now() - stoppedAt).toBeLessThan(1000);
	expect(error?.message).toBe('Not sent again: the execution was stopped after 1 attempt');
	expect(error?.description).toBe('No attempt was accepted, so nothing was placed and it is safe to run this item again.');
	expect(server.requests).toHaveLength(1);
});

test('with several lanes, Stop ends every lane: only the calls already in flight are answered', async () => {
	server.behaviour = (request, self) => ({ ...self.standardReply(request), delayMs: 200 });
	await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}', requestOptions: { concurrency: 3 } }),
		items: Array.from({ length: 30 }, (_, index) => ({ phone: `+91 98765 4${String(index).padStart(4, '0')}` })),
		credentials: server.credentials(),
		stopWhen: received(3),
	});
	expect(await requestsWithin(1500)).toEqual([]);
	expect(server.requests).toHaveLength(3);
});
