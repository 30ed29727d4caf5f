import { sleep } from 'n8n-workflow';

/** Time as the transport reads it and waits on it; tests inject their own to run waits instantly. */
export interface Clock {
	/** Milliseconds from an arbitrary origin; only differences mean anything. */
	now(): number;
	sleep(ms: number): Promise<void>;
}

/** `performance.now()` only moves forward: a change of the system time cannot stretch or skip a wait. */
export const MONOTONIC_CLOCK: Clock = { now: () => performance.now(), sleep };
