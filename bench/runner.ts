import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY } from '../nodes/Piopiy/descriptions/requestOptions.description';
import { registerNodeType, runPiopiyNode, type RunOptions } from '../test/support/engine';
import { AGENT_ID, aiCallParameters } from '../test/support/fixtures';
import { loadPeerNode, PEER_SKIPPED, peerParameters } from './peerNode';
import { CALLER_ID, ReferenceCallNode } from './referenceNode';
import { RSS_AGAIN, scenarios, WARM_UP, type Scenario } from './scenarios';
import type { ServerCommand, ServerReport } from './server';

/**
 * One benchmark scenario in this process, after the warm-up, against the Piopiy stand-in in a child
 * process: `bench/campaign.ts` starts one of these per run and collects the line it sends back.
 */

const itemsScale = Number(process.env.BENCH_ITEMS_SCALE ?? 1);
const REFERENCE_NODE_TYPE = 'bench.referenceCall';
registerNodeType(REFERENCE_NODE_TYPE, new ReferenceCallNode());
const PEER_NODE_TYPE = 'bench.httpRequest';
const peer = loadPeerNode();
if (peer) registerNodeType(PEER_NODE_TYPE, peer.node);

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
	const items = Math.max(1, Math.round(scenario.items * (scenario.name === WARM_UP.name ? 1 : itemsScale)));
	await ask(
		child,
		{ type: 'configure', latencyMs: scenario.latencyMs, ratePerSecond: scenario.serverRatePerSecond, fixedWindow: scenario.fixedWindow },
		'configured',
	);
	const input = leads(items);
	global.gc?.();
	const heapBefore = process.memoryUsage().heapUsed;
	const rssBefore = process.memoryUsage.rss();
	let rssPeak = rssBefore;
	const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
	const cpuBefore = process.cpuUsage();
	const started = performance.now();

	const run = async (items: IDataObject[]) =>
		await runPiopiyNode(
			scenario.peer ? peerRun(credentials, items) : {
				parameters: aiCallParameters({
					toNumber: '={{ $json.phone }}',
					// No concurrency given: the node's own default, as a user who leaves the options alone gets.
					...(scenario.concurrency === undefined ? {} : { requestOptions: { concurrency: scenario.concurrency } }),
				}),
				items,
				credentials,
				onError: 'continueRegularOutput',
				nodeType: scenario.reference ? REFERENCE_NODE_TYPE : undefined,
			},
		);
	// Several executions at once (a burst of form submissions) share the process, as in one n8n.
	const executions = Math.max(1, scenario.executions ?? 1);
	const perExecution = Math.ceil(input.length / executions);
	const runs = await Promise.all(
		Array.from({ length: executions }, async (_, index) => await run(input.slice(index * perExecution, (index + 1) * perExecution))),
	);
	const output = runs.flatMap((each) => each.items);
	const failedExecutions = runs.filter((each) => each.error || each.items.some((item) => item.json.error)).length;
	const error = executions === 1 ? runs[0].error : undefined;

	const wallMs = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);
	clearInterval(sampler);
	rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
	const { report } = await ask<{ report: ServerReport }>(child, { type: 'report' }, 'report');

	// The HTTP Request node sends every item's request at once (no batching at its defaults).
	const concurrency = scenario.peer ? Infinity : (scenario.concurrency ?? DEFAULT_CONCURRENCY);
	const limits = [scenario.latencyMs > 0 ? (concurrency * 1000) / scenario.latencyMs : Infinity];
	if (scenario.serverRatePerSecond) limits.push(scenario.serverRatePerSecond);
	const theoretical = Math.min(...limits);
	const perSecond = (items * 1000) / wallMs;
	// What the run still holds once garbage is gone: n8n keeps the input and output items. Measured
	// before `output` is last used, so the output items are still alive.
	global.gc?.();
	const heapHeld = process.memoryUsage().heapUsed - heapBefore;
	const succeeded = output.filter((item) => !item.json.error).length;
	const lost = items - succeeded + (error ? 1 : 0);
	const inOrder = output.every((item, index) => (item.pairedItem as { item: number }).item === index % perExecution);
	return {
		scenario: scenario.name,
		items,
		wall: `${(wallMs / 1000).toFixed(2)} s`,
		'items/s': perSecond.toFixed(1),
		// A campaign's pace against the limit means something only when every lead was called.
		ratio: !Number.isFinite(theoretical)
			? 'n/a (no limit)'
			: lost > 0
				? `n/a (${items - report.placedNumbers} of ${items} leads not called)`
				: (perSecond / theoretical).toFixed(3),
		'sent OK': succeeded,
		/** Output items that carry an error: the node gave up on these leads and said so. */
		failed: output.length - succeeded,
		duplicates: report.duplicates,
		lost,
		inOrder,
		'429s': report.rateLimited,
		'429 share': `${((report.rateLimited / Math.max(1, report.requests)) * 100).toFixed(1)} %`,
		...(executions > 1 ? { executions, 'executions failed': failedExecutions, 'first to last call': `${(report.placedSpanMs / 1000).toFixed(1)} s` } : {}),
		invalidBodies: report.invalid,
		'cpu µs/item': Math.round((cpu.user + cpu.system) / items),
		'items/s first tenth': report.perSecondFirstTenth.toFixed(1),
		'items/s last tenth': report.perSecondLastTenth.toFixed(1),
		'peak RSS growth': `${((rssPeak - rssBefore) / 1024 / 1024).toFixed(1)} MB`,
		'heap held after GC': `${(heapHeld / 1024 / 1024).toFixed(1)} MB`,
	};
}

/** The run of the peer (bench/peerNode.ts) on the same leads, On Error set to continue as the others. */
function peerRun(credentials: ICredentialDataDecryptedObject, input: IDataObject[]): RunOptions {
	if (!peer) throw new Error(PEER_SKIPPED);
	return {
		parameters: peerParameters(credentials, CALLER_ID, AGENT_ID),
		items: input,
		credentials,
		onError: 'continueRegularOutput',
		nodeType: PEER_NODE_TYPE,
		// The engine places every node at version 1; the HTTP Request node reads its parameters by version.
		shape: (source, node) => ({
			nodes: [source, { ...node, typeVersion: peer.typeVersion }],
			connections: { [source.name]: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
		}),
	};
}

export type RunLine = Awaited<ReturnType<typeof runScenario>> & { [RSS_AGAIN]?: string };

async function main() {
	const scenario = scenarios.find((candidate) => candidate.name === process.argv[2]);
	if (!scenario) throw new Error(`No scenario named ${JSON.stringify(process.argv[2])}`);
	const child = fork(join(__dirname, 'server.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
	const [ready] = (await once(child, 'message')) as [{ credentials: ICredentialDataDecryptedObject }];
	// The peer warms up its own code; the others warm up n8n's HTTP stack through the Piopiy node.
	await runScenario(child, ready.credentials, { ...WARM_UP, peer: scenario.peer && peer !== undefined });
	// The warm-up and the scenario share the account (one process, one credential). A quiet while
	// between them, as between a server's campaigns: what the warm-up's unlimited burst let through
	// says nothing of the scenario's limit, and the node starts carefully again after one.
	await new Promise((resolve) => setTimeout(resolve, 2500));
	let line: RunLine = await runScenario(child, ready.credentials, scenario);
	if (scenario.againInSameProcess) {
		const again = await runScenario(child, ready.credentials, scenario);
		line = { ...line, [RSS_AGAIN]: again['peak RSS growth'] };
	}
	child.kill();
	process.send?.(line, () => process.exit(0));
}

void main();
