import { MONOTONIC_CLOCK, type Clock } from '../../nodes/Piopiy/transport/clock';
import { exhaustedForMs, RateLimiter, type RateLimiterOptions, type TurnAnswer } from '../../nodes/Piopiy/transport/rateLimiter';

const limiter = (options: Partial<RateLimiterOptions>) => new RateLimiter({ capPerSecond: 0, concurrency: 1, ...options });

/** A clock whose sleeps are recorded and pass at once. */
const fakeClock = (start = 50_000) => {
	const clock = { t: start, sleeps: [] as number[] } as Clock & { t: number; sleeps: number[] };
	clock.now = () => clock.t;
	clock.sleep = async (ms: number) => {
		clock.sleeps.push(ms);
		clock.t += ms;
	};
	return clock;
};

/**
 * One lane's requests, one after another: each waits its turn, takes `roundTripMs`, and is answered
 * as `answers` says (by request number). Returns when each started.
 */
async function lane(
	rateLimiter: RateLimiter,
	clock: ReturnType<typeof fakeClock>,
	count: number,
	{ roundTripMs = 100, answers = (): TurnAnswer => 'accepted' }: { roundTripMs?: number; answers?: (index: number) => TurnAnswer } = {},
): Promise<number[]> {
	const starts: number[] = [];
	for (let index = 0; index < count; index++) {
		const turn = (await rateLimiter.waitForTurn())!;
		starts.push(clock.t);
		clock.t += roundTripMs;
		rateLimiter.recordAnswer(turn, answers(index));
	}
	return starts;
}

/**
 * The careful start, through with no limit found: thirty requests one after another, each accepted
 * (each a round of its own, so the window's places grow to 62), then a window's wait so none of them
 * holds a place any more (a longer quiet while would start the careful start again). A burst of up
 * to 62 may then go at once.
 */
async function openUp(rateLimiter: RateLimiter, clock: ReturnType<typeof fakeClock>) {
	await lane(rateLimiter, clock, 30, { roundTripMs: 0 });
	clock.t += 1100;
}

/** Twenty requests accepted in one burst, then one refused: Piopiy allows 20 a second. */
async function learnTwenty(rateLimiter: RateLimiter, clock: ReturnType<typeof fakeClock>) {
	await openUp(rateLimiter, clock);
	const burst = await Promise.all(Array.from({ length: 21 }, async () => await rateLimiter.waitForTurn()));
	clock.t += 100;
	burst.slice(0, 20).forEach((turn) => rateLimiter.recordAnswer(turn!, 'accepted'));
	rateLimiter.recordAnswer(burst[20]!, 'refused');
	return burst[0]!.startedAt;
}

