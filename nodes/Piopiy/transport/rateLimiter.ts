import { MONOTONIC_CLOCK, type Clock } from './clock';

const WINDOW_MS = 1000;
/**
 * After a 429 the rate is what Piopiy accepted in the last second, less this share: a rate just
 * under the limit, so that the jitter of a busy machine does not push a request over it. Simulated
 * (bench/simulate.ts, one campaign, 20/s rolling window): 1% gave 0.935-0.949 of the limit, 2% 0.918-0.940.
 */
const CUT = 0.01;
/**
 * While no 429 comes, the rate grows by this share a second, to find out whether Piopiy allows more.
 * Each probe that finds the limit costs a refused request: at 0.5% a second they were 2.4% of all
 * requests in the simulation, at 0.2% 2.2% (the start's refusals are most of the rest).
 */
const PROBE_GROWTH = 0.002;
/**
 * After this many quiet seconds the limit is probably no longer there (another campaign sharing it has
 * finished), so the rate grows faster: by FREED_GROWTH a second.
 */
const QUIET_SECONDS_BEFORE_FAST_PROBE = 4;
const FREED_GROWTH = 1.25;
/** Waits shorter than a timer tick are not worth a timer: the request goes now. */
const MIN_WAIT_MS = 1;
/**
 * The pace is this much faster than the concurrency can carry. At exactly what it carries, a lane
 * would wait each time two replies arrive close together; with headroom the pace only breaks up
 * bursts. Measured (bench, concurrency 20, 100 ms): ratios 0.92-0.93 from 1.15 to 2, 0.89 at 1.
 */
const PACE_HEADROOM = 1.5;

/** The longest pause a rate-limit header may impose at a time: a wrong reset must not stall a campaign. */
const MAX_ANNOUNCED_PAUSE_MS = 60_000;

function header(headers: Record<string, unknown>, name: string): string | undefined {
	const value = headers[name] ?? headers[`x-${name}`];
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' || typeof first === 'number' ? String(first).trim() : undefined;
}

/**
 * How long until the server takes requests again, when its headers say none are left: `remaining`
 * 0 and a `reset` in seconds (a count of seconds, or a Unix time in seconds when it is that large).
 * Undefined when the headers are absent, say some are left, or cannot be read.
 */
export function exhaustedForMs(headers: Record<string, unknown>, epochMs = Date.now()): number | undefined {
	const remaining = header(headers, 'ratelimit-remaining');
	const reset = header(headers, 'ratelimit-reset');
	if (remaining === undefined || reset === undefined || !/^\d+$/.test(remaining) || Number(remaining) > 0) return undefined;
	if (!/^\d+(\.\d+)?$/.test(reset)) return undefined;
	const seconds = Number(reset);
	// Nobody waits 30 years: a value that large is a point in time (Unix seconds), not a duration.
	const ms = seconds > 1e9 ? seconds * 1000 - epochMs : seconds * 1000;
	return Number.isFinite(ms) ? Math.min(MAX_ANNOUNCED_PAUSE_MS, Math.max(0, ms)) : undefined;
}

export interface RateLimiterOptions {
	/** The user's Max Requests per Second; 0 means none. */
	capPerSecond: number;
	/** The node's Max Concurrent Requests, which sets the pace (see `pacedPerSecond`). */
	concurrency: number;
	/** Tests inject a clock; the node uses the monotonic one, so a change of the system time moves no wait. */
	clock?: Clock;
}

/**
 * Spaces request starts for one execution. Three limits apply, the lowest wins:
 * - the user's cap (Max Requests per Second);
 * - the rate Piopiy is seen to accept: after a 429, 1% under the rate Piopiy accepted in the last
 *   second. It grows back slowly while no 429 comes (faster after a few quiet seconds), so a
 *   campaign settles just under Piopiy's limit without the user knowing it, instead of hammering it
 *   and waiting out refusals;
 * - the pace: concurrency / the shortest round trip seen, with headroom. That is more than the
 *   concurrency can carry, so it does not slow a campaign down; what it does is spread the starts
 *   out. Without it, replies that arrive together start the next requests together, and n8n's single
 *   thread works through each such burst while every request in it waits: measured at concurrency
 *   20 and 100 ms latency, that added about 20 ms to every round trip.
 * A pause the server announces in rate-limit headers (see `recordHeaders`) holds every start too.
 */
export class RateLimiter {
	private nextStartAt = 0;
	private pausedUntil = -Infinity;
	private learnedPerSecond: number | undefined;
	private learnedAt = 0;
	private readonly acceptedAt: number[] = [];
	private shortestRoundTripMs = Infinity;
	readonly clock: Clock;

	constructor(private readonly options: RateLimiterOptions) {
		this.clock = options.clock ?? MONOTONIC_CLOCK;
	}

