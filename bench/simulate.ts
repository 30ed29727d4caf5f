import { DEFAULT_CONCURRENCY } from '../nodes/Piopiy/descriptions/requestOptions.description';
import { judgeReply } from '../nodes/Piopiy/helpers/response';
import type { Clock } from '../nodes/Piopiy/transport/clock';
import { AccountLimiter, RateLimiter } from '../nodes/Piopiy/transport/rateLimiter';
import { sendUntilSettled } from '../nodes/Piopiy/transport/request';
import { DEFAULT_RETRY_SETTINGS, type AttemptOutcome } from '../nodes/Piopiy/transport/retryPolicy';
import { seededRandom } from '../test/support/faults';
import { fairShares, ratioToLimit, type AcceptedRequest } from '../test/support/sharedLimit';

/**
 * `npm run bench:simulate`: the node's real limiter and retry loop (`sendUntilSettled`) in virtual
 * time, against a modelled Piopiy that limits requests and answers 429 + Retry-After. No CPU, no
 * network: the ratio and the 429 share of the algorithm itself, exactly and in seconds, the same on
 * every run (seeded jitter). The wall-clock bench (`npm run bench`) then says what n8n's engine and
 * a shared CPU take off that.
 */

/** A clock whose time moves only when every lane is waiting: then it jumps to the next timer. */
class VirtualClock implements Clock {
	private time = 0;
	private sequence = 0;
	private readonly timers: Array<{ at: number; sequence: number; wake: () => void }> = [];

	now(): number {
		return this.time;
	}

	async sleep(ms: number, stop?: AbortSignal): Promise<void> {
		if (stop?.aborted) return;
		await new Promise<void>((wake) => {
			const timer = { at: this.time + Math.max(0, ms), sequence: this.sequence++, wake };
			this.timers.push(timer);
			stop?.addEventListener(
				'abort',
				() => {
					const index = this.timers.indexOf(timer);
					if (index >= 0) this.timers.splice(index, 1);
					wake();
				},
				{ once: true },
			);
		});
	}

	/** Runs until `work` settles, moving time from timer to timer whenever nothing else can run. */
	async run<T>(work: Promise<T>): Promise<T> {
		let done = false;
		const result = work.finally(() => (done = true));
		while (!done) {
			// setImmediate runs after every pending promise callback: everything that can run has.
			await new Promise((resolve) => setImmediate(resolve));
			if (done || this.timers.length === 0) continue;
			this.timers.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
			const next = this.timers.shift()!;
			this.time = Math.max(this.time, next.at);
			next.wake();
		}
		return await result;
	}
}

type ServerKind = 'rolling window' | 'fixed window' | 'token bucket';

/** A Piopiy that accepts `perSecond` requests; the stand-in's rule is the rolling window. */
class ModelServer {
	readonly accepted: AcceptedRequest[] = [];
	readonly refusedAt: AcceptedRequest[] = [];
	get refused(): number {
		return this.refusedAt.length;
	}
	private readonly window: number[] = [];
	private tokens: number;
	private refilledAt = 0;

	constructor(
		private readonly kind: ServerKind,
		private readonly perSecond: number,
	) {
		this.tokens = perSecond;
	}

	/** Undefined: accepted. A number: refused, with this Retry-After in whole seconds. */
	decide(at: number, campaign: number): number | undefined {
		let retryAfterMs: number | undefined;
		if (this.kind === 'rolling window') {
			while (this.window.length > 0 && this.window[0] <= at - 1000) this.window.shift();
			if (this.window.length >= this.perSecond) retryAfterMs = this.window[0] + 1000 - at;
			else this.window.push(at);
		} else if (this.kind === 'fixed window') {
			const second = Math.floor(at / 1000);
			while (this.window.length > 0 && Math.floor(this.window[0] / 1000) < second) this.window.shift();
			if (this.window.length >= this.perSecond) retryAfterMs = (second + 1) * 1000 - at;
			else this.window.push(at);
		} else {
			this.tokens = Math.min(this.perSecond, this.tokens + ((at - this.refilledAt) * this.perSecond) / 1000);
			this.refilledAt = at;
			if (this.tokens < 1) retryAfterMs = ((1 - this.tokens) * 1000) / this.perSecond;
			else this.tokens -= 1;
		}
		if (retryAfterMs === undefined) {
			this.accepted.push({ at, campaign });
			return undefined;
		}
		this.refusedAt.push({ at, campaign });
		return Math.max(1, Math.ceil(retryAfterMs / 1000));
	}
}