describe('RateLimiter', () => {
	test('no cap and no 429: no limit, no wait', async () => {
		const clock = fakeClock();
		const rateLimiter = limiter({ clock });
		expect(rateLimiter.currentLimit()).toBeUndefined();
		await lane(rateLimiter, clock, 50, { roundTripMs: 1 });
		expect(clock.sleeps).toEqual([]);
		expect(rateLimiter.learnedPerWindow()).toBeUndefined();
	});

	test("the user's cap applies from the start", () => {
		expect(limiter({ capPerSecond: 12.5 }).currentLimit()).toBe(12.5);
	});

	test('request starts are spaced at the cap', async () => {
		const rateLimiter = limiter({ capPerSecond: 20 });
		const starts: number[] = [];
		for (let i = 0; i < 6; i++) {
			await rateLimiter.waitForTurn();
			starts.push(Date.now());
		}
		expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(240);
	});

	describe("Piopiy's limit, learned from 429s", () => {
		test('the first 429 sets the count to the requests accepted in the second before it', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			expect(rateLimiter.learnedPerWindow()).toBe(20);
		});

		test('requests from long before the 429 are not counted', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await lane(rateLimiter, clock, 5, { roundTripMs: 1 });
			clock.t += 5000;
			await learnTwenty(rateLimiter, clock);
			expect(rateLimiter.learnedPerWindow()).toBe(20);
		});

		test('the refusals of one burst are one lesson: those refused leave the count, nothing else changes it', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await openUp(rateLimiter, clock);
			const burst = await Promise.all(Array.from({ length: 30 }, async () => await rateLimiter.waitForTurn()));
			clock.t += 100;
			// The first answer is a refusal, with the rest of the burst still unanswered.
			rateLimiter.recordAnswer(burst[29]!, 'refused');
			expect(rateLimiter.learnedPerWindow()).toBe(29);
			for (const turn of burst.slice(20, 29)) rateLimiter.recordAnswer(turn!, 'refused');
			burst.slice(0, 20).forEach((turn) => rateLimiter.recordAnswer(turn!, 'accepted'));
			expect(rateLimiter.learnedPerWindow()).toBe(20);
		});

		test('a 429 with nothing accepted still allows one request a second', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await lane(rateLimiter, clock, 1, { answers: () => 'refused' });
			expect(rateLimiter.learnedPerWindow()).toBe(1);
		});

		test('once learned, a request waits for a place: a second after the start it replaces, plus its lateness and a margin', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			const firstStart = await learnTwenty(rateLimiter, clock);
			// All twenty came back in 100 ms, the fastest seen: no lateness, only the 2 ms margin.
			const [next] = await lane(rateLimiter, clock, 1);
			expect(next).toBe(firstStart + 1000 + 2);
		});

		test('an answer slower than the fastest keeps its place that much longer', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await openUp(rateLimiter, clock);
			const burst = await Promise.all(Array.from({ length: 3 }, async () => await rateLimiter.waitForTurn()));
			clock.t += 100;
			rateLimiter.recordAnswer(burst[0]!, 'accepted');
			rateLimiter.recordAnswer(burst[1]!, 'accepted');
			rateLimiter.recordAnswer(burst[2]!, 'refused');
			expect(rateLimiter.learnedPerWindow()).toBe(2);
			const [slowStart] = await lane(rateLimiter, clock, 1, { roundTripMs: 200 }); // 100 ms slower than the fastest
			const [fastStart] = await lane(rateLimiter, clock, 1, { roundTripMs: 100 });
			const [next] = await lane(rateLimiter, clock, 1);
			// Two places: the slow one frees at its start + 1,000 + 100 + the 2 ms margin, before the fast one's.
			expect(next).toBe(slowStart + 1102);
			expect(fastStart + 1002).toBeGreaterThan(next);
		});

		test('a refusal at the count that held widens the margin; a second one soon after gives a fifth of the count back', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			clock.t += 1500;
			const starts = await lane(rateLimiter, clock, 41, { roundTripMs: 10, answers: (i) => (i === 20 ? 'refused' : 'accepted') });
			expect(rateLimiter.learnedPerWindow()).toBe(20);
			// The 21st start after the refusal replaces the first: 1,000 ms + the margin, now 2 × 2 + 2.
			expect(starts[40] - starts[19]).toBeGreaterThanOrEqual(1000 + 6);
			// Another campaign is taking places: without giving some back, it would never get in.
			await lane(rateLimiter, clock, 1, { answers: () => 'refused' });
			expect(rateLimiter.learnedPerWindow()).toBe(16);
		});

		test('refused twice at a count that a try raised lately: the try held by luck, one fewer', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			for (let request = 0; request < 1000 && rateLimiter.learnedPerWindow() !== 23; request++) {
				await lane(rateLimiter, clock, 1, { roundTripMs: 1 });
			}
			// 21 was kept, 23 is being tried: refused, back to 21; then twice at 21.
			await lane(rateLimiter, clock, 1, { roundTripMs: 1, answers: () => 'refused' });
			expect(rateLimiter.learnedPerWindow()).toBe(21);
			await lane(rateLimiter, clock, 21 * 2, { roundTripMs: 1 });
			await lane(rateLimiter, clock, 1, { roundTripMs: 1, answers: () => 'refused' });
			expect(rateLimiter.learnedPerWindow()).toBe(21); // once: the margin
			await lane(rateLimiter, clock, 21 * 2, { roundTripMs: 1 });
			await lane(rateLimiter, clock, 1, { roundTripMs: 1, answers: () => 'refused' });
			expect(rateLimiter.learnedPerWindow()).toBe(20);
		});

		test('fewer getting through than the count that held: the limit is lower now, or shared, and the count follows', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			clock.t += 5000;
			await lane(rateLimiter, clock, 8, { roundTripMs: 100, answers: (i) => (i === 7 ? 'refused' : 'accepted') });
			expect(rateLimiter.learnedPerWindow()).toBe(7);
		});

		/** Requests one at a time, each answered in 1 ms, until the count is `count`: when it got there. */
		async function fillUntil(rateLimiter: RateLimiter, clock: ReturnType<typeof fakeClock>, count: number) {
			for (let request = 0; request < 1000 && rateLimiter.learnedPerWindow() !== count; request++) {
				await lane(rateLimiter, clock, 1, { roundTripMs: 1 });
			}
			expect(rateLimiter.learnedPerWindow()).toBe(count);
			return clock.t;
		}

		test('held at the count and quiet for 3 s, it tries one more; a refused try goes back and waits twice as long', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			const learnedAt = clock.t;
			const triedAt = await fillUntil(rateLimiter, clock, 21);
			expect(triedAt - learnedAt).toBeGreaterThanOrEqual(3000);
			expect(triedAt - learnedAt).toBeLessThan(3000 + 1100);
			await lane(rateLimiter, clock, 1, { answers: () => 'refused' });
			expect(rateLimiter.learnedPerWindow()).toBe(20);
			const refusedAt = clock.t;
			const triedAgainAt = await fillUntil(rateLimiter, clock, 21);
			expect(triedAgainAt - refusedAt).toBeGreaterThanOrEqual(6000);
			expect(triedAgainAt - refusedAt).toBeLessThan(6000 + 1100);
		});

		test('a try that holds two windows is kept, and the next asks for two more', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			const triedAt = await fillUntil(rateLimiter, clock, 21);
			const nextTryAt = await fillUntil(rateLimiter, clock, 23);
			expect(nextTryAt - triedAt).toBeGreaterThanOrEqual(2000);
			expect(nextTryAt - triedAt).toBeLessThan(2000 + 1100);
		});

		test('a campaign that does not fill its places tries for no more', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			for (let second = 0; second < 10; second++) {
				await lane(rateLimiter, clock, 5, { roundTripMs: 1 });
				clock.t += 1000;
			}
			expect(rateLimiter.learnedPerWindow()).toBe(20);
		});

		test('a refusal of a request started before the last change teaches nothing new', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			clock.t += 1500;
			// Refused at the count that held: the margin widens (the change), the count stays.
			const early = await rateLimiter.waitForTurn();
			await lane(rateLimiter, clock, 20, { roundTripMs: 10, answers: (i) => (i === 19 ? 'refused' : 'accepted') });
			expect(rateLimiter.learnedPerWindow()).toBe(20);
			// Sent before that change and refused after it: not a second refusal at the count.
			clock.t += 100;
			rateLimiter.recordAnswer(early!, 'refused');
			expect(rateLimiter.learnedPerWindow()).toBe(20);
		});

		test('the lower of the cap and the learned count wins', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock, capPerSecond: 5 });
			await learnTwenty(rateLimiter, clock);
			const starts = await lane(rateLimiter, clock, 6, { roundTripMs: 1 });
			expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(1000);
		});
	});

	describe('the pace (concurrency / shortest round trip, with headroom)', () => {
		const answeredAfter = async (rateLimiter: RateLimiter, clock: ReturnType<typeof fakeClock>, roundTripMs: number) =>
			await lane(rateLimiter, clock, 1, { roundTripMs });

		test('there is none before the first reply, and none at concurrency 1', async () => {
			expect(limiter({ concurrency: 20 }).currentLimit()).toBeUndefined();
			const clock = fakeClock();
			const oneLane = limiter({ concurrency: 1, clock });
			await answeredAfter(oneLane, clock, 100);
			expect(oneLane.currentLimit()).toBeUndefined();
		});

		test('it follows the shortest round trip seen, headroom 1.5', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ concurrency: 20, clock });
			await answeredAfter(rateLimiter, clock, 200);
			expect(rateLimiter.currentLimit()).toBeCloseTo(150);
			await answeredAfter(rateLimiter, clock, 100);
			await answeredAfter(rateLimiter, clock, 400);
			expect(rateLimiter.currentLimit()).toBeCloseTo(300);
		});

		test.each([0, -5])('a round trip of %p ms is no measurement', async (ms) => {
			const clock = fakeClock();
			const rateLimiter = limiter({ concurrency: 20, clock });
			await answeredAfter(rateLimiter, clock, ms);
			expect(rateLimiter.currentLimit()).toBeUndefined();
		});

		test('a refused request is no measurement (a 429 may come back quicker)', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ concurrency: 20, clock });
			await lane(rateLimiter, clock, 1, { roundTripMs: 5, answers: () => 'refused' });
			expect(rateLimiter.currentLimit()).toBeUndefined();
		});

		test("the user's cap still wins when lower", async () => {
			const clock = fakeClock();
			const capped = limiter({ concurrency: 20, capPerSecond: 10, clock });
			await answeredAfter(capped, clock, 100);
			expect(capped.currentLimit()).toBe(10);
		});

		test('starts closer than a timer tick go at once; the spacing catches up with a wait', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ concurrency: 20, clock });
			// Ten answered in 12 ms each: a pace of 2,500/s (0.4 ms apart), and the careful start's places grown to 22.
			await lane(rateLimiter, clock, 10, { roundTripMs: 12 });
			clock.t += 100;
			clock.sleeps.length = 0;
			await Promise.all(Array.from({ length: 4 }, async () => await rateLimiter.waitForTurn()));
			// At +0, +0.4, +0.8 ms: no timer; at +1.2 ms: one.
			expect(clock.sleeps).toHaveLength(1);
			expect(clock.sleeps[0]).toBeCloseTo(1.2, 5);
		});
	});

	describe('every wait ends (injected clock)', () => {
		test('a turn after the deadline is not taken, and not booked', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ capPerSecond: 2, clock });
			expect(await rateLimiter.waitForTurn(Infinity)).toBeDefined(); // now
			expect(await rateLimiter.waitForTurn(clock.t + 100)).toBeUndefined(); // would be in 500 ms
			expect(clock.sleeps).toEqual([]);
			expect(await rateLimiter.waitForTurn(clock.t + 500)).toBeDefined();
			expect(clock.sleeps).toEqual([500]);
		});

		test('a place in the window after the deadline is not taken either', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			expect(await rateLimiter.waitForTurn(clock.t + 100)).toBeUndefined();
			expect(clock.sleeps).toEqual([]);
		});

		test('a deadline already passed does not refuse a turn that needs no wait', async () => {
			const clock = fakeClock();
			expect(await limiter({ clock }).waitForTurn(clock.t - 1)).toBeDefined();
			expect(await limiter({ capPerSecond: 1, clock }).waitForTurn(clock.t - 1)).toBeDefined();
		});

		test('a clock that jumps back does not lower the learned count or stretch a wait', async () => {
			const clock = fakeClock(1_000_000);
			const rateLimiter = limiter({ clock, concurrency: 4 });
			await learnTwenty(rateLimiter, clock);
			clock.t -= 3_600_000; // an hour back
			expect(rateLimiter.learnedPerWindow()).toBe(20);
			await lane(rateLimiter, clock, 3);
			// At most the windows the waiting requests fill, not the hour.
			expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(2 * 1350);
		});

		test('a stopped wait takes no place, and a turn handed back unsent frees its place at once', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ clock });
			await learnTwenty(rateLimiter, clock);
			const stop = new AbortController();
			stop.abort();
			expect(await rateLimiter.waitForTurn(Infinity, undefined, stop.signal)).toBeUndefined();
			expect(rateLimiter.learnedPerWindow()).toBe(20);
			expect(clock.sleeps).toEqual([]);
			// A second later the window is free again: twenty turns, the last handed back unsent, so a 21st goes at once.
			clock.t += 1100;
			const turns = await Promise.all(Array.from({ length: 20 }, async () => await rateLimiter.waitForTurn()));
			rateLimiter.recordAnswer(turns[19]!, 'unsent');
			const startedAt = clock.t;
			await rateLimiter.waitForTurn();
			expect(clock.t).toBe(startedAt);
		});

		test('whatever it is fed, the limit is a positive finite number or none, and waits are never NaN', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ capPerSecond: NaN, concurrency: 3, clock });
			const turn = await rateLimiter.waitForTurn(Infinity, NaN);
			expect(turn).toBeDefined();
			rateLimiter.recordAnswer(turn!, 'refused', NaN);
			rateLimiter.recordAnswer(turn!, 'accepted', NaN);
			const limit = rateLimiter.currentLimit();
			expect(limit === undefined || (Number.isFinite(limit) && limit > 0)).toBe(true);
			expect(await rateLimiter.waitForTurn(Infinity, NaN)).toBeDefined();
			expect(clock.sleeps.every((ms) => Number.isFinite(ms) && ms >= 0)).toBe(true);
		});
	});
});

