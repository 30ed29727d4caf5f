import { fork, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';

import { PEER_SKIPPED, peerAvailable } from './peerNode';
import type { RunLine } from './runner';
import { RSS_AGAIN, scenarios, WARM_UP, type Scenario } from './scenarios';

/**
 * `npm run bench`: the AI Call operation over many items through n8n's engine against the Piopiy
 * stand-in, one line per scenario, with the bare reference node and the peer (n8n's HTTP Request node,
 * bench/peerNode.ts) beside it where the scenario has them. Figures, not pass/fail. Each run is a
 * fresh process (bench/runner.ts) so no scenario inherits another's heap or compiled code. Optional argument: a scenario-name prefix
 * (the only way to run (s), 100,000 leads, which takes minutes).
 */

async function runInFreshProcess(scenario: Scenario): Promise<RunLine> {
	const runner = fork(join(__dirname, 'runner.ts'), [scenario.name], {
		execArgv: ['--expose-gc', '--import', 'tsx'],
		stdio: 'inherit',
	});
	let line: RunLine | undefined;
	runner.on('message', (message: RunLine) => (line = message));
	// 'close' comes after the IPC channel has delivered everything, and also when the run crashed.
	const [code] = (await once(runner, 'close')) as [number | null];
	if (!line) throw new Error(`The run of "${scenario.name}" ended without a result (exit code ${code})`);
	return line;
}

/** "median (least-most)" of a memory figure over runs. */
function medianAndRange(figures: Array<string | undefined>): string {
	const megabytes = figures.map((figure) => parseFloat(figure ?? 'NaN')).sort((a, b) => a - b);
	const median = megabytes[Math.floor(megabytes.length / 2)];
	return `${median.toFixed(1)} MB (median; ${megabytes[0].toFixed(1)}-${megabytes[megabytes.length - 1].toFixed(1)})`;
}

/** One line for a scenario run `runs` times: the run with the least CPU, the median memory. */
async function measure(scenario: Scenario) {
	const lines: RunLine[] = [];
	for (let run = 0; run < (scenario.runs ?? 1); run++) lines.push(await runInFreshProcess(scenario));
	if (lines.length === 1) return lines[0];
	const best = lines.reduce((a, b) => (b['cpu µs/item'] < a['cpu µs/item'] ? b : a));
	return {
		...best,
		runs: lines.length,
		duplicates: lines.reduce((sum, line) => sum + line.duplicates, 0),
		lost: lines.reduce((sum, line) => sum + line.lost, 0),
		inOrder: lines.every((line) => line.inOrder),
		'peak RSS growth': medianAndRange(lines.map((line) => line['peak RSS growth'])),
		...(scenario.againInSameProcess ? { [RSS_AGAIN]: medianAndRange(lines.map((line) => line[RSS_AGAIN])) } : {}),
	};
}

/**
 * The queue-mode line: the first test of test/e2e/queue.e2e.ts (a real n8n 2.41.1 with Redis and two
 * workers, four campaigns at once) writes it where PIOPIY_BENCH_QUEUE_OUT says.
 */
function measureQueueMode(): unknown {
	const out = join(os.tmpdir(), `piopiy-bench-queue-${process.pid}.json`);
	const run = spawnSync('npx', ['jest', '-c', 'jest.e2e.config.js', 'queue', '-t', 'four campaigns'], {
		cwd: resolve(__dirname, '..'),
		env: { ...process.env, PIOPIY_BENCH_QUEUE_OUT: out },
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	if (!fs.existsSync(out)) throw new Error(`the queue-mode run printed no result (exit ${run.status})`);
	const line = JSON.parse(fs.readFileSync(out, 'utf8')) as unknown;
	fs.rmSync(out, { force: true });
	return line;
}

async function main() {
	const args = process.argv.slice(2);
	const queueMode = args.includes('--queue');
	const only = args.find((arg) => arg !== '--queue');
	process.stdout.write(
		`Piopiy node benchmark (Node ${process.version}; each run a fresh process after a ${WARM_UP.items}-item warm-up); one line per scenario\n`,
	);
	const cpuPerItem: Record<string, number> = {};
	for (const scenario of scenarios) {
		if (only ? !scenario.name.startsWith(only) : scenario.onlyWhenNamed) continue;
		if (scenario.peer && !peerAvailable()) {
			process.stdout.write(`${JSON.stringify({ scenario: scenario.name, result: PEER_SKIPPED })}\n`);
			continue;
		}
		const line = await measure(scenario);
		if (scenario.latencyMs === 0) cpuPerItem[scenario.reference ? 'baseline' : 'node'] = line['cpu µs/item'];
		process.stdout.write(`${JSON.stringify(line)}\n`);
	}
	const { node, baseline } = cpuPerItem;
	if (node !== undefined && baseline !== undefined) {
		process.stdout.write(
			`${JSON.stringify({ 'node overhead µs/item': node - baseline, 'piopiy node µs/item': node, 'bare HTTP node µs/item': baseline })}\n`,
		);
	}
	if (queueMode) process.stdout.write(`${JSON.stringify(measureQueueMode())}\n`);
}

void main();
