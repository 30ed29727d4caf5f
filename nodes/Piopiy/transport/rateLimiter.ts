import { sleep } from 'n8n-workflow';

/**
 * Spaces request starts so that no more than `perSecond` begin in any second. Shared by all items of
 * one execution; a limit of 0 means no limit.
 */
export class RateLimiter {
	private nextStartAt = 0;

	constructor(private readonly perSecond: number) {}

	async waitForTurn(): Promise<void> {
		if (!(this.perSecond > 0)) return;
		const interval = 1000 / this.perSecond;
		const now = Date.now();
		const startAt = Math.max(now, this.nextStartAt);
		this.nextStartAt = startAt + interval;
		if (startAt > now) await sleep(startAt - now);
	}

	/** After a 429 every request waits, not only the one that was refused. */
	pauseAll(ms: number): void {
		this.nextStartAt = Math.max(this.nextStartAt, Date.now() + ms);
	}
}
