import type { Behaviour, RecordedRequest, Reply } from './piopiyServer';


/**
 * Fault modes for the test server (and the benchmark). Each returns a Behaviour; a Behaviour that
 * returns undefined lets the server give its normal, validated answer.
 */

export function withLatency(ms: number, inner: Behaviour = echoNumber): Behaviour {
	return async (request, server) => {
		await new Promise((resolve) => setTimeout(resolve, ms));
		return await inner(request, server);
	};
}

/**
 * A server-side limit of `perSecond` requests in any rolling second. Refusals answer 429, with a
 * Retry-After (whole seconds, as HTTP says) until a slot frees when `retryAfter` is set.
 */
export function rateLimit(perSecond: number, { retryAfter }: { retryAfter: boolean }): Behaviour {
	const accepted: number[] = [];
	return (): Reply | undefined => {
		const now = Date.now();
		while (accepted.length > 0 && accepted[0] <= now - 1000) accepted.shift();
		if (accepted.length < perSecond) {
			accepted.push(now);
			return undefined;
		}
		const waitMs = accepted[0] + 1000 - now;
		return {
			status: 429,
			body: { success: false, error: 'Too many requests' },
			headers: retryAfter ? { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) } : undefined,
		};
	};
}

/**
 * A limit of `perWindow` requests in each fixed window of `windowMs` that says so in IETF-draft
 * headers on every reply when `announce` is set: `RateLimit-Remaining`, and `RateLimit-Reset` in whole
 * seconds until the window ends. Refusals answer 429.
 */
export function announcedFixedWindow(perWindow: number, windowMs: number, { announce }: { announce: boolean }): Behaviour {
	let windowStart = 0;
	let used = 0;
	return (request, server) => {
		const now = Date.now();
		if (now - windowStart >= windowMs) {
			windowStart = now;
			used = 0;
		}
		const refused = used >= perWindow;
		if (!refused) used++;
		const headers = announce
			? {
					'RateLimit-Remaining': String(perWindow - used),
					'RateLimit-Reset': String(Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000))),
				}
			: undefined;
		if (refused) return { status: 429, body: { success: false, error: 'Too many requests' }, headers };
		const reply = echoNumber(request, server);
		return reply && 'status' in reply ? { ...reply, headers: { ...reply.headers, ...headers } } : reply;
	};
}

export const serverError = (status: 500 | 502 | 503): Behaviour => () => ({
	status,
	body: { success: false, error: 'upstream failure' },
});
export const hang: Behaviour = () => ({ hang: true });
export const resetAfterRead: Behaviour = () => ({ reset: true });
export const okWithErrorBody: Behaviour = () => ({ status: 200, body: { success: false, message: 'Insufficient balance' } });
export const nonJson: Behaviour = () => ({ status: 200, rawBody: '<html><body>Gateway login</body></html>' });

/** A small seeded PRNG (mulberry32), so a "random" storm is the same storm every run. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Picks a fault (or none) for each request at random, from a fixed seed. */
export function storm(seed: number, faults: Array<[weight: number, Behaviour | undefined]>): Behaviour {
	const random = seededRandom(seed);
	const total = faults.reduce((sum, [weight]) => sum + weight, 0);
	return async (request: RecordedRequest, server) => {
		let pick = random() * total;
		for (const [weight, behaviour] of faults) {
			pick -= weight;
			if (pick < 0) return behaviour ? await behaviour(request, server) : undefined;
		}
		return undefined;
	};
}

/** The server's normal answer, plus the number called on success, so tests can check output order. */
export const echoNumber: Behaviour = (request, server): Reply => {
	const reply = server.standardReply(request);
	const toNumber = (request.body as { to_number?: string } | undefined)?.to_number;
	if ('status' in reply && reply.status === 200 && toNumber) {
		return { ...reply, body: { ...(reply.body as object), to_number: toNumber } };
	}
	return reply;
};

/**
 * A server-side limit of `perSecond` requests in each fixed (calendar) second: the stand-in of the
 * issue-27 burst measurement. Refusals answer 429 with `Retry-After: 1`.
 */
export function fixedWindowLimit(perSecond: number): Behaviour {
	let second = -1;
	let used = 0;
	return (): Reply | undefined => {
		const now = Math.floor(Date.now() / 1000);
		if (now !== second) {
			second = now;
			used = 0;
		}
		if (used < perSecond) {
			used++;
			return undefined;
		}
		return { status: 429, body: { success: false, error: 'Too many requests' }, headers: { 'Retry-After': '1' } };
	};
}
