/**
 * `npm run live-check`: settles the unknowns of docs/piopiy-api.md ("What is unknown") against the
 * real Piopiy, for whoever holds an account. Without flags it sends only requests that can ring no
 * phone (the credential's Test, Get Balance, hang-ups of a call that does not exist, one invalid body),
 * prints a table (each unknown, what was observed, whether the node agrees) and writes the raw answers,
 * secrets removed, to a JSON file. `--call <your number> --public-url <tunnel>` adds ONE call that
 * asks for a key or a word and prints what Piopiy posts. `--help` lists the options and variables.
 */
import { createInterface } from 'node:readline/promises';
import path from 'node:path';

import { attempt, InvalidCredentialError } from '../nodes/Piopiy/helpers/errors';
import { readConfig, type CallPlan, type LiveCheckConfig } from './live-check/config';
import { credentialVerdict } from './live-check/credentialVerdict';
import { sendOnce, type Exchange } from './live-check/exchange';
import { startListener, type Listener } from './live-check/listener';
import { findingsTable, secretsOf, writeRedactedReport } from './live-check/report';
import { probes } from './live-check/requests';
import { findings, type CallObservation } from './live-check/unknowns';
import { redactSecrets } from '../nodes/shared/redact';
import { PROJECT_ROOT } from './sandbox/config';

export interface LiveCheckIo {
	out(line: string): void;
	/** Asks before ringing; undefined when there is no terminal to ask on. */
	confirm?: (question: string) => Promise<boolean>;
}

const REACHABLE_TIMEOUT_MS = 10_000;

/** Whether the public URL leads to the listener: a GET through it must arrive before a phone rings. */
async function publicUrlReaches(plan: CallPlan, listener: Listener): Promise<string | undefined> {
	const probePath = `${plan.answerPath}/reachable`;
	let problem: string | undefined;
	try {
		await fetch(`${plan.publicUrl}${probePath}`, { signal: AbortSignal.timeout(REACHABLE_TIMEOUT_MS) });
	} catch (error) {
		problem = (error as Error).message;
	}
	const arrived = await listener.waitFor((post) => post.url === probePath, problem ? 0 : 1000);
	return arrived ? undefined : `${plan.publicUrl} does not reach the listener on port ${plan.listenPort}${problem ? ` (${problem})` : ''}`;
}

async function askTheCaller(config: LiveCheckConfig, plan: CallPlan, listener: Listener, out: (line: string) => void): Promise<CallObservation> {
	const unreachable = await publicUrlReaches(plan, listener);
	if (unreachable) return { placed: false, why: `no call placed: ${unreachable}` };
	out(`Placing ONE call to ${plan.toNumber} (rings at most 30 s, lasts at most 60 s)…`);
	const exchange = await sendOnce(config, 'questionCall', 'one Call and Ask-like PCMO call to your number', plan.request);
	const observation: CallObservation = { placed: true, exchange, nonce: plan.nonce, answerPath: plan.answerPath, received: listener.received };
	if (exchange.reply?.verdict.kind !== 'accepted') {
		out(`Piopiy did not accept the call (${exchange.reply ? `HTTP ${exchange.reply.status}` : exchange.error}); not waiting for an answer.`);
		return observation;
	}
	out(`Answer the phone and press a key or say a few words. Waiting up to ${plan.waitMs / 1000} s for Piopiy's post…`);
	observation.answer = await listener.waitFor(
		(post) => post.method === 'POST' && post.url.startsWith(plan.answerPath) && !post.url.startsWith(`${plan.answerPath}/reachable`),
		plan.waitMs,
	);
	return observation;
}

