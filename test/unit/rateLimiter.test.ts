import { RateLimiter } from '../../nodes/Piopiy/transport/rateLimiter';

describe('RateLimiter', () => {
	test('no cap and no 429 means no limit', () => {
		expect(new RateLimiter(0).currentLimit()).toBeUndefined();
	});

	test("the user's cap applies from the start", () => {
		expect(new RateLimiter(12.5).currentLimit()).toBe(12.5);
	});

	test('a 429 sets the rate to what Piopiy accepted in the last second, then it grows back slowly', () => {
		const limiter = new RateLimiter(0);
		const t0 = 1_000_000;
		limiter.recordReply(false, t0 - 5000); // long gone by the time of the 429: not counted
		for (let i = 0; i < 20; i++) limiter.recordReply(false, t0 + i * 40);
		limiter.recordReply(true, t0 + 900);
		expect(limiter.currentLimit(t0 + 900)).toBe(20);
		expect(limiter.currentLimit(t0 + 1900)).toBeCloseTo(21);
		expect(limiter.currentLimit(t0 + 10_900)).toBeCloseTo(20 * 1.05 ** 10);
	});

	test('the lower of the cap and the learned rate wins', () => {
		const limiter = new RateLimiter(5);
		for (let i = 0; i < 20; i++) limiter.recordReply(false, 1000 + i);
		limiter.recordReply(true, 1100);
		expect(limiter.currentLimit(1100)).toBe(5);
	});

	test('a 429 with nothing accepted still allows one request a second', () => {
		const limiter = new RateLimiter(0);
		limiter.recordReply(true, 5000);
		expect(limiter.currentLimit(5000)).toBe(1);
	});

	test('request starts are spaced at the rate in force', async () => {
		const limiter = new RateLimiter(20);
		const starts: number[] = [];
		for (let i = 0; i < 6; i++) {
			await limiter.waitForTurn();
			starts.push(Date.now());
		}
		expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(240);
	});
});
