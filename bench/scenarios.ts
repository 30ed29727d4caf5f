/** The benchmark's scenarios (`npm run bench`); the (a), (b) and (c). */
export interface Scenario {
	name: string;
	items: number;
	latencyMs: number;
	/** Server-side limit answering 429 + Retry-After. */
	serverRatePerSecond?: number;
	/** The node's Max Concurrent Requests; undefined keeps the node's default. */
	concurrency?: number;
	/** Run the reference node instead (the CPU baseline for the overhead figure). */
	reference?: boolean;
	/**
	 * Runs it this many times, each in a fresh process: CPU per item varies by about ±10% from run
	 * to run on a shared machine, and the first big run in a process grows V8's heap by 100-170 MB
	 * whichever node it is, so single figures mislead. The line gives the least CPU, the median memory.
	 */
	runs?: number;
}

export const DEFAULT_CONCURRENCY = 5;

export const scenarios: Scenario[] = [
	{ name: '(a) latency 100 ms, concurrency 1', items: 1000, latencyMs: 100, concurrency: 1 },
	{ name: '(a) latency 100 ms, concurrency 5', items: 1000, latencyMs: 100, concurrency: 5 },
	{ name: '(a) latency 100 ms, concurrency 20', items: 1000, latencyMs: 100, concurrency: 20 },
	{ name: '(b) latency 100 ms, server limit 20/s, default options', items: 1000, latencyMs: 100, serverRatePerSecond: 20 },
	{ name: '(c) zero latency, 10,000 items, concurrency 20', items: 10_000, latencyMs: 0, concurrency: 20, runs: 3 },
	{
		name: '(c) baseline: bare HTTP node, same conditions',
		items: 10_000,
		latencyMs: 0,
		concurrency: 20,
		reference: true,
		runs: 3,
	},
];

/**
 * Run before the measured scenario in each process: the first run in a process pays for loading
 * n8n's HTTP stack and compiling hot code, which an n8n server has long done.
 */
export const WARM_UP: Scenario = { name: 'warm-up', items: 500, latencyMs: 0, concurrency: 20 };