export interface SimulatedScenario {
	name: string;
	server: ServerKind;
	limitPerSecond: number;
	latencyMs: number;
	/**
	 * Each campaign: its leads, when it starts (ms), and the n8n process it runs in (0 unless given):
	 * campaigns in one process share the account's limiter, in different ones nothing but the server.
	 */
	campaigns: Array<{ leads: number; startAtMs: number; process?: number }>;
	concurrency?: number;
	/** The node's Max Requests per Second; 0 or undefined for none (the default). */
	capPerSecond?: number;
	/** Up to this many ms added at random to each one-way trip (a busy CPU, a network). */
	jitterMs: number;
	seed: number;
}

export interface SimulatedResult {
	scenario: string;
	ratio: number;
	'429 share': number;
	duplicates: number;
	lost: number;
	/** Each campaign's accepted requests while all ran, as a share of an even split (1 = fair). */
	fairShares: number[];
	/** From the first accepted request to the last, in seconds. */
	spanS: number;
	/** 429s to each campaign in its first 5 s. */
	earlyRefusals: number[];
}

async function runCampaign(
	clock: VirtualClock,
	account: AccountLimiter,
	server: ModelServer,
	scenario: SimulatedScenario,
	campaign: number,
	random: () => number,
): Promise<number> {
	const { leads, startAtMs } = scenario.campaigns[campaign];
	await clock.sleep(startAtMs);
	const concurrency = scenario.concurrency ?? DEFAULT_CONCURRENCY;
	const rateLimiter = new RateLimiter({ capPerSecond: scenario.capPerSecond ?? 0, concurrency, account });
	const trip = async () => await clock.sleep(scenario.latencyMs / 2 + random() * scenario.jitterMs);
	const send = async (): Promise<AttemptOutcome> => {
		await trip();
		const retryAfter = server.decide(clock.now(), campaign);
		await trip();
		const statusCode = retryAfter === undefined ? 200 : 429;
		const body = retryAfter === undefined ? { success: true, data: { call_id: 'c' } } : { success: false };
		const headers = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
		return { kind: 'reply', statusCode, headers, body, verdict: judgeReply(statusCode, body) };
	};
	let next = 0;
	let settled = 0;
	const lane = async () => {
		while (next < leads) {
			next++;
			const result = await sendUntilSettled('placesCall', send, { retry: DEFAULT_RETRY_SETTINGS, rateLimiter }, random);
			if (result.why === 'done') settled++;
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, leads) }, lane));
	rateLimiter.close();
	return settled;
}

export async function simulate(scenario: SimulatedScenario): Promise<SimulatedResult> {
	const clock = new VirtualClock();
	const server = new ModelServer(scenario.server, scenario.limitPerSecond);
	const random = seededRandom(scenario.seed);
	const accounts = new Map<number, AccountLimiter>();
	const accountOf = (process = 0) => accounts.get(process) ?? accounts.set(process, new AccountLimiter(clock)).get(process)!;
	const running = scenario.campaigns.map((campaign, index) =>
		runCampaign(clock, accountOf(campaign.process), server, scenario, index, random),
	);
	const settled = await clock.run(Promise.all(running));
	const total = scenario.campaigns.reduce((sum, campaign) => sum + campaign.leads, 0);
	const campaigns = scenario.campaigns.map((_, campaign) => campaign);
	return {
		scenario: scenario.name,
		ratio: ratioToLimit(server.accepted, scenario.limitPerSecond),
		'429 share': server.refused / (server.refused + server.accepted.length),
		duplicates: server.accepted.length - total,
		lost: total - settled.reduce((sum, count) => sum + count, 0),
		fairShares: fairShares(server.accepted, campaigns),
		...(process.env.SIM_TRACE ? { refusals: server.refusedAt.map((r) => Math.round(r.at)) } : {}),
		spanS: (server.accepted[server.accepted.length - 1].at - server.accepted[0].at) / 1000,
		earlyRefusals: scenario.campaigns.map(
			(campaign, index) =>
				server.refusedAt.filter((refusal) => refusal.campaign === index && refusal.at < campaign.startAtMs + 5000).length,
		),
	};
}

const SEEDS = [1, 2, 3, 4, 5, 6];

/** Two queue-mode workers: campaign c runs in process c % 2. */
const onTwoWorkers = (campaigns: Array<{ leads: number; startAtMs: number }>) =>
	campaigns.map((campaign, index) => ({ ...campaign, process: index % 2 }));