describe('rate-limit headers, where a server sends them', () => {
	const epochMs = Date.parse('2026-12-01T10:00:00Z');
	test.each([
		[{ 'ratelimit-remaining': '0', 'ratelimit-reset': '2' }, 2000],
		[{ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0.5' }, 500],
		[{ 'x-ratelimit-remaining': ['0'], 'x-ratelimit-reset': String(epochMs / 1000 + 3) }, 3000], // Unix seconds
		[{ 'ratelimit-remaining': '0', 'ratelimit-reset': String(epochMs / 1000 - 10) }, 0], // already past
		[{ 'ratelimit-remaining': '0', 'ratelimit-reset': '86400' }, 60_000], // a day: capped at a minute
	])('none left until the reset: %p pauses %p ms', (headers, ms) => {
		expect(exhaustedForMs(headers, epochMs)).toBe(ms);
	});

	test.each([
		[{}],
		[{ 'ratelimit-remaining': '3', 'ratelimit-reset': '2' }],
		[{ 'ratelimit-remaining': '0' }],
		[{ 'ratelimit-remaining': '0', 'ratelimit-reset': 'soon' }],
		[{ 'ratelimit-remaining': '-1', 'ratelimit-reset': '2' }],
		[{ 'ratelimit-remaining': { n: 0 }, 'ratelimit-reset': '2' }],
	])('no pause from %p', (headers) => {
		expect(exhaustedForMs(headers as Record<string, unknown>, epochMs)).toBeUndefined();
	});

	test('the pause holds every start until the reset, bounded, and a retry past its deadline does not take it', async () => {
		const clock = { t: 10_000, sleeps: [] as number[] } as Clock & { t: number; sleeps: number[] };
		clock.now = () => clock.t;
		clock.sleep = async (ms: number) => {
			clock.sleeps.push(ms);
			clock.t += ms;
		};
		const rateLimiter = limiter({ clock });
		rateLimiter.recordHeaders({ 'ratelimit-remaining': '0', 'ratelimit-reset': '2' });
		expect(await rateLimiter.waitForTurn(clock.t + 1000)).toBeUndefined();
		expect(clock.sleeps).toEqual([]);
		expect(await rateLimiter.waitForTurn()).toBeDefined();
		expect(clock.sleeps).toEqual([2000]);
		expect(await rateLimiter.waitForTurn()).toBeDefined(); // the reset has passed: no wait
		expect(clock.sleeps).toEqual([2000]);
	});
});

describe("the node's clock", () => {
	test('a sleep ends at once when the execution is stopped, and at once when it already was', async () => {
		const stop = new AbortController();
		const started = performance.now();
		const sleeping = MONOTONIC_CLOCK.sleep(60_000, stop.signal);
		setTimeout(() => stop.abort(), 20);
		await sleeping;
		await MONOTONIC_CLOCK.sleep(60_000, stop.signal);
		expect(performance.now() - started).toBeLessThan(1000);
	});

	test('without a stop, a sleep lasts its time', async () => {
		const started = performance.now();
		await MONOTONIC_CLOCK.sleep(50);
		expect(performance.now() - started).toBeGreaterThanOrEqual(45);
	});
});
