import { MONOTONIC_CLOCK, type Clock } from './clock';

/** Piopiy's limit is taken to be a count of requests in any rolling second, the usual form. */
const WINDOW_MS = 1000;
/** A place is used again this long after its second ends, on top of the measured jitter: timers run a millisecond or so late. */
const MIN_MARGIN_MS = 2;
/** The margin, grown by refusals that jitter explains, never passes this (10% of the window). */
const MAX_MARGIN_MS = 100;
/**
 * A slow answer keeps its place longer by how much slower it was than the fastest, up to this: a
 * server that took seconds to answer did not take them all before counting the request.
 */
const MAX_LATE_MS = 250;
/**
 * After this long held at the learned count with no refusal, the limiter tries one request more per
 * window; each refused try doubles the wait before the next, up to LONGEST_PROBE_WAIT_MS. A try that
 * holds for TRY_WINDOWS windows is kept, and the next try asks for twice as many more. Chosen in the
 * simulation (bench/simulate.ts): 2-5 s and 1-2 windows gave one campaign the same 0.973-0.975 of a
 * 20/s limit; 3 s and 2 windows did best for four campaigns sharing it. The wait stops doubling at
 * 6 s, so a campaign kept out while another ran finds the freed places soon after it ends (up to a
 * minute, four campaigns used 0.72-0.83 of the limit, at 6 s 0.74-0.88); one campaign alone pays
 * with a refused try every 6 s, 1.3% of its requests with the start's.
 */
const FIRST_PROBE_AFTER_MS = 3000;
const LONGEST_PROBE_WAIT_MS = 6000;
const TRY_WINDOWS = 2;
/** Refused twice within this long at a count that had held: the count is too high after all. */
const RECENT_REFUSAL_MS = 10_000;
/** A try kept this recently is the likely cause (see learnFromRefusal). */
const KEPT_TRY_DOUBT_MS = 20_000;
/**
 * Otherwise the share of the count kept. Simulated (bench/simulate.ts, four campaigns sharing 20/s,
 * started 3 s apart): at 0.8 every campaign had 0.18 or more of a fair share while all ran; keeping
 * all but one, a campaign had none. One campaign alone is not refused this way, and lost nothing.
 */
const SHARE_KEPT = 0.8;
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

/** One request's place in the limiter's window: taken by `waitForTurn`, settled by `recordAnswer`. */
export interface Turn {
	/** When the request was let go (its start, on the limiter's clock). */
	readonly startedAt: number;
}

interface WindowEntry extends Turn {
	/** When the place is free again: Infinity while the request has no answer. */
	freeAt: number;
}

/** How a request ended, as far as Piopiy's limit is concerned. */
export type TurnAnswer = 'accepted' | 'refused' | 'none';