	/**
	 * Waits until this request may start, and takes that turn. With a `deadline` (a retry must start
	 * within its item's wait budget), a turn that would come later is not taken: it answers false at
	 * once, without waiting. Every wait is bounded: at most one interval per lane at the rate in force,
	 * and it ends at once when `stop` aborts (the caller then checks it before sending).
	 */
	async waitForTurn(deadline = Infinity, now = this.clock.now(), stop?: AbortSignal): Promise<boolean> {
		// A pause the server announced (see recordHeaders); never longer than MAX_ANNOUNCED_PAUSE_MS from now.
		const pausedUntil = Math.min(this.pausedUntil, now + MAX_ANNOUNCED_PAUSE_MS);
		const perSecond = this.currentLimit(now);
		const interval = perSecond === undefined ? 0 : 1000 / perSecond;
		// A turn booked further ahead than that was booked at a lower rate (or on a clock that jumped):
		// it must not hold a request up.
		const booked = Math.min(this.nextStartAt, now + interval * Math.max(1, this.options.concurrency));
		const startAt = Math.max(now, pausedUntil, perSecond === undefined ? now : booked);
		if (startAt > now && startAt > deadline) return false;
		if (perSecond !== undefined) this.nextStartAt = startAt + interval;
		if (startAt - now >= MIN_WAIT_MS) await this.clock.sleep(startAt - now, stop);
		return true;
	}

	/**
	 * Reads the rate-limit headers a server may send with any reply (`RateLimit-Remaining` and
	 * `RateLimit-Reset`, or their `X-RateLimit-` forms): none left until the reset means no request
	 * starts before it. Piopiy's are unknown, so nothing depends on them: without them the 429s teach
	 * the same, one refusal later.
	 */
	recordHeaders(headers: Record<string, unknown>, now = this.clock.now(), epochMs = Date.now()): void {
		const resetMs = exhaustedForMs(headers, epochMs);
		if (resetMs !== undefined && Number.isFinite(now)) this.pausedUntil = Math.max(this.pausedUntil, now + resetMs);
	}

	/**
	 * Tells the limiter how Piopiy answered a request started at `sentAt`; only a 429 lowers the rate,
	 * and only once per round: a 429 to a request started before the last cut was paced at the old
	 * rate and says nothing about the new one.
	 */
	recordReply(rateLimited: boolean, now = this.clock.now(), sentAt = now): void {
		if (!Number.isFinite(now)) return; // no time, no measurement
		while (this.acceptedAt.length > 0 && this.acceptedAt[0] <= now - WINDOW_MS) this.acceptedAt.shift();
		if (!rateLimited) {
			this.acceptedAt.push(now);
			return;
		}
		if (this.learnedPerSecond !== undefined && sentAt < this.learnedAt) return;
		this.learnedPerSecond = Math.max(1, Math.min(this.acceptedPerSecond(), this.learnedLimit(now)) * (1 - CUT));
		this.learnedAt = now;
	}

	/** Tells the limiter how long an answered request took, send to reply (429s excluded: they may be quick). */
	recordRoundTrip(milliseconds: number): void {
		if (milliseconds > 0 && Number.isFinite(milliseconds)) this.shortestRoundTripMs = Math.min(this.shortestRoundTripMs, milliseconds);
	}

	/** The rate in force now, or undefined for no limit. Always a positive finite number when defined. */
	currentLimit(now = this.clock.now()): number | undefined {
		const cap = this.options.capPerSecond > 0 ? this.options.capPerSecond : Infinity;
		const learned = this.learnedLimit(now);
		const limit = Math.min(cap, learned, this.pacedPerSecond());
		return Number.isFinite(limit) && limit > 0 ? limit : undefined;
	}

	/**
	 * The rate Piopiy accepted over the last second. Before the first cut, the count: requests went out
	 * unpaced, in bursts. After it, from the spacing of the replies: a count of whole requests in a
	 * window is off by up to one (5% at 20/s), the spacing is not; never more than one over the count.
	 */
	private acceptedPerSecond(): number {
		const count = this.acceptedAt.length;
		if (this.learnedPerSecond === undefined || count < 2) return count;
		const spanMs = this.acceptedAt[count - 1] - this.acceptedAt[0];
		return spanMs > 0 ? Math.min(count + 1, ((count - 1) * WINDOW_MS) / spanMs) : count;
	}

	/** The rate learned from 429s, grown by the quiet time since the last cut; Infinity before any 429. */
	private learnedLimit(now: number): number {
		if (this.learnedPerSecond === undefined) return Infinity;
		// Never negative: a learned rate only grows back, whatever the clock does.
		const quietSeconds = Math.max(0, (now - this.learnedAt) / WINDOW_MS);
		const slow = Math.min(quietSeconds, QUIET_SECONDS_BEFORE_FAST_PROBE);
		return this.learnedPerSecond * (1 + PROBE_GROWTH) ** slow * FREED_GROWTH ** (quietSeconds - slow);
	}

	/**
	 * Headroom × concurrency / shortest round trip, or Infinity before any reply and at concurrency 1
	 * (one lane cannot burst). A stale shortest round trip only makes the pace looser, never tighter.
	 */
	private pacedPerSecond(): number {
		if (this.options.concurrency <= 1 || !Number.isFinite(this.shortestRoundTripMs)) return Infinity;
		return (PACE_HEADROOM * this.options.concurrency * 1000) / this.shortestRoundTripMs;
	}
}
