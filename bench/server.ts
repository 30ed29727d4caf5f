import { echoNumber, fixedWindowLimit, rateLimit, withLatency } from '../test/support/faults';
import { PiopiyTestServer, type Behaviour } from '../test/support/piopiyServer';

/**
 * The benchmark's Piopiy stand-in, in its own process so the benchmark measures only the n8n side.
 * Commands arrive over IPC: configure a scenario, then report what was received.
 */
export type ServerCommand =
	| { type: 'configure'; latencyMs: number; ratePerSecond?: number; fixedWindow?: boolean }
	| { type: 'report' };

export interface ServerReport {
	requests: number;
	rateLimited: number;
	invalid: number;
	/** Calls placed per number, duplicates counted. */
	duplicates: number;
	placedNumbers: number;
	/** From the first placed call to the last, in ms. */
	placedSpanMs: number;
	/** Accepted calls a second in the first and the last tenth of them (by arrival): does the pace hold? */
	perSecondFirstTenth: number;
	perSecondLastTenth: number;
}

/** Calls a second over `times[from..to)`, sorted arrival times in ms. */
function perSecond(times: number[], from: number, to: number): number {
	const spanMs = times[to - 1] - times[from];
	return spanMs > 0 ? ((to - from - 1) * 1000) / spanMs : 0;
}

async function main() {
	const server = await new PiopiyTestServer().start();
	const send = (message: unknown) => process.send?.(message);
	// The runner that started this stand-in is gone (finished or crashed): so is the stand-in.
	process.on('disconnect', () => process.exit(0));

	process.on('message', (command: ServerCommand) => {
		if (command.type === 'configure') {
			server.reset();
			const limit = !command.ratePerSecond
				? undefined
				: command.fixedWindow
					? fixedWindowLimit(command.ratePerSecond)
					: rateLimit(command.ratePerSecond, { retryAfter: true });
			const inner: Behaviour = (request, s) => limit?.(request, s) ?? echoNumber(request, s);
			server.behaviour = command.latencyMs > 0 ? withLatency(command.latencyMs, inner) : inner;
			send({ type: 'configured' });
			return;
		}
		const perNumber = new Map<string, number>();
		for (const request of server.placedCalls()) {
			const number = (request.body as { to_number: string }).to_number;
			perNumber.set(number, (perNumber.get(number) ?? 0) + 1);
		}
		const placedAt = server.placedCalls().map((request) => request.receivedAt);
		const tenth = Math.max(2, Math.floor(placedAt.length / 10));
		const report: ServerReport = {
			requests: server.requests.length,
			rateLimited: server.requests.filter((request) => request.status === 429).length,
			invalid: server.requests.filter((request) => request.violations.length > 0).length,
			duplicates: [...perNumber.values()].reduce((sum, count) => sum + count - 1, 0),
			placedNumbers: perNumber.size,
			placedSpanMs: placedAt.length > 0 ? Math.max(...placedAt) - Math.min(...placedAt) : 0,
			perSecondFirstTenth: perSecond(placedAt, 0, Math.min(tenth, placedAt.length)),
			perSecondLastTenth: perSecond(placedAt, Math.max(0, placedAt.length - tenth), placedAt.length),
		};
		send({ type: 'report', report });
	});
	send({ type: 'ready', credentials: server.credentials() });
}

void main();
