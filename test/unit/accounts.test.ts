import { accountKey, AccountRegistry } from '../../nodes/Piopiy/transport/accounts';

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