/** Runs the check; returns the exit code (0: done, 1: the node disagrees with something observed). */
export async function runLiveCheck(config: LiveCheckConfig, io: LiveCheckIo): Promise<number> {
	const plan = config.call;
	if (plan && !plan.confirmed) {
		const question = `This rings ${plan.toNumber} once (from your Piopiy number, at your cost). Go on? [y/N] `;
		if (!io.confirm) {
			io.out('Nothing was sent: --call rings a phone, and there is no terminal to confirm on. Add --yes to confirm.');
			return 2;
		}
		if (!(await io.confirm(question))) {
			io.out('Nothing was sent: not confirmed.');
			return 2;
		}
	}
	// Built before anything is sent: a value the node would refuse stops the check with nothing sent.
	const built = attempt(() => probes(config));
	if (!built.ok) {
		const { error } = built;
		const expected = error instanceof InvalidCredentialError ? `: expected ${error.expected}` : '';
		io.out(`Nothing was sent. ${(error as Error).message}${expected} (the credential's fields come from PIOPIY_APP_ID and PIOPIY_APP_SECRET)`);
		return 2;
	}
	// Started before anything is sent, so a port in use stops the check with nothing sent.
	let listener: Listener | undefined;
	if (plan) {
		try {
			listener = await startListener(plan.listenPort);
		} catch (error) {
			io.out(`Nothing was sent: the listener cannot use port ${plan.listenPort} (${(error as Error).message}). Choose another with --listen-port.`);
			return 2;
		}
	}
	const startedAt = new Date().toISOString();
	io.out(`Live check against ${config.baseUrl} and ${config.accountApiUrl}: requests that ring no phone…`);
	const exchanges: Exchange[] = [];
	for (const probe of built.value) {
		// Structural guard: only a request that can place no call is a probe.
		if (probe.request.effect === 'placesCall') throw new Error(`${probe.name} would place a call`);
		exchanges.push(await sendOnce(config, probe.name, probe.purpose, probe.request, probe.headers));
	}
	const credentialReply = exchanges.find((exchange) => exchange.name === 'credentialTest')?.reply;
	const verdict = credentialReply && credentialVerdict(credentialReply.status, credentialReply.statusText, credentialReply.text);
	let call: CallObservation = { placed: false, why: 'not checked: needs --call (one call to your own number)' };
	try {
		if (plan && listener) call = await askTheCaller(config, plan, listener, io.out);
	} finally {
		await listener?.stop();
	}

	const rows = findings({ exchanges, credentialVerdict: verdict, call });
	const posts = listener?.received ?? [];
	const secrets = secretsOf([config.token, config.appSecret], [...exchanges, ...(call.placed ? [call.exchange] : [])], posts);
	if (call.placed && call.answer) {
		io.out("Piopiy's post with the caller's answer:");
		io.out(redactSecrets(JSON.stringify({ url: call.answer.url, headers: call.answer.headers, body: call.answer.body }, null, 2), secrets));
	}
	io.out('');
	io.out(redactSecrets(findingsTable(rows), secrets));
	const file = writeRedactedReport(
		config.out ?? path.join(PROJECT_ROOT, '.sandbox', `live-check-${startedAt.replace(/[:.]/g, '-')}.json`),
		{
			tool: 'n8n-nodes-piopiy npm run live-check',
			startedAt,
			baseUrl: config.baseUrl,
			accountApiUrl: config.accountApiUrl,
			findings: rows,
			credentialTest: verdict,
			exchanges,
			call,
		},
		secrets,
	);
	io.out('');
	io.out(`Raw answers (token, App Secret and signatures removed): ${file}`);
	io.out('What to change for each finding: docs/piopiy-api.md "Live check".');
	return rows.some((row) => row.agrees === '✘') ? 1 : 0;
}

async function main(): Promise<number> {
	const read = readConfig(process.argv.slice(2), process.env);
	if (!read.ok) {
		(read.exitCode === 0 ? process.stdout : process.stderr).write(`${read.message}\n`);
		return read.exitCode;
	}
	const confirm = process.stdin.isTTY
		? async (question: string) => {
				const terminal = createInterface({ input: process.stdin, output: process.stdout });
				const answer = await terminal.question(question);
				terminal.close();
				return /^y(es)?$/i.test(answer.trim());
			}
		: undefined;
	return runLiveCheck(read.config, { out: (line) => process.stdout.write(`${line}\n`), confirm });
}

if (require.main === module) {
	main().then(
		(code) => process.exit(code),
		(error) => {
			process.stderr.write(`live-check failed: ${(error as Error).message}\n`);
			process.exit(1);
		},
	);
}
