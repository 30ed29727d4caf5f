import { accountKey, AccountRegistry } from '../../nodes/Piopiy/transport/accounts';
import { AccountLimiter, RateLimiter, type Turn } from '../../nodes/Piopiy/transport/rateLimiter';

const TOKEN = 'tok_SECRET_9f8e7d6c5b4a';
const clockAt = (start = 1000) => {
	const clock = { t: start, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
	return clock;
};

describe('AccountRegistry', () => {
	test('the same credential in two runs shares one account; another token or base URL never does', () => {
		const registry = new AccountRegistry({ clock: clockAt() });
		const first = registry.lease({ baseUrl: 'https://rest.piopiy.com/v3', apiToken: TOKEN });
		const second = registry.lease({ baseUrl: 'https://rest.piopiy.com/v3/', apiToken: TOKEN });
		const otherToken = registry.lease({ baseUrl: 'https://rest.piopiy.com/v3', apiToken: `${TOKEN}x` });
		const otherUrl = registry.lease({ baseUrl: 'http://127.0.0.1:1/v3', apiToken: TOKEN });
		expect(second.account).toBe(first.account);
		expect(second.account.limiter).toBe(first.account.limiter);
		expect(otherToken.account).not.toBe(first.account);
		expect(otherUrl.account).not.toBe(first.account);
		expect(first.account.leases).toBe(2);
	});

	test('no key holds the token or a part of it', () => {
		const registry = new AccountRegistry({ clock: clockAt() });
		registry.lease({ baseUrl: 'https://rest.piopiy.com/v3', apiToken: TOKEN });
		const keys = registry.keys().join('\n');
		expect(keys).not.toContain(TOKEN);
		expect(keys).not.toContain(TOKEN.slice(0, 8));
		expect(accountKey({ baseUrl: 'u', apiToken: TOKEN })).not.toContain(TOKEN.slice(-8));
	});

	test('an account idle longer than the idle time is forgotten when the next lease is taken; one in use never', () => {
		const clock = clockAt();
		const registry = new AccountRegistry({ clock, idleMs: 60_000 });
		const idle = registry.lease({ baseUrl: 'https://a/v3', apiToken: 'a' });
		const busy = registry.lease({ baseUrl: 'https://b/v3', apiToken: 'b' });
		idle.release();
		idle.release(); // a second release counts for nothing
		expect(idle.account.leases).toBe(0);
		clock.t += 60_000;
		registry.lease({ baseUrl: 'https://c/v3', apiToken: 'c' });
		expect(registry.keys()).toEqual([busy.account.key, accountKey({ baseUrl: 'https://c/v3', apiToken: 'c' })]);
		const again = registry.lease({ baseUrl: 'https://a/v3', apiToken: 'a' });
		expect(again.account).not.toBe(idle.account);
	});

	test('the map is capped: the least recently used idle accounts go first', () => {
		const registry = new AccountRegistry({ clock: clockAt(), maxAccounts: 3 });
		const leases = ['a', 'b', 'c'].map((token) => registry.lease({ baseUrl: 'https://x/v3', apiToken: token }));
		leases[1].release();
		leases[2].release();
		registry.lease({ baseUrl: 'https://x/v3', apiToken: 'd' });
		expect(registry.keys()).toEqual(['a', 'c', 'd'].map((token) => accountKey({ baseUrl: 'https://x/v3', apiToken: token })));
	});
});

describe("one account's limiter, shared by the runs on it", () => {
	/** A clock whose sleeps pass at once (time jumps by them). */
	const fakeClock = () => {
		const clock = { t: 50_000, sleeps: [] as number[], now: () => clock.t, sleep: async (ms: number) => {} };
		clock.sleep = async (ms: number) => {
			clock.sleeps.push(ms);
			clock.t += ms;
		};
		return clock;
	};
	/** A clock that stands still: a sleep ends only when it is stopped (the queue woken by an answer, a stop). */
	const stillClock = () => ({
		t: 50_000,
		now(): number {
			return this.t;
		},
		sleep: async (_ms: number, stop?: AbortSignal) =>
			await new Promise<void>((resolve) => (stop?.aborted ? resolve() : stop?.addEventListener('abort', () => resolve()))),
	});
	const runOn = (account: AccountLimiter, concurrency = 1) => new RateLimiter({ capPerSecond: 0, concurrency, account });

	/** Takes and answers `count` turns one after another at the same instant: the careful start grows by 2 each. */
	async function acceptInTurn(run: RateLimiter, count: number) {
		for (let index = 0; index < count; index++) run.recordAnswer((await run.waitForTurn())!, 'accepted');
	}

	test('what one run learns, the next starts with: no burst into the limit again', async () => {
		const clock = fakeClock();
		const registry = new AccountRegistry({ clock });
		const credentials = { baseUrl: 'https://rest.piopiy.com/v3', apiToken: TOKEN };
		const first = registry.lease(credentials);
		const firstRun = runOn(first.account.limiter);
		await acceptInTurn(firstRun, 10);
		clock.t += 1100;
		const burst = await Promise.all(Array.from({ length: 6 }, async () => await firstRun.waitForTurn()));
		burst.slice(0, 5).forEach((turn) => firstRun.recordAnswer(turn!, 'accepted'));
		firstRun.recordAnswer(burst[5]!, 'refused');
		first.release();

		const second = registry.lease(credentials);
		const secondRun = runOn(second.account.limiter);
		expect(secondRun.learnedPerWindow()).toBe(5);
		clock.t += 5000;
		const starts: number[] = [];
		await Promise.all(
			Array.from({ length: 10 }, async () => {
				const turn = await secondRun.waitForTurn();
				starts.push(turn!.startedAt);
				secondRun.recordAnswer(turn!, 'accepted');
			}),
		);
		// Five in the first second, five a second later: the learned count, from the start.
		expect(starts.filter((at) => at < starts[0] + 1000)).toHaveLength(5);
	});

	test('before anything is known, a burst goes a few at a time: 2, then 4 more once those are accepted', async () => {
		const clock = stillClock();
		const account = new AccountLimiter(clock);
		const runs = Array.from({ length: 20 }, () => runOn(account));
		const granted: Array<{ run: number; turn: Turn }> = [];
		const waiting = runs.map(async (run, index) => {
			const turn = await run.waitForTurn();
			granted.push({ run: index, turn: turn! });
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(granted.map(({ run }) => run)).toEqual([0, 1]);
		granted.forEach(({ run, turn }) => runs[run].recordAnswer(turn, 'accepted'));
		await new Promise((resolve) => setImmediate(resolve));
		expect(granted.map(({ run }) => run)).toEqual([0, 1, 2, 3, 4, 5]);
		clock.t += 100;
		granted.slice(2).forEach(({ run, turn }) => runs[run].recordAnswer(turn, 'refused'));
		expect(account.learnedPerWindow()).toBe(2);
		runs.forEach((run) => run.close());
		await Promise.all(waiting);
	});

	test('places go round-robin by run: a run arriving behind a campaign is served next, not after it', async () => {
		const clock = fakeClock();
		const account = new AccountLimiter(clock);
		const campaign = runOn(account, 20);
		const order: string[] = [];
		// The limit learned: 2 a window.
		await acceptInTurn(campaign, 10);
		clock.t += 1100;
		const burst = await Promise.all(Array.from({ length: 3 }, async () => await campaign.waitForTurn()));
		burst.slice(0, 2).forEach((turn) => campaign.recordAnswer(turn!, 'accepted'));
		campaign.recordAnswer(burst[2]!, 'refused');
		expect(account.learnedPerWindow()).toBe(2);
		const campaignTurns = Array.from({ length: 10 }, async (_, index) => {
			const turn = await campaign.waitForTurn();
			order.push(`campaign ${index}`);
			campaign.recordAnswer(turn!, 'accepted');
		});
		const agentCall = runOn(account);
		const agentTurn = (async () => {
			const turn = await agentCall.waitForTurn();
			order.push('agent');
			agentCall.recordAnswer(turn!, 'accepted');
		})();
		await Promise.all([...campaignTurns, agentTurn]);
		expect(order.indexOf('agent')).toBe(1);
	});

	test("a stopped execution's waiting requests leave the queue at once, and a run that ends takes its own along", async () => {
		const clock = stillClock();
		const account = new AccountLimiter(clock);
		const stopped = runOn(account);
		const ended = runOn(account);
		// The careful start's two places are taken and not answered: everyone else waits.
		const taken = [await stopped.waitForTurn(), await stopped.waitForTurn()];
		const stop = new AbortController();
		const stoppedWait = stopped.waitForTurn(Infinity, undefined, stop.signal);
		const endedWait = ended.waitForTurn();
		stop.abort();
		expect(await stoppedWait).toBeUndefined();
		ended.close();
		expect(await endedWait).toBeUndefined();
		// The stopped run hands back its two turns unsent: their places are free at once.
		taken.forEach((turn) => stopped.recordAnswer(turn!, 'unsent'));
		expect(await runOn(account).waitForTurn()).toBeDefined();
	});

	test('time queued behind other runs counts against a retry’s deadline', async () => {
		const clock = fakeClock();
		const account = new AccountLimiter(clock);
		const campaign = runOn(account, 20);
		await Promise.all([campaign.waitForTurn(), campaign.waitForTurn()]);
		const queued = Array.from({ length: 10 }, async () => await campaign.waitForTurn());
		const retry = runOn(account);
		expect(await retry.waitForTurn(clock.t + 500)).toBeUndefined();
		campaign.close();
		await Promise.all(queued);
	});
});
