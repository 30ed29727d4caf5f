import { MONOTONIC_CLOCK, type Clock } from '../../nodes/Piopiy/transport/clock';
import { exhaustedForMs, RateLimiter, type RateLimiterOptions } from '../../nodes/Piopiy/transport/rateLimiter';

const limiter = (options: Partial<RateLimiterOptions>) => new RateLimiter({ capPerSecond: 0, concurrency: 1, ...options });

describe('RateLimiter', () => {
	test('no cap and no 429 means no limit', () => {
		expect(limiter({}).currentLimit()).toBeUndefined();
	});

	test("the user's cap applies from the start", () => {
		expect(limiter({ capPerSecond: 12.5 }).currentLimit()).toBe(12.5);
	});

	test('a 429 sets the rate just under what Piopiy accepted in the last second, then it grows back slowly, then faster', () => {
		const rateLimiter = limiter({});
		const t0 = 1_000_000;
		rateLimiter.recordReply(false, t0 - 5000); // long gone by the time of the 429: not counted
		for (let i = 0; i < 20; i++) rateLimiter.recordReply(false, t0 + i * 40);
		rateLimiter.recordReply(true, t0 + 900);
		expect(rateLimiter.currentLimit(t0 + 900)).toBeCloseTo(19.8);
		expect(rateLimiter.currentLimit(t0 + 1900)).toBeCloseTo(19.8 * 1.002);
		expect(rateLimiter.currentLimit(t0 + 4900)).toBeCloseTo(19.8 * 1.002 ** 4);
		// Four quiet seconds: the limit was probably shared with a campaign that has finished.
		expect(rateLimiter.currentLimit(t0 + 5900)).toBeCloseTo(19.8 * 1.002 ** 4 * 1.25);
		expect(rateLimiter.currentLimit(t0 + 10_900)).toBeCloseTo(19.8 * 1.002 ** 4 * 1.25 ** 6);
	});

	test('one cut per round: a 429 to a request started before the last cut lowers nothing', () => {
		const rateLimiter = limiter({});
		for (let i = 0; i < 20; i++) rateLimiter.recordReply(false, 1000 + i * 20);
		rateLimiter.recordReply(true, 1500, 1400);
		const cut = rateLimiter.currentLimit(1500);
		// Four more lanes refused in the same burst, all sent before the cut.
		for (let lane = 0; lane < 4; lane++) rateLimiter.recordReply(true, 1510 + lane, 1410 + lane);
		expect(rateLimiter.currentLimit(1500)).toBe(cut);
		// Sent after it: paced at the new rate, and still refused: that one counts.
		rateLimiter.recordReply(true, 1700, 1600);
		expect(rateLimiter.currentLimit(1700)).toBeLessThan(cut!);
	});

	test('after the first cut the accepted rate comes from the spacing of replies, not a count off by one', () => {
		const rateLimiter = limiter({});
		const t0 = 100_000;
		for (let i = 0; i < 20; i++) rateLimiter.recordReply(false, t0 + i * 10);
		rateLimiter.recordReply(true, t0 + 200); // a burst of 20: the count, 20, not 20 / 190 ms
		expect(rateLimiter.currentLimit(t0 + 200)).toBeCloseTo(19.8);
		// 19.8 a second for a while; a whole-request count of the last second says 19 or 20.
		const start = t0 + 5000;
		for (let i = 0; i < 60; i++) rateLimiter.recordReply(false, start + (i * 1000) / 19.8);
		const at = start + (59 * 1000) / 19.8 + 1;
		rateLimiter.recordReply(true, at, at - 100);
		expect(rateLimiter.currentLimit(at)).toBeCloseTo(19.8 * 0.99, 1);
	});

	test('the spacing never says more than one request a second over the count', () => {
		const rateLimiter = limiter({});
		rateLimiter.recordReply(false, 0);
		rateLimiter.recordReply(true, 10); // first cut: 1/s
		rateLimiter.recordReply(false, 5000);
		rateLimiter.recordReply(false, 5001); // two replies 1 ms apart: 1,000/s by spacing
		rateLimiter.recordReply(true, 5002, 5002);
		expect(rateLimiter.currentLimit(5002)).toBeLessThanOrEqual(3);
	});

	test('the lower of the cap and the learned rate wins', () => {
		const rateLimiter = limiter({ capPerSecond: 5 });
		for (let i = 0; i < 20; i++) rateLimiter.recordReply(false, 1000 + i);
		rateLimiter.recordReply(true, 1100);
		expect(rateLimiter.currentLimit(1100)).toBe(5);
	});

	test('a 429 with nothing accepted still allows one request a second', () => {
		const rateLimiter = limiter({});
		rateLimiter.recordReply(true, 5000);
		expect(rateLimiter.currentLimit(5000)).toBe(1);
	});

	test('request starts are spaced at the rate in force', async () => {
		const rateLimiter = limiter({ capPerSecond: 20 });
		const starts: number[] = [];
		for (let i = 0; i < 6; i++) {
			await rateLimiter.waitForTurn();
			starts.push(Date.now());
		}
		expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(240);
	});

	describe('the pace (concurrency / shortest round trip, with headroom)', () => {
		test('there is none before the first reply, and none at concurrency 1', () => {
			expect(limiter({ concurrency: 20 }).currentLimit()).toBeUndefined();
			const oneLane = limiter({ concurrency: 1 });
			oneLane.recordRoundTrip(100);
			expect(oneLane.currentLimit()).toBeUndefined();
		});

		test('it follows the shortest round trip seen, headroom 1.5', () => {
			const rateLimiter = limiter({ concurrency: 20 });
			rateLimiter.recordRoundTrip(200);
			expect(rateLimiter.currentLimit()).toBeCloseTo(150);
			rateLimiter.recordRoundTrip(100);
			rateLimiter.recordRoundTrip(400);
			expect(rateLimiter.currentLimit()).toBeCloseTo(300);
			rateLimiter.recordRoundTrip(0); // not a measurement
			expect(rateLimiter.currentLimit()).toBeCloseTo(300);
		});

		test("the user's cap and the learned rate still win when lower", () => {
			const capped = limiter({ concurrency: 20, capPerSecond: 10 });
			capped.recordRoundTrip(100);
			expect(capped.currentLimit()).toBe(10);
			const learned = limiter({ concurrency: 20 });
			learned.recordRoundTrip(100);
			for (let i = 0; i < 7; i++) learned.recordReply(false, 1000 + i);
			learned.recordReply(true, 1100);
			expect(learned.currentLimit(1100)).toBeCloseTo(7 * 0.99);
		});

		test('starts closer than a timer tick go at once; the spacing catches up with a wait', async () => {
			jest.useFakeTimers();
			try {
				const rateLimiter = limiter({ concurrency: 20 });
				rateLimiter.recordRoundTrip(12); // 2,500/s: 0.4 ms apart
				const now = 50_000;
				let started = 0;
				for (let i = 0; i < 3; i++) void rateLimiter.waitForTurn(Infinity, now).then(() => started++);
				await Promise.resolve();
				expect(started).toBe(3); // at +0, +0.4, +0.8 ms: no timer
				void rateLimiter.waitForTurn(Infinity, now).then(() => started++); // at +1.2 ms: a timer
				await Promise.resolve();
				expect(started).toBe(3);
				await jest.advanceTimersByTimeAsync(2);
				expect(started).toBe(4);
			} finally {
				jest.useRealTimers();
			}
		});
	});

	describe('every wait ends (injected clock)', () => {
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

		test('a turn after the deadline is not taken, and not booked', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ capPerSecond: 2, clock });
			expect(await rateLimiter.waitForTurn(Infinity)).toBe(true); // now
			expect(await rateLimiter.waitForTurn(clock.t + 100)).toBe(false); // would be in 500 ms
			expect(clock.sleeps).toEqual([]);
			expect(await rateLimiter.waitForTurn(clock.t + 500)).toBe(true);
			expect(clock.sleeps).toEqual([500]);
		});

		test('a deadline already passed does not refuse a turn that needs no wait', async () => {
			const clock = fakeClock();
			expect(await limiter({ clock }).waitForTurn(clock.t - 1)).toBe(true);
			expect(await limiter({ capPerSecond: 1, clock }).waitForTurn(clock.t - 1)).toBe(true);
		});

		test('a clock that jumps back does not lower the learned rate or stretch a wait', async () => {
			const clock = fakeClock(1_000_000);
			const rateLimiter = limiter({ clock, concurrency: 4 });
			for (let i = 0; i < 10; i++) rateLimiter.recordReply(false);
			rateLimiter.recordReply(true);
			expect(rateLimiter.currentLimit()).toBeCloseTo(9.9);
			await rateLimiter.waitForTurn();
			clock.t -= 3_600_000; // an hour back
			expect(rateLimiter.currentLimit()).toBeCloseTo(9.9);
			await rateLimiter.waitForTurn();
			// At most one interval per lane (4 × 1000 / 9.9 ms), not the hour.
			expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(405);
		});

		test.each([NaN, Infinity, -5, 0])('a round trip of %p is no measurement', (ms) => {
			const rateLimiter = limiter({ concurrency: 20 });
			rateLimiter.recordRoundTrip(ms);
			expect(rateLimiter.currentLimit()).toBeUndefined();
		});

		test('whatever it is fed, the limit is a positive finite number or none, never NaN', async () => {
			const clock = fakeClock();
			const rateLimiter = limiter({ capPerSecond: NaN, concurrency: 3, clock });
			rateLimiter.recordReply(true, NaN);
			rateLimiter.recordReply(false, NaN);
			for (const now of [NaN, -Infinity, 0, clock.t, Number.MAX_SAFE_INTEGER]) {
				const limit = rateLimiter.currentLimit(now);
				expect(limit === undefined || (Number.isFinite(limit) && limit > 0)).toBe(true);
			}
			expect(await rateLimiter.waitForTurn(Infinity, NaN)).toBe(true);
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
		expect(await rateLimiter.waitForTurn(clock.t + 1000)).toBe(false);
		expect(clock.sleeps).toEqual([]);
		expect(await rateLimiter.waitForTurn()).toBe(true);
		expect(clock.sleeps).toEqual([2000]);
		expect(await rateLimiter.waitForTurn()).toBe(true); // the reset has passed: no wait
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
