import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { registerNodeType, runPiopiyNode } from '../test/support/engine';
import { aiCallParameters } from '../test/support/fixtures';
import { ReferenceCallNode } from './referenceNode';
import type { ServerCommand, ServerReport } from './server';

/**
 * `npm run bench`: the AI Call operation over many items through n8n's engine against the Piopiy
 * stand-in (in a child process), one line per scenario. Figures, not pass/fail.
 */

interface Scenario {
	name: string;
	items: number;
	latencyMs: number;
	/** Server-side limit answering 429 + Retry-After. */
	serverRatePerSecond?: number;
	/** The node's Max Concurrent Requests; undefined keeps the node's default. */
	concurrency?: number;
	/** Run the reference node instead (the CPU baseline for the overhead figure). */
	reference?: boolean;
}

const DEFAULT_CONCURRENCY = 5;
const itemsScale = Number(process.env.BENCH_ITEMS_SCALE ?? 1);

const scenarios: Scenario[] = [
	{ name: '(a) latency 100 ms, concurrency 1', items: 1000, latencyMs: 100, concurrency: 1 },
	{ name: '(a) latency 100 ms, concurrency 5', items: 1000, latencyMs: 100, concurrency: 5 },
	{ name: '(a) latency 100 ms, concurrency 20', items: 1000, latencyMs: 100, concurrency: 20 },
	{ name: '(b) latency 100 ms, server limit 20/s, default options', items: 1000, latencyMs: 100, serverRatePerSecond: 20 },
	{ name: '(c) zero latency, 10,000 items, concurrency 20', items: 10_000, latencyMs: 0, concurrency: 20 },
	{ name: '(c) baseline: bare HTTP node, same run', items: 10_000, latencyMs: 0, concurrency: 20, reference: true },
];
const WARM_UP: Scenario = { name: 'warm-up', items: 500, latencyMs: 0, concurrency: 20 };
const REFERENCE_NODE_TYPE = 'bench.referenceCall';
registerNodeType(REFERENCE_NODE_TYPE, new ReferenceCallNode());

async function ask<T>(child: ChildProcess, command: ServerCommand, reply: string): Promise<T> {
	child.send(command);
	for (;;) {
		const [message] = (await once(child, 'message')) as [{ type: string } & T];
		if (message.type === reply) return message;
	}
}

function leads(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, index) => ({ phone: `+91 9${String(index).padStart(9, '0')}` }));
}

async function runScenario(child: ChildProcess, credentials: ICredentialDataDecryptedObject, scenario: Scenario) {
	const items = Math.max(1, Math.round(scenario.items * (scenario === WARM_UP ? 1 : itemsScale)));
	await ask(child, { type: 'configure', latencyMs: scenario.latencyMs, ratePerSecond: scenario.serverRatePerSecond }, 'configured');
	const input = leads(items);
	global.gc?.();
	const rssBefore = process.memoryUsage.rss();
	let rssPeak = rssBefore;
	const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
	const cpuBefore = process.cpuUsage();
	const started = performance.now();

	const { items: output, error } = await runPiopiyNode({
		parameters: aiCallParameters({
			toNumber: '={{ $json.phone }}',
			requestOptions: { concurrency: scenario.concurrency ?? DEFAULT_CONCURRENCY },
		}),
		items: input,
		credentials,
		onError: 'continueRegularOutput',
		nodeType: scenario.reference ? REFERENCE_NODE_TYPE : undefined,
	});

	const wallMs = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);
	clearInterval(sampler);
	rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
	const { report } = await ask<{ report: ServerReport }>(child, { type: 'report' }, 'report');

	const concurrency = scenario.concurrency ?? DEFAULT_CONCURRENCY;
	const limits = [scenario.latencyMs > 0 ? (concurrency * 1000) / scenario.latencyMs : Infinity];
	if (scenario.serverRatePerSecond) limits.push(scenario.serverRatePerSecond);
	const theoretical = Math.min(...limits);
	const perSecond = (items * 1000) / wallMs;
	const succeeded = output.filter((item) => !item.json.error).length;
	const inOrder = output.every((item, index) => (item.pairedItem as { item: number }).item === index);
	return {
		scenario: scenario.name,
		items,
		wall: `${(wallMs / 1000).toFixed(2)} s`,
		'items/s': perSecond.toFixed(1),
		ratio: Number.isFinite(theoretical) ? (perSecond / theoretical).toFixed(3) : 'n/a (no limit)',
		duplicates: report.duplicates,
		lost: items - succeeded + (error ? 1 : 0),
		inOrder,
		'429s': report.rateLimited,
		invalidBodies: report.invalid,
		'cpu µs/item': Math.round((cpu.user + cpu.system) / items),
		'peak RSS growth': `${((rssPeak - rssBefore) / 1024 / 1024).toFixed(1)} MB`,
	};
}

async function main() {
	const child = fork(join(__dirname, 'server.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
	const [ready] = (await once(child, 'message')) as [{ credentials: ICredentialDataDecryptedObject }];
	const only = process.argv[2];
	// The first run in a process pays for loading n8n's HTTP stack and compiling hot code, which an
	// n8n server has long done; a short run first keeps that out of whichever scenario comes first.
	await runScenario(child, ready.credentials, WARM_UP);
	process.stdout.write(
		`Piopiy node benchmark (Node ${process.version}, after a ${WARM_UP.items}-item warm-up); one line per scenario\n`,
	);
	const cpuPerItem: Record<string, number> = {};
	for (const scenario of scenarios) {
		if (only && !scenario.name.startsWith(only)) continue;
		const line = await runScenario(child, ready.credentials, scenario);
		cpuPerItem[scenario.reference ? 'baseline' : scenario.name] = line['cpu µs/item'];
		process.stdout.write(`${JSON.stringify(line)}\n`);
	}
	const node = cpuPerItem['(c) zero latency, 10,000 items, concurrency 20'];
	if (node !== undefined && cpuPerItem.baseline !== undefined) {
		process.stdout.write(
			`${JSON.stringify({ 'node overhead µs/item': node - cpuPerItem.baseline, 'piopiy node µs/item': node, 'bare HTTP node µs/item': cpuPerItem.baseline })}\n`,
		);
	}
	child.kill();
}

void main();