/**
 * Spaces request starts for one execution. The limits, the strictest wins:
 * - the user's cap (Max Requests per Second);
 * - Piopiy's limit, learned from the first 429: the number of requests Piopiy accepted in the second
 *   before it. From then on a request starts only when fewer than that many started in the last
 *   second, each counted until a second after its own start plus a margin for jitter (how much
 *   later than the fastest its answer came: a late answer may mean it arrived late). That is the
 *   server's own rule played back, so a campaign runs at the limit, not under it, and is refused
 *   only when it tries for more: after a quiet while it tries one request more per second, and a
 *   refusal puts it back (waiting twice as long before the next try). Refused again and again at a
 *   count that held, it gives a fifth back: another campaign is sharing the limit;
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
	/** Requests a window Piopiy is taken to allow; undefined before the first 429. */
	private perWindow: number | undefined;
	/** The count that last held without a refusal; a refused try goes back to it. */
	private settledPerWindow = 0;
	/** When the count last changed, or a refusal was taken in: requests started before belong to that round. */
	private changedAt = -Infinity;
	private probeWaitMs = FIRST_PROBE_AFTER_MS;
	/** When a start last waited for a place: more is worth trying only while the campaign fills its places. */
	private heldAt = -Infinity;
	private marginMs = MIN_MARGIN_MS;
	/** How much later than the fastest answers came lately: the margin an unanswered request is given. */
	private recentJitterMs = 0;
	/** Requests not refused, in the order they started, until a window after their place is free. */
	private readonly entries: WindowEntry[] = [];
	/** Whether the last change set the count from a refusal (the first 429, or fewer got through). */
	private countingRound = false;
	/** The start of the refused request that set the count: the count is of the window before it. */
	private countedAt = 0;
	private refusedAtCountAt = -Infinity;
	private probeStep = 1;
	/** When a try for more was last kept. */
	private keptTryAt = -Infinity;
	private shortestRoundTripMs = Infinity;
	readonly clock: Clock;

	constructor(private readonly options: RateLimiterOptions) {
		this.clock = options.clock ?? MONOTONIC_CLOCK;
	}

	/**
	 * Waits until a request may start, and takes that turn. With a `deadline` (a retry must start
	 * within its item's wait budget), a turn that would come later is not taken: it answers undefined
	 * at once, without waiting. Every wait is bounded: at most one interval per lane at the rate in
	 * force, or until a place in the window frees, and it ends at once when `stop` aborts (the caller
	 * then checks it before sending, and hands the turn back with `recordAnswer(turn, 'none')`).
	 */
	async waitForTurn(deadline = Infinity, now = this.clock.now(), stop?: AbortSignal): Promise<Turn | undefined> {
		if (!Number.isFinite(now)) now = this.clock.now();
		if (!Number.isFinite(now)) return { startedAt: now };
		// A pause the server announced (see recordHeaders); never longer than MAX_ANNOUNCED_PAUSE_MS from now.
		const pausedUntil = Math.min(this.pausedUntil, now + MAX_ANNOUNCED_PAUSE_MS);
		const perSecond = this.currentLimit();
		const interval = perSecond === undefined ? 0 : 1000 / perSecond;
		// A turn booked further ahead than that was booked at a lower rate (or on a clock that jumped):
		// it must not hold a request up.
		const booked = Math.min(this.nextStartAt, now + interval * Math.max(1, this.options.concurrency));
		const paced = Math.max(now, pausedUntil, perSecond === undefined ? now : booked);
		const startAt = Math.max(paced, this.placeFreeAt(now));
		if (startAt > now && startAt > deadline) return undefined;
		if (startAt > paced) this.heldAt = now;
		if (perSecond !== undefined) this.nextStartAt = startAt + interval;
		const entry: WindowEntry = { startedAt: startAt, freeAt: Infinity };
		this.entries.push(entry);
		if (startAt - now >= MIN_WAIT_MS) await this.clock.sleep(startAt - now, stop);
		return entry;
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
	 * Tells the limiter how a turn's request ended: `accepted` (Piopiy answered, anything but 429: it
	 * counts in Piopiy's window, and its round trip is measured), `refused` (429: it does not count,
	 * and it teaches the limit), or `none` (no answer, or never sent: it keeps its place for a window,
	 * in case it arrived).
	 */
	recordAnswer(turn: Turn, answer: TurnAnswer, now = this.clock.now()): void {
		const entry = turn as WindowEntry;
		if (!Number.isFinite(now) || !Number.isFinite(entry.startedAt)) return;
		if (answer === 'refused') {
			const index = this.entries.indexOf(entry);
			if (index >= 0) this.entries.splice(index, 1);
			this.learnFromRefusal(entry.startedAt, now);
			return;
		}
		let lateMs = this.recentJitterMs;
		if (answer === 'accepted') {
			const roundTripMs = now - entry.startedAt;
			if (roundTripMs > 0) this.shortestRoundTripMs = Math.min(this.shortestRoundTripMs, roundTripMs);
			lateMs = Math.min(MAX_LATE_MS, Math.max(0, roundTripMs - this.shortestRoundTripMs));
			this.recentJitterMs = Math.max(lateMs, this.recentJitterMs * 0.95);
		}
		entry.freeAt = entry.startedAt + WINDOW_MS + lateMs + this.marginMs;
	}

	/** The rate the cap and the pace allow, or undefined for none. Always a positive finite number when defined. */
	currentLimit(): number | undefined {
		const cap = this.options.capPerSecond > 0 ? this.options.capPerSecond : Infinity;
		const limit = Math.min(cap, this.pacedPerSecond());
		return Number.isFinite(limit) && limit > 0 ? limit : undefined;
	}

	/** The requests a second Piopiy is taken to allow (learned from 429s), or undefined before any. */
	learnedPerWindow(): number | undefined {
		return this.perWindow;
	}

	/** When a place in the window is free: now, unless `perWindow` requests hold one. */
	private placeFreeAt(now: number): number {
		this.forgetOld(now);
		this.probe(now);
		if (this.perWindow === undefined || this.entries.length < this.perWindow) return now;
		const unanswered = this.recentJitterMs + this.marginMs + WINDOW_MS;
		const busyUntil = this.entries
			.map((entry) => (entry.freeAt === Infinity ? entry.startedAt + unanswered : entry.freeAt))
			.filter((freeAt) => freeAt > now)
			.sort((a, b) => a - b);
		if (busyUntil.length < this.perWindow) return now;
		// Each window frees `perWindow` places: a wait is never longer than the windows the waiting
		// requests fill, whatever a clock that jumped back makes of the entries.
		const longestMs = Math.ceil(busyUntil.length / this.perWindow) * (WINDOW_MS + MAX_MARGIN_MS + MAX_LATE_MS);
		return Math.min(busyUntil[busyUntil.length - this.perWindow], now + longestMs);
	}

	/** Entries are kept a window past their place (a refusal counts the window before it); then dropped. */
	private forgetOld(now: number): void {
		let stale = 0;
		while (stale < this.entries.length && this.entries[stale].freeAt + WINDOW_MS <= now) stale++;
		// In place: a campaign without a limit starts hundreds of requests a second, each dropping one.
		if (stale > 0) this.entries.splice(0, stale);
	}

	/**
	 * The places held at `at` by requests not refused: started by then, and not free yet by this side's
	 * reckoning (a second after their start and the margins). The rule lets a request start only while
	 * fewer than the count are held, so a refusal at the count that held finds one fewer: its own place.
	 */
	private heldPlacesAt(at: number): number {
		return this.entries.filter((entry) => entry.startedAt <= at && entry.freeAt > at).length;
	}

	private learnFromRefusal(startedAt: number, now: number): void {
		const count = Math.max(1, this.heldPlacesAt(startedAt));
		if (this.perWindow !== undefined && startedAt < this.changedAt) {
			// Sent before the last change, so it says nothing of the count now; but while a count is being
			// learned, the requests of its burst that are refused leave the window, and the count with them.
			if (this.countingRound) {
				const left = Math.max(1, this.heldPlacesAt(this.countedAt));
				this.perWindow = this.settledPerWindow = Math.min(this.perWindow, left);
			}
			return;
		}
		this.countingRound = false;
		const refusedAtCountBefore = this.refusedAtCountAt;
		this.refusedAtCountAt = -Infinity;
		if (this.perWindow === undefined || count < this.settledPerWindow - 1) {
			// The first 429, or fewer got through than the count that held: the limit is lower now, or shared.
			this.perWindow = count;
			this.countingRound = true;
			this.countedAt = startedAt;
		} else if (this.perWindow > this.settledPerWindow) {
			// A try for more was refused: back to what held, and a longer wait before the next try.
			this.perWindow = this.settledPerWindow;
			this.probeWaitMs = Math.min(LONGEST_PROBE_WAIT_MS, this.probeWaitMs * 2);
		} else if (now - refusedAtCountBefore < RECENT_REFUSAL_MS) {
			// Refused at the count that held, twice in a short while. Soon after a try was kept, the try held
			// by luck (at a fixed window's edge a rolling second can hold more than the limit): one fewer.
			// Otherwise another campaign is taking places: give a fifth back, or a campaign that started
			// later never gets in (simulated: none of its requests went through while the first ran, with
			// one fewer).
			const heldByLuck = now - this.keptTryAt < KEPT_TRY_DOUBT_MS;
			this.perWindow = Math.max(1, heldByLuck ? this.perWindow - 1 : Math.min(this.perWindow - 1, Math.floor(this.perWindow * SHARE_KEPT)));
		} else {
			// Refused at the count that held, once: its place freed too early, by jitter the margin missed.
			this.marginMs = Math.min(MAX_MARGIN_MS, this.marginMs * 2 + MIN_MARGIN_MS);
			this.refusedAtCountAt = now;
		}
		this.probeStep = 1;
		this.settledPerWindow = this.perWindow;
		this.changedAt = now;
	}

	/**
	 * After a quiet while held at the count, tries more a window: one, and twice as many each time a try
	 * holds for TRY_WINDOWS windows (a share another campaign has left is found in seconds).
	 */
	private probe(now: number): void {
		// Only while held at the count lately (in the last window), and since the last change.
		const held = this.heldAt >= this.changedAt && now - this.heldAt <= WINDOW_MS + this.marginMs + this.recentJitterMs;
		if (this.perWindow === undefined || !held) return;
		const trying = this.perWindow > this.settledPerWindow;
		const waitMs = trying ? TRY_WINDOWS * (WINDOW_MS + this.marginMs + this.recentJitterMs) : this.probeWaitMs;
		if (now - this.changedAt < waitMs) return;
		if (trying) {
			this.keptTryAt = now;
			this.settledPerWindow = this.perWindow;
			this.probeWaitMs = FIRST_PROBE_AFTER_MS;
			this.probeStep *= 2;
			// More got through without a refusal: whatever widened the margin has passed.
			this.marginMs = Math.max(MIN_MARGIN_MS, this.marginMs / 2);
		}
		this.perWindow += this.probeStep;
		this.changedAt = now;
		this.countingRound = false;
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
