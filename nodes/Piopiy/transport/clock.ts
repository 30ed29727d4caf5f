import { sleep } from 'n8n-workflow';

/** Time as the transport reads it and waits on it; tests inject their own to run waits instantly. */
export interface Clock {
	/** Milliseconds from an arbitrary origin; only differences mean anything. */
	now(): number;
	/** Waits `ms`, or less: it ends early, without an error, when `stop` aborts (the execution was stopped). */
	sleep(ms: number, stop?: AbortSignal): Promise<void>;
}

/**
 * Longest single timer of a wait that a stop can end. n8n's rules allow only n8n-workflow's `sleep`,
 * which cannot be cancelled: a wait is a series of short sleeps, so a stopped one leaves no timer
 * running for longer than this.
 */
const STOP_CHECK_MS = 250;

async function sleepUnlessStopped(ms: number, stop?: AbortSignal): Promise<void> {
	if (!stop) return await sleep(ms);
	let onStop = () => {};
	const stopped = new Promise<void>((resolve) => (onStop = resolve));
	stop.addEventListener('abort', onStop, { once: true });
	try {
		const end = performance.now() + ms;
		for (let left = ms; left > 0 && !stop.aborted; left = end - performance.now()) {
			await Promise.race([sleep(Math.min(left, STOP_CHECK_MS)), stopped]);
		}
	} finally {
		stop.removeEventListener('abort', onStop);
	}
}

/** `performance.now()` only moves forward: a change of the system time cannot stretch or skip a wait. */
export const MONOTONIC_CLOCK: Clock = { now: () => performance.now(), sleep: sleepUnlessStopped };
