import { sleep } from 'n8n-workflow';

const WINDOW_MS = 1000;
/** After each quiet second, the learned rate grows by this factor, to find out if Piopiy allows more. */
const PROBE_GROWTH = 1.05;

/**
 * Spaces request starts for one execution. Two limits apply, the lower wins:
 * - the user's cap (Max Requests per Second; 0 means none);
 * - the rate Piopiy is seen to accept: after a 429, the number of requests Piopiy accepted in the
 *   last second. It grows back slowly while no 429 comes, so a campaign settles just under Piopiy's
 *   limit without the user knowing it, instead of hammering it and waiting out refusals.
 */
export class RateLimiter {
	private nextStartAt = 0;
	private learnedPerSecond: number | undefined;
	private learnedAt = 0;
	private readonly acceptedAt: number[] = [];

	constructor(private readonly capPerSecond: number) {}

	async waitForTurn(): Promise<void> {
		const perSecond = this.currentLimit();
		if (perSecond === undefined) return;
		const now = Date.now();
		const startAt = Math.max(now, this.nextStartAt);
		this.nextStartAt = startAt + 1000 / perSecond;
		if (startAt > now) await sleep(startAt - now);
	}

	/** Tells the limiter how Piopiy answered; only a 429 lowers the rate. */
	recordReply(rateLimited: boolean, now = Date.now()): void {
		while (this.acceptedAt.length > 0 && this.acceptedAt[0] <= now - WINDOW_MS) this.acceptedAt.shift();
		if (!rateLimited) {
			this.acceptedAt.push(now);
			return;
		}
		this.learnedPerSecond = Math.max(1, this.acceptedAt.length);
		this.learnedAt = now;
	}

	/** The rate in force now, or undefined for no limit. */
	currentLimit(now = Date.now()): number | undefined {
		const cap = this.capPerSecond > 0 ? this.capPerSecond : Infinity;
		let learned = Infinity;
		if (this.learnedPerSecond !== undefined) {
			const quietSeconds = Math.floor((now - this.learnedAt) / WINDOW_MS);
			learned = this.learnedPerSecond * PROBE_GROWTH ** quietSeconds;
		}
		const limit = Math.min(cap, learned);
		return Number.isFinite(limit) ? limit : undefined;
	}
}
