import { earlierCallRefusal, whenSent } from '../../nodes/Piopiy/helpers/repeatGuard';
import { AccountRegistry } from '../../nodes/Piopiy/transport/accounts';
import { CallMemory, type CallClaim } from '../../nodes/Piopiy/transport/callMemory';

/** The process's memory of the calls an account placed, on a clock the test moves. */
const MINUTE = 60_000;
const WINDOW = 10 * MINUTE;
const START_EPOCH = Date.UTC(2026, 11, 8, 1, 40, 12);

function memoryOnClock(maxEntries?: number) {
	let now = 1_000;
	const memory = new CallMemory({ now: () => now, epochNow: () => START_EPOCH + now - 1_000, maxEntries });
	return { memory, advance: (ms: number) => (now += ms) };
}

const ASHA = { identity: JSON.stringify(['/voice/ai/call', '919876543210', 'agent-a']) };
const RAVI = { identity: JSON.stringify(['/voice/ai/call', '919876543211', 'agent-a']) };

function claimed(result: ReturnType<CallMemory['claim']>): CallClaim {
	if (!('claim' in result)) throw new Error(`expected a claim, got an earlier call: ${JSON.stringify(result.earlier)}`);
	return result.claim;
}

describe('CallMemory: a call placed is not placed again within the window by another execution', () => {
	test('placed: the same call from another execution finds it, with when and the call_id', () => {
		const { memory, advance } = memoryOnClock();
		claimed(memory.claim(ASHA, WINDOW, 'exec-1')).placed('call-1');
		advance(2 * MINUTE);
		expect(memory.claim(ASHA, WINDOW, 'exec-2')).toEqual({
			earlier: { state: 'placed', matchedBy: 'call', sentAtEpochMs: START_EPOCH, callId: 'call-1' },
		});
	});

	test('another number is another call', () => {
		const { memory } = memoryOnClock();
		claimed(memory.claim(ASHA, WINDOW, 'exec-1')).placed('call-1');
		expect('claim' in memory.claim(RAVI, WINDOW, 'exec-2')).toBe(true);
	});

	test('still being sent: a second execution at the same moment is refused, not sent beside it', () => {
		const { memory } = memoryOnClock();
		claimed(memory.claim(ASHA, WINDOW, 'exec-1'));
		expect(memory.claim(ASHA, WINDOW, 'exec-2')).toMatchObject({ earlier: { state: 'sending' } });
	});

	test('an unknown outcome (timeout, 5xx) counts as placed', () => {
		const { memory, advance } = memoryOnClock();
		claimed(memory.claim(ASHA, WINDOW, 'exec-1')).unknownOutcome();
		advance(MINUTE);
		expect(memory.claim(ASHA, WINDOW, 'exec-2')).toMatchObject({ earlier: { state: 'unknownOutcome', callId: undefined } });
	});

	test('a call that certainly placed nothing (refused, never sent) is forgotten: it may go again', () => {
		const { memory } = memoryOnClock();
		claimed(memory.claim(ASHA, WINDOW, 'exec-1')).notPlaced();
		expect(memory.size).toBe(0);
		expect('claim' in memory.claim(ASHA, WINDOW, 'exec-2')).toBe(true);
	});

	test('a claim settles once: a late second word changes nothing', () => {
		const { memory } = memoryOnClock();
		const claim = claimed(memory.claim(ASHA, WINDOW, 'exec-1'));
		claim.placed('call-1');
		claim.notPlaced();
		expect(memory.claim(ASHA, WINDOW, 'exec-2')).toMatchObject({ earlier: { state: 'placed', callId: 'call-1' } });
	});

	test('expiry: past the window the call may go again; the entry is dropped once the longest keep is over', () => {
		const { memory, advance } = memoryOnClock();
		claimed(memory.claim(ASHA, WINDOW, 'exec-1')).placed('call-1');
		advance(WINDOW - 1);
		expect('earlier' in memory.claim(ASHA, WINDOW, 'exec-2')).toBe(true);
		advance(1);
		claimed(memory.claim(ASHA, WINDOW, 'exec-3')).placed('call-3');
		// The new claim replaced the old entry; the old one's time is gone with it.
		expect(memory.size).toBe(1);
		advance(WINDOW);
		claimed(memory.claim(RAVI, WINDOW, 'exec-4')).notPlaced();
		expect(memory.size).toBe(0);
	});

	test("each run's own window decides: a shorter window lets an older call go again, a longer one still finds it", () => {
		const { memory, advance } = memoryOnClock();
		claimed(memory.claim(ASHA, 30 * MINUTE, 'exec-1')).placed('call-1');
		advance(20 * MINUTE);
		expect('earlier' in memory.claim(ASHA, 30 * MINUTE, 'exec-2')).toBe(true);
		expect('claim' in memory.claim(ASHA, WINDOW, 'exec-3')).toBe(true);
	});

	test('window 0 checks nothing, but what it places is remembered for runs that check', () => {
		const { memory, advance } = memoryOnClock();
		claimed(memory.claim(ASHA, 0, 'exec-1')).placed('call-1');
		claimed(memory.claim(ASHA, 0, 'exec-2')).placed('call-2');
		advance(MINUTE);
		expect(memory.claim(ASHA, WINDOW, 'exec-3')).toMatchObject({ earlier: { state: 'placed', callId: 'call-2' } });
	});

	test('the same execution never matches itself (a campaign\'s duplicate numbers, a loop), and keeps the earlier call remembered', () => {
		const { memory } = memoryOnClock();
		claimed(memory.claim(ASHA, WINDOW, 'exec-1')).placed('call-1');
		// The duplicate is refused by Piopiy: the first call must stay remembered.
		claimed(memory.claim(ASHA, WINDOW, 'exec-1')).notPlaced();
		expect(memory.claim(ASHA, WINDOW, 'exec-2')).toMatchObject({ earlier: { state: 'placed', callId: 'call-1' } });
		claimed(memory.claim(ASHA, WINDOW, 'exec-1')).placed('call-1b');
		expect(memory.claim(ASHA, WINDOW, 'exec-2')).toMatchObject({ earlier: { callId: 'call-1b' } });
	});

	test('cap: past maxEntries the oldest calls are forgotten first', () => {
		const { memory } = memoryOnClock(3);
		const lead = (index: number) => ({ identity: `lead-${index}` });
		for (let index = 0; index < 5; index++) claimed(memory.claim(lead(index), WINDOW, 'exec-1')).placed(`call-${index}`);
		expect(memory.size).toBe(3);
		expect('claim' in memory.claim(lead(0), WINDOW, 'exec-2')).toBe(true);
		expect('claim' in memory.claim(lead(1), WINDOW, 'exec-2')).toBe(true);
		expect(memory.claim(lead(4), WINDOW, 'exec-2')).toMatchObject({ earlier: { callId: 'call-4' } });
	});

	describe('Idempotency Key', () => {
		test('the same key is never sent twice within the window, whatever else changed', () => {
			const { memory } = memoryOnClock();
			claimed(memory.claim({ ...ASHA, idempotencyKey: 'submission-7' }, WINDOW, 'exec-1')).placed('call-1');
			expect(memory.claim({ ...RAVI, idempotencyKey: 'submission-7' }, WINDOW, 'exec-2')).toEqual({
				earlier: { state: 'placed', matchedBy: 'idempotencyKey', sentAtEpochMs: START_EPOCH, callId: 'call-1' },
			});
		});

		test('another key does not make the same call to the same person a new one', () => {
			const { memory } = memoryOnClock();
			claimed(memory.claim({ ...ASHA, idempotencyKey: 'submission-7' }, WINDOW, 'exec-1')).placed('call-1');
			expect(memory.claim({ ...ASHA, idempotencyKey: 'submission-8' }, WINDOW, 'exec-2')).toMatchObject({ earlier: { matchedBy: 'call' } });
		});

		test('an empty key is no key; a key refused by Piopiy is forgotten with its call', () => {
			const { memory } = memoryOnClock();
			claimed(memory.claim({ ...ASHA, idempotencyKey: '' }, WINDOW, 'exec-1')).placed('call-1');
			expect(memory.size).toBe(1);
			claimed(memory.claim({ ...RAVI, idempotencyKey: 'k' }, WINDOW, 'exec-1')).notPlaced();
			expect('claim' in memory.claim({ identity: 'other', idempotencyKey: 'k' }, WINDOW, 'exec-2')).toBe(true);
		});
	});

	test('no phone number or key is kept in clear', () => {
		const { memory } = memoryOnClock();
		claimed(memory.claim({ ...ASHA, idempotencyKey: 'submission-7' }, WINDOW, 'exec-1')).placed('call-1');
		const kept = JSON.stringify([...(memory as unknown as { entries: Map<string, unknown> }).entries]);
		expect(kept).not.toContain('919876543210');
		expect(kept).not.toContain('submission-7');
		// Keyed with a secret of the memory's own: another memory hashes the same number differently.
		const other = memoryOnClock().memory;
		claimed(other.claim(ASHA, WINDOW, 'exec-1')).placed('call-1');
		const keys = (held: CallMemory) => [...(held as unknown as { entries: Map<string, unknown> }).entries.keys()];
		expect(keys(other)[0]).not.toBe(keys(memory)[0]);
	});
});

