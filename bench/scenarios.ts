import { DEFAULT_CONCURRENCY } from '../nodes/Piopiy/descriptions/requestOptions.description';

/** The benchmark's scenarios (`npm run bench`); the issues' (a), (b), (c) and (s). */
export interface Scenario {
	name: string;
	items: number;
	latencyMs: number;
	/** Server-side limit answering 429 + Retry-After. */
	serverRatePerSecond?: number;
	/** The limit counted in fixed (calendar) seconds with `Retry-After: 1`, not a rolling second. */
	fixedWindow?: boolean;
	/**
	 * The items arrive as this many executions at once, sharing the items evenly (form submissions:
	 * one item each), all on the same credential; undefined is one execution.
	 */
	executions?: number;
	/** The node's Max Concurrent Requests; undefined keeps the node's default. */
	concurrency?: number;
	/** Run the reference node instead (the CPU baseline for the overhead figure). */
	reference?: boolean;
	/** Run the peer instead: n8n's HTTP Request node at its defaults (bench/peerNode.ts). */
	peer?: boolean;
	/**
	 * Runs it this many times, each in a fresh process: CPU per item varies by about ±10% from run
	 * to run on a shared machine, and so does how far V8 grows its heap, whichever node it is. The
	 * line gives the least CPU and the median memory.
	 */
	runs?: number;
	/**
	 * Runs it a second time in the same process and reports that run's memory too. The first big run
	 * grows V8's heap (garbage headroom, up to about four times the live heap); an n8n server that
	 * has run workflows before has already grown it.
	 */
	againInSameProcess?: boolean;
	/** Too long for the default run (minutes): only run when named, e.g. `npm run bench -- "(s)"`. */
	onlyWhenNamed?: boolean;
}

/** The key of the memory figure of `againInSameProcess`. */
export const RSS_AGAIN = 'peak RSS growth, same run again in that process';

export const scenarios: Scenario[] = [
	{ name: '(a) latency 100 ms, concurrency 1', items: 1000, latencyMs: 100, concurrency: 1 },
	{ name: '(a) latency 100 ms, concurrency 5', items: 1000, latencyMs: 100, concurrency: 5 },
	{ name: '(a) latency 100 ms, concurrency 20', items: 1000, latencyMs: 100, concurrency: 20 },
	// The peer has no concurrency setting: at its defaults it sends every item's request at once.
	{ name: '(a) peer: n8n HTTP Request node at its defaults, latency 100 ms', items: 1000, latencyMs: 100, peer: true },
	{ name: '(b) latency 100 ms, server limit 20/s, default options', items: 1000, latencyMs: 100, serverRatePerSecond: 20 },
	{
		name: '(b) peer: n8n HTTP Request node at its defaults, same conditions',
		items: 1000,
		latencyMs: 100,
		serverRatePerSecond: 20,
		peer: true,
	},
	{
		name: '(burst) 100 executions of one item at once, latency 100 ms, fixed window 5/s, default options',
		items: 100,
		latencyMs: 100,
		serverRatePerSecond: 5,
		fixedWindow: true,
		executions: 100,
	},
	{
		name: '(burst) peer: n8n HTTP Request node at its defaults, same conditions',
		items: 100,
		latencyMs: 100,
		serverRatePerSecond: 5,
		fixedWindow: true,
		executions: 100,
		peer: true,
	},
	{
		name: '(c) zero latency, 10,000 items, concurrency 20',
		items: 10_000,
		latencyMs: 0,
		concurrency: 20,
		runs: 3,
		againInSameProcess: true,
	},
	{
		name: '(c) baseline: bare HTTP node, same conditions',
		items: 10_000,
		latencyMs: 0,
		concurrency: 20,
		reference: true,
		runs: 3,
		againInSameProcess: true,
	},
	{
		name: '(s) one campaign of 100,000 leads, no latency, default options',
		items: 100_000,
		latencyMs: 0,
		onlyWhenNamed: true,
	},
	{
		// What n8n's engine and V8 grow by for the same 100,000 requests with nothing of the node's own.
		name: '(s) baseline: bare HTTP node, same conditions',
		items: 100_000,
		latencyMs: 0,
		concurrency: DEFAULT_CONCURRENCY,
		reference: true,
		onlyWhenNamed: true,
	},
];

/**
 * Run before the measured scenario in each process: the first run in a process pays for loading
 * n8n's HTTP stack and compiling hot code, which an n8n server has long done.
 */
export const WARM_UP: Scenario = { name: 'warm-up', items: 500, latencyMs: 0, concurrency: 20 };