export const simulatedScenarios = (seed: number, jitterMs: number): SimulatedScenario[] => [
	...(['rolling window', 'fixed window', 'token bucket'] as const).map((server) => ({
		name: `(b) 1,000 leads, 100 ms, ${server} 20/s`,
		server,
		limitPerSecond: 20,
		latencyMs: 100,
		campaigns: [{ leads: 1000, startAtMs: 0 }],
		jitterMs,
		seed,
	})),
	...(['rolling window', 'fixed window'] as const).map((server) => ({
		name: `(burst) 100 executions of one item at once, 100 ms, ${server} 5/s`,
		server,
		limitPerSecond: 5,
		latencyMs: 100,
		campaigns: Array.from({ length: 100 }, (_, index) => ({ leads: 1, startAtMs: index * 0.01 })),
		jitterMs,
		seed,
	})),
	{
		name: '(seq) two campaigns of 400 leads one after the other (25 s apart), 100 ms, fixed window 20/s',
		server: 'fixed window',
		limitPerSecond: 20,
		latencyMs: 100,
		campaigns: [
			{ leads: 400, startAtMs: 0 },
			{ leads: 400, startAtMs: 25_000 },
		],
		jitterMs,
		seed,
	},
	{
		name: '(one process) 4 campaigns x 250 leads sharing a rolling window of 20/s, started 150 ms apart',
		server: 'rolling window',
		limitPerSecond: 20,
		latencyMs: 100,
		campaigns: [0, 1, 2, 3].map((c) => ({ leads: 250, startAtMs: c * 150 })),
		jitterMs,
		seed,
	},
	{
		name: '(one process) a 5,000-lead campaign and an AI Agent call of 1 lead 10 s later, 20/s',
		server: 'rolling window',
		limitPerSecond: 20,
		latencyMs: 100,
		campaigns: [
			{ leads: 5000, startAtMs: 0 },
			{ leads: 1, startAtMs: 10_000 },
		],
		jitterMs,
		seed,
	},
	{
		name: '(q) 4 campaigns x 250 leads on 2 workers sharing a rolling window of 20/s',
		server: 'rolling window',
		limitPerSecond: 20,
		latencyMs: 100,
		campaigns: onTwoWorkers([0, 1, 2, 3].map((c) => ({ leads: 250, startAtMs: c * 150 }))),
		jitterMs,
		seed,
	},
	...(['rolling window', 'fixed window'] as const).map((server) => ({
		name: `(q) the same, 2 ms from Piopiy (as in the queue-mode test), started 300 ms apart, ${server}`,
		server,
		limitPerSecond: 20,
		latencyMs: 2,
		campaigns: onTwoWorkers([0, 1, 2, 3].map((c) => ({ leads: 250, startAtMs: c * 300 }))),
		jitterMs,
		seed,
	})),
	{
		name: '(q) two campaigns on 2 workers, 3,000 and 600 leads, the second 2 s later, 2 ms from Piopiy',
		server: 'rolling window',
		limitPerSecond: 20,
		latencyMs: 2,
		campaigns: onTwoWorkers([
			{ leads: 3000, startAtMs: 0 },
			{ leads: 600, startAtMs: 2000 },
		]),
		jitterMs,
		seed,
	},
];

async function main() {
	const jitterMs = Number(process.argv[2] ?? 5);
	const names = simulatedScenarios(0, jitterMs).map((scenario) => scenario.name);
	for (const [index, name] of names.entries()) {
		const runs: SimulatedResult[] = [];
		for (const seed of SEEDS) runs.push(await simulate({ ...simulatedScenarios(seed, jitterMs)[index] }));
		const ratios = runs.map((run) => run.ratio).sort((a, b) => a - b);
		const shares = runs.map((run) => run['429 share']).sort((a, b) => a - b);
		const fair = runs.flatMap((run) => run.fairShares);
		process.stdout.write(
			`${JSON.stringify({
				scenario: `${name}, jitter ${jitterMs} ms, ${SEEDS.length} seeds`,
				ratio: `${ratios[0].toFixed(3)}-${ratios[ratios.length - 1].toFixed(3)}`,
				'429 share': `${(shares[0] * 100).toFixed(1)}-${(shares[shares.length - 1] * 100).toFixed(1)} %`,
				...(fair.length > SEEDS.length && fair.length <= 4 * SEEDS.length
					? { 'fair share': `${Math.min(...fair).toFixed(2)}-${Math.max(...fair).toFixed(2)}` }
					: {}),
				'first to last accepted': `${Math.min(...runs.map((run) => run.spanS)).toFixed(1)}-${Math.max(...runs.map((run) => run.spanS)).toFixed(1)} s`,
				'429s in a campaign\'s first 5 s (most)': Math.max(...runs.map((run) => Math.max(...run.earlyRefusals.slice(1)))),
				duplicates: runs.reduce((sum, run) => sum + run.duplicates, 0),
				lost: runs.reduce((sum, run) => sum + run.lost, 0),
			})}\n`,
		);
	}
}

if (require.main === module) void main();