describe("the account registry (issue 27's): one memory per Piopiy account", () => {
	const clockAt = () => {
		const clock = { t: 1000, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
		return clock;
	};

	test('two accounts keep their calls apart; the same account in another run finds them', () => {
		const registry = new AccountRegistry({ clock: clockAt() });
		const a = registry.lease({ baseUrl: 'https://rest.piopiy.com/v3', apiToken: 'token-a' });
		const b = registry.lease({ baseUrl: 'https://rest.piopiy.com/v3', apiToken: 'token-b' });
		claimed(a.account.calls.claim(ASHA, WINDOW, 'exec-1')).placed('call-1');
		expect('claim' in b.account.calls.claim(ASHA, WINDOW, 'exec-2')).toBe(true);
		const aAgain = registry.lease({ baseUrl: 'https://rest.piopiy.com/v3/', apiToken: 'token-a' });
		expect('earlier' in aAgain.account.calls.claim(ASHA, WINDOW, 'exec-2')).toBe(true);
	});

	test('an idle account is kept while it remembers calls, and forgotten once they expire', () => {
		const clock = clockAt();
		const registry = new AccountRegistry({ clock, idleMs: MINUTE });
		const lease = registry.lease({ baseUrl: 'https://a/v3', apiToken: 'a' });
		claimed(lease.account.calls.claim(ASHA, 30 * MINUTE, 'exec-1')).placed('call-1');
		lease.release();
		clock.t += 20 * MINUTE;
		const later = registry.lease({ baseUrl: 'https://b/v3', apiToken: 'b' });
		later.release();
		expect(registry.lease({ baseUrl: 'https://a/v3', apiToken: 'a' }).account).toBe(lease.account);
		registry.lease({ baseUrl: 'https://a/v3', apiToken: 'a' }).release();
	});

	test('without calls remembered, an idle account goes as before', () => {
		const clock = clockAt();
		const registry = new AccountRegistry({ clock, idleMs: MINUTE });
		const lease = registry.lease({ baseUrl: 'https://a/v3', apiToken: 'a' });
		claimed(lease.account.calls.claim(ASHA, WINDOW, 'exec-1')).notPlaced();
		lease.release();
		clock.t += 2 * MINUTE;
		registry.lease({ baseUrl: 'https://b/v3', apiToken: 'b' });
		expect(registry.keys()).toHaveLength(1);
	});
});

describe('earlierCallRefusal: what the item and the model read', () => {
	const placed = { state: 'placed' as const, matchedBy: 'call' as const, sentAtEpochMs: START_EPOCH, callId: 'call-1' };
	const base = { path: '/voice/ai/call', windowMin: 10, asTool: false, nowEpochMs: START_EPOCH + 3 * MINUTE };

	test('when, the call_id and how to allow it', () => {
		expect(earlierCallRefusal(placed, base)).toEqual({
			message: 'Not sent: a call to this number with the same AI agent was already placed (2026-12-08 01:40:12 UTC, 3 minutes ago, call_id call-1)',
			description:
				'This Piopiy account sent it from this n8n process within the last 10 minutes. Sending it again within 10 minutes would ring the same person twice. To allow it, set "Allow Repeated Calls After (Minutes)" in the node\'s Request Options to 0 (or to fewer minutes).',
		});
	});

	test('unknown outcome and still sending say it may have been placed, and to check the call log', () => {
		const unknown = earlierCallRefusal({ ...placed, state: 'unknownOutcome', callId: undefined }, base);
		expect(unknown.message).toBe('Not sent: a call to this number with the same AI agent was sent (2026-12-08 01:40:12 UTC, 3 minutes ago) and its outcome is unknown: it may have been placed');
		expect(unknown.description).toContain('Check the Piopiy call log');
		const sending = earlierCallRefusal({ ...placed, state: 'sending', callId: undefined }, { ...base, nowEpochMs: START_EPOCH + 80 });
		expect(sending.message).toBe('Not sent: a call to this number with the same AI agent was sent (2026-12-08 01:40:12 UTC, 0 seconds ago) by another run and has had no answer yet: it may be placed');
	});

	test('the Idempotency Key, a pipeline, a flow', () => {
		expect(earlierCallRefusal({ ...placed, matchedBy: 'idempotencyKey' }, base).message).toMatch(/^Not sent: a call with the same Idempotency Key was already placed/);
		expect(earlierCallRefusal(placed, { ...base, path: '/voice/pcmo/call' }).message).toContain('with the same pipeline');
		expect(earlierCallRefusal(placed, { ...base, path: '/voice/flow/call' }).message).toContain('with the same flow');
	});

	test('as a tool: words a model acts on', () => {
		const { message, description } = earlierCallRefusal(placed, { ...base, asTool: true });
		expect(message).toBe(
			'Not sent: a call to this number with the same AI agent was already placed (2026-12-08 01:40:12 UTC, 3 minutes ago, call_id call-1). Sending it again within 10 minutes would ring the same person twice.',
		);
		expect(description).toMatch(/^Tell the user the call was already placed \(call_id call-1\); do not call this tool again for this number\./);
	});

	test('whenSent: seconds, then minutes', () => {
		expect(whenSent(START_EPOCH, START_EPOCH + 1000)).toBe('2026-12-08 01:40:12 UTC, 1 second ago');
		expect(whenSent(START_EPOCH, START_EPOCH + 89_000)).toBe('2026-12-08 01:40:12 UTC, 89 seconds ago');
		expect(whenSent(START_EPOCH, START_EPOCH + 10 * MINUTE)).toBe('2026-12-08 01:40:12 UTC, 10 minutes ago');
	});
});
