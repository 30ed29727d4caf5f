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
 * Before the first 429 nothing is known of the limit, so a burst does not all go at once: a window
 * starts with this many places, and once every request of a round is answered, each accepted one
 * adds GROWTH_PER_ACCEPTED more, so the places double every round trip while requests are accepted
 * (a slow start, as TCP's). Waiting for the whole round means a refusal is seen before the next,
 * larger round goes: a burst into a low limit costs a refusal or two, not one for every request over it.
 */
const FIRST_PER_WINDOW = 2;
const GROWTH_PER_ACCEPTED = 2;
/**
 * After this long held at the learned count with no refusal, the limiter tries one request more per
 * window; each refused try doubles the wait before the next, up to LONGEST_PROBE_WAIT_MS. A try that
 * holds for TRY_WINDOWS windows is kept, and the next try asks for twice as many more. A try finds a
 * limit that was raised, or a share another worker's campaigns have left; each costs one refusal.
 */
const FIRST_PROBE_AFTER_MS = 3000;
const LONGEST_PROBE_WAIT_MS = 6000;
/**
 * At a low count those waits would make refused tries a large share of the requests (one every 6 s
 * at 5 a second is one request in 30): after a refused try, the next also waits for this many
 * requests' worth of time at the count, but never longer than LONGEST_TRY_WAIT_MS, or a worker left
 * with a small share of the limit would hardly ever look for more. Tries that are kept are not
 * slowed: a count that is growing grows as fast as before.
 */
const REQUESTS_BEFORE_A_TRY = 60;
const LONGEST_TRY_WAIT_MS = 12_000;
const TRY_WINDOWS = 2;
/** Refused twice within this long at a count that had held: the count is too high after all. */
const RECENT_REFUSAL_MS = 10_000;
/** A try kept this recently is the likely cause (see learnFromRefusal). */
const KEPT_TRY_DOUBT_MS = 20_000;
/**
 * Otherwise the share of the count kept: another process (a queue-mode worker) is taking places this
 * one cannot see. A decrease on refusal and a slow increase while accepted (the tries above) is what
 * lets workers that share nothing settle on even shares.
 */
const SHARE_KEPT = 0.8;
/**
 * The fastest round trip, against which an answer's lateness is measured, is the fastest of this many
 * recent answers: the account is shared, and a fast answer long ago (an instant error, a quiet
 * moment, another workload) would otherwise make every later answer look late and hold its place
 * longer.
 */
const RECENT_ROUND_TRIPS = 32;
/** Waits shorter than a timer tick are not worth a timer: the request goes now. */
const MIN_WAIT_MS = 1;
/**
 * The pace is this much faster than the concurrency can carry. At exactly what it carries, a lane
 * would wait each time two replies arrive close together; with headroom the pace only breaks up
 * bursts (chosen by the bench: docs/measurements.md).
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

/** One request's place in the account's window: taken by `waitForTurn`, settled by `recordAnswer`. */
export interface Turn {
	/** When the request was let go (its start, on the limiter's clock). */
	readonly startedAt: number;
}

interface WindowEntry extends Turn {
	/** When the place is free again: Infinity while the request has no answer. */
	freeAt: number;
}

/**
 * How a request ended, as far as Piopiy's limit is concerned: `accepted` (any answer but 429),
 * `refused` (429), `none` (no answer: it may have arrived), `unsent` (never sent: its place is free).
 */
export type TurnAnswer = 'accepted' | 'refused' | 'none' | 'unsent';

/** A request waiting for a place in the account's window. */
interface Waiter {
	deadline: number;
	grant(turn: Turn | undefined): void;
}

/**
 * What one Piopiy account allows, as this process has learned it, shared by every run that uses the
 * account (see accounts.ts); each run sees it through its own `RateLimiter`. The rule is Piopiy's own,
 * played back: a request starts only when fewer than the learned count started in the last second,
 * each counted until a second after its own start plus a margin for jitter (how much later than the
 * fastest its answer came: a late answer may mean it arrived late). The count is learned from the
 * first 429: the requests Piopiy accepted in the second before it. Before that, a window's places
 * start few and grow while requests are accepted. After a quiet while held at the count it tries one
 * more a second, and a refusal puts it back; refused again and again at a count that held, it gives a
 * fifth back: another process is sharing the account. A pause the server announces in rate-limit
 * headers holds every start too.
 *
 * Requests that find no place queue, and places go round-robin by run: a run that arrives while
 * another has a hundred requests waiting is served next, not after them.
 */
export class AccountLimiter {
	private pausedUntil = -Infinity;
	/** Requests a window Piopiy is taken to allow; undefined before the first 429. */
	private perWindow: number | undefined;
	/** Places a window before the first 429 (the careful start). */
	private startingPerWindow = FIRST_PER_WINDOW;
	/** The careful start's round: requests let go and not answered yet, and those accepted. */
	private readonly startingRound = new Set<WindowEntry>();
	private startingRoundAccepted = 0;
	/** Since when requests have queued for places with no break of a window: a try waits for a while held. */
	private heldSince = -Infinity;
	/** When the queue was last left empty. */
	private queueEmptiedAt = -Infinity;
	/** The count that last held without a refusal; a refused try goes back to it. */
	private settledPerWindow = 0;
	/** When the count last changed, or a refusal was taken in: requests started before belong to that round. */
	private changedAt = -Infinity;
	private probeWaitMs = FIRST_PROBE_AFTER_MS;
	/** When a request last waited for a place: more is worth trying only while the places are filled. */
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
	/** The shortest of the recent round trips (see RECENT_ROUND_TRIPS): the runs' pace is measured by it. */
	shortestRoundTripMs = Infinity;
	private readonly recentRoundTrips: number[] = [];
	/** Waiting requests by run, runs in the order they are served next. */
	private readonly queue = new Map<object, Waiter[]>();
	private waiting = 0;
	private pumping = false;
	/** Ends the queue's sleep early when something changed (an answer, a stop). */
	private wakeUp: AbortController | undefined;

	constructor(readonly clock: Clock = MONOTONIC_CLOCK) {}

	/**
	 * A place for one of `run`'s requests: at once when one is free and nobody waits, else in the
	 * run's round-robin turn. Undefined when the place cannot come by `deadline` (a retry's budget,
	 * queueing included) or `stop` aborts first.
	 */
	async take(run: object, deadline: number, stop?: AbortSignal): Promise<Turn | undefined> {
		const now = this.clock.now();
		if (!Number.isFinite(now)) return { startedAt: now };
		if (this.waiting === 0 && this.freeAt(now) - now < MIN_WAIT_MS) return this.grant(now);
		if (stop?.aborted || this.expectedTurnAt(now) > deadline) return undefined;
		return await new Promise<Turn | undefined>((resolve) => {
			const onStop = () => {
				this.leave(run, waiter);
				resolve(undefined);
			};
			const waiter: Waiter = {
				deadline,
				grant: (turn) => {
					stop?.removeEventListener('abort', onStop);
					resolve(turn);
				},
			};
			stop?.addEventListener('abort', onStop, { once: true });
			if (this.waiting === 0 && now - this.queueEmptiedAt > WINDOW_MS) this.heldSince = now;
			const waiters = this.queue.get(run);
			if (waiters) waiters.push(waiter);
			else this.queue.set(run, [waiter]);
			this.waiting++;
			void this.serveQueue();
		});
	}

	/** A run that ends takes its waiting requests with it (each is told no turn). */
	leaveAll(run: object): void {
		for (const waiter of [...(this.queue.get(run) ?? [])]) {
			this.leave(run, waiter);
			waiter.grant(undefined);
		}
	}

	/** See `RateLimiter.recordAnswer`. */
	recordAnswer(turn: Turn, answer: TurnAnswer, now = this.clock.now()): void {
		const entry = turn as WindowEntry;
		if (!Number.isFinite(now) || !Number.isFinite(entry.startedAt)) return;
		if (answer === 'refused' || answer === 'unsent') {
			const index = this.entries.indexOf(entry);
			if (index >= 0) this.entries.splice(index, 1);
			this.startingRound.delete(entry);
			if (answer === 'refused') this.learnFromRefusal(entry.startedAt, now);
			this.wakeUp?.abort();
			return;
		}
		let lateMs = this.recentJitterMs;
		if (answer === 'accepted') {
			const roundTripMs = now - entry.startedAt;
			if (roundTripMs > 0) {
				this.recentRoundTrips.push(roundTripMs);
				if (this.recentRoundTrips.length > RECENT_ROUND_TRIPS) this.recentRoundTrips.shift();
				this.shortestRoundTripMs = Math.min(...this.recentRoundTrips);
			}
			lateMs = Math.min(MAX_LATE_MS, Math.max(0, roundTripMs - this.shortestRoundTripMs));
			this.recentJitterMs = Math.max(lateMs, this.recentJitterMs * 0.95);
		}
		entry.freeAt = entry.startedAt + WINDOW_MS + lateMs + this.marginMs;
		if (this.startingRound.delete(entry)) {
			if (answer === 'accepted') this.startingRoundAccepted++;
			if (this.startingRound.size === 0 && this.perWindow === undefined) {
				this.startingPerWindow += GROWTH_PER_ACCEPTED * this.startingRoundAccepted;
				this.startingRoundAccepted = 0;
				this.wakeUp?.abort();
			}
		}
	}

	/** See `RateLimiter.recordHeaders`. */
	recordHeaders(headers: Record<string, unknown>, now = this.clock.now(), epochMs = Date.now()): void {
		const resetMs = exhaustedForMs(headers, epochMs);
		if (resetMs !== undefined && Number.isFinite(now)) this.pausedUntil = Math.max(this.pausedUntil, now + resetMs);
	}

	/** The requests a second Piopiy is taken to allow (learned from 429s), or undefined before any. */
	learnedPerWindow(): number | undefined {
		return this.perWindow;
	}

	private grant(now: number): WindowEntry {
		const entry: WindowEntry = { startedAt: now, freeAt: Infinity };
		this.entries.push(entry);
		if (this.perWindow === undefined) this.startingRound.add(entry);
		return entry;
	}

	private leave(run: object, waiter: Waiter): void {
		const waiters = this.queue.get(run);
		const index = waiters?.indexOf(waiter) ?? -1;
		if (!waiters || index < 0) return;
		waiters.splice(index, 1);
		if (waiters.length === 0) this.queue.delete(run);
		if (--this.waiting === 0) this.queueEmptiedAt = this.clock.now();
		this.wakeUp?.abort();
	}

	/** When the next request may start: a free place in the window, and no announced pause. */
	private freeAt(now: number): number {
		return Math.max(Math.min(this.pausedUntil, now + MAX_ANNOUNCED_PAUSE_MS), this.placeFreeAt(now));
	}

	/** When a request queued now would start, roughly: after every request ahead of it has. */
	private expectedTurnAt(now: number): number {
		return this.freeAt(now) + (this.waiting * WINDOW_MS) / (this.perWindow ?? this.startingPerWindow);
	}

	/**
	 * Hands out places while requests wait: the next run's first request, and that run goes to the back
	 * (round-robin by run). One loop per account, sleeping until a place frees or something changes.
	 */
	private async serveQueue(): Promise<void> {
		if (this.pumping) return;
		this.pumping = true;
		try {
			while (this.waiting > 0) {
				const now = this.clock.now();
				let nextDeadline = Infinity;
				for (const [run, waiters] of this.queue) {
					for (const waiter of [...waiters]) {
						if (waiter.deadline < now) {
							this.leave(run, waiter);
							waiter.grant(undefined);
						} else nextDeadline = Math.min(nextDeadline, waiter.deadline);
					}
				}
				if (this.waiting === 0) break;
				const freeAt = this.freeAt(now);
				if (freeAt - now < MIN_WAIT_MS || !Number.isFinite(now)) {
					const [run, waiters] = this.queue.entries().next().value as [object, Waiter[]];
					const waiter = waiters.shift() as Waiter;
					this.queue.delete(run);
					if (waiters.length > 0) this.queue.set(run, waiters);
					if (--this.waiting === 0) this.queueEmptiedAt = now;
					this.heldAt = now;
					waiter.grant(this.grant(now));
					continue;
				}
				const wake = new AbortController();
				this.wakeUp = wake;
				// Past a waiter's deadline by a millisecond, so the loop finds it past.
				await this.clock.sleep(Math.min(freeAt, nextDeadline + MIN_WAIT_MS) - now, wake.signal);
				this.wakeUp = undefined;
			}
		} finally {
			this.pumping = false;
		}
	}

	/** When a place in the window is free: now, unless the count's worth of requests hold one. */
	private placeFreeAt(now: number): number {
		this.forgetOld(now);
		this.probe(now);
		// Quiet for a while with no limit learned: what was accepted then says little of a burst now.
		if (this.perWindow === undefined && this.entries.length === 0) this.startingPerWindow = FIRST_PER_WINDOW;
		const perWindow = this.perWindow ?? this.startingPerWindow;
		if (this.entries.length < perWindow) return now;
		const unanswered = this.recentJitterMs + this.marginMs + WINDOW_MS;
		const busyUntil = this.entries
			.map((entry) => (entry.freeAt === Infinity ? entry.startedAt + unanswered : entry.freeAt))
			.filter((freeAt) => freeAt > now)
			.sort((a, b) => a - b);
		if (busyUntil.length < perWindow) return now;
		// Never longer than a window and the margins: whatever a clock that jumped back makes of the entries.
		return Math.min(busyUntil[busyUntil.length - perWindow], now + WINDOW_MS + MAX_MARGIN_MS + MAX_LATE_MS);
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
		this.startingRound.clear();
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
			// Otherwise another process (a queue-mode worker) is taking places this one cannot see: give a
			// fifth back, or its campaigns barely get in while this one's run (docs/measurements.md).
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
	 * holds for TRY_WINDOWS windows (a share another worker has left is found in seconds).
	 */
	private probe(now: number): void {
		// Only while held at the count lately (in the last window), for a while, and since the last change.
		const held = this.heldAt >= this.changedAt && now - this.heldAt <= WINDOW_MS + this.marginMs + this.recentJitterMs;
		if (this.perWindow === undefined) return;
		const trying = this.perWindow > this.settledPerWindow;
		// A try that nobody went on filling (the campaign ended) proved nothing: the next burst keeps to what held.
		if (trying && now - this.heldAt > TRY_WINDOWS * WINDOW_MS) {
			this.perWindow = this.settledPerWindow;
			return;
		}
		if (!held) return;
		const waitMs = trying
			? TRY_WINDOWS * (WINDOW_MS + this.marginMs + this.recentJitterMs)
			: this.probeWaitMs > FIRST_PROBE_AFTER_MS
				? Math.max(this.probeWaitMs, Math.min(LONGEST_TRY_WAIT_MS, (REQUESTS_BEFORE_A_TRY * WINDOW_MS) / this.perWindow))
				: this.probeWaitMs;
		if (now - Math.max(this.changedAt, this.heldSince) < waitMs) return;
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

}

export interface RateLimiterOptions {
	/** The user's Max Requests per Second; 0 means none. */
	capPerSecond: number;
	/** The node's Max Concurrent Requests, which sets the pace (see `pacedPerSecond`). */
	concurrency: number;
	/** The account's limiter this run shares; a limiter of its own when not given (tests, one-off runs). */
	account?: AccountLimiter;
	/** Tests inject a clock (used when no `account` is given); the node uses the monotonic one. */
	clock?: Clock;
}

/**
 * One run's view of its account's limiter. The run's own limits, the strictest wins, come first:
 * - the user's cap (Max Requests per Second);
 * - the pace: concurrency / the shortest round trip seen, with headroom. That is more than the
 *   concurrency can carry, so it does not slow a run down; what it does is spread the starts out.
 *   Without it, replies that arrive together start the next requests together, and n8n's single
 *   thread works through each such burst while every request in it waits.
 * Then the account's: a place in Piopiy's window, shared with every other run on the account.
 */
export class RateLimiter {
	private nextStartAt = 0;
	readonly account: AccountLimiter;
	readonly clock: Clock;

	constructor(private readonly options: RateLimiterOptions) {
		this.account = options.account ?? new AccountLimiter(options.clock);
		this.clock = this.account.clock;
	}

	/**
	 * Waits until a request may start, and takes that turn. With a `deadline` (a retry must start
	 * within its item's wait budget), a turn that would come later is not taken: it answers undefined,
	 * without waiting longer than it must to know. Time queued behind other runs on the account counts
	 * too. Every wait ends at once when `stop` aborts (undefined; a turn already taken is handed back
	 * with `recordAnswer(turn, 'unsent')`).
	 */
	async waitForTurn(deadline = Infinity, now = this.clock.now(), stop?: AbortSignal): Promise<Turn | undefined> {
		if (!Number.isFinite(now)) now = this.clock.now();
		if (!Number.isFinite(now)) return { startedAt: now };
		const perSecond = this.currentLimit();
		const interval = perSecond === undefined ? 0 : 1000 / perSecond;
		if (perSecond !== undefined) {
			// A turn booked further ahead than one interval per lane was booked at a lower rate (or on a
			// clock that jumped): it must not hold a request up.
			const startAt = Math.max(now, Math.min(this.nextStartAt, now + interval * Math.max(1, this.options.concurrency)));
			if (startAt > now && startAt > deadline) return undefined;
			this.nextStartAt = startAt + interval;
			if (startAt - now >= MIN_WAIT_MS) await this.clock.sleep(startAt - now, stop);
			if (stop?.aborted) return undefined;
		}
		const turn = await this.account.take(this, deadline, stop);
		// A start the account held back moves this run's next one back too: the cap is between starts.
		if (turn && Number.isFinite(turn.startedAt)) this.nextStartAt = Math.max(this.nextStartAt, turn.startedAt + interval);
		return turn;
	}

	/**
	 * Reads the rate-limit headers a server may send with any reply (`RateLimit-Remaining` and
	 * `RateLimit-Reset`, or their `X-RateLimit-` forms): none left until the reset means no request on
	 * the account starts before it. Piopiy's are unknown, so nothing depends on them: without them the
	 * 429s teach the same, one refusal later.
	 */
	recordHeaders(headers: Record<string, unknown>, now = this.clock.now(), epochMs = Date.now()): void {
		this.account.recordHeaders(headers, now, epochMs);
	}

	/**
	 * Tells the account how a turn's request ended: `accepted` (Piopiy answered, anything but 429: it
	 * counts in Piopiy's window, and its round trip is measured), `refused` (429: it does not count,
	 * and it teaches the limit), `none` (no answer: it keeps its place for a window, in case it
	 * arrived) or `unsent` (never sent: its place is free at once).
	 */
	recordAnswer(turn: Turn, answer: TurnAnswer, now = this.clock.now()): void {
		this.account.recordAnswer(turn, answer, now);
	}

	/** The run ended: its requests still waiting give their places back. */
	close(): void {
		this.account.leaveAll(this);
	}

	/** The rate the cap and the pace allow, or undefined for none. Always a positive finite number when defined. */
	currentLimit(): number | undefined {
		const cap = this.options.capPerSecond > 0 ? this.options.capPerSecond : Infinity;
		const limit = Math.min(cap, this.pacedPerSecond());
		return Number.isFinite(limit) && limit > 0 ? limit : undefined;
	}

	/** The requests a second Piopiy is taken to allow (learned from 429s), or undefined before any. */
	learnedPerWindow(): number | undefined {
		return this.account.learnedPerWindow();
	}

	/**
	 * Headroom × concurrency / shortest round trip, or Infinity before any reply and at concurrency 1
	 * (one lane cannot burst). A stale shortest round trip only makes the pace looser, never tighter.
	 */
	private pacedPerSecond(): number {
		const shortest = this.account.shortestRoundTripMs;
		if (this.options.concurrency <= 1 || !Number.isFinite(shortest)) return Infinity;
		return (PACE_HEADROOM * this.options.concurrency * 1000) / shortest;
	}
}
