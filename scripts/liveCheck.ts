/**
 * `npm run live-check`: settles the unknowns of docs/piopiy-api.md ("What is unknown") against the
 * real Piopiy, for whoever holds an account. Without flags it sends only requests that can ring no
 * phone (the credential's Test, Get Balance, hang-ups of a call that does not exist, one invalid body),
 * prints a headline (token, voice API, account API), a table (each unknown, what was observed, whether
 * the node agrees, or why it was not checked) and writes the raw answers, secrets removed and numbers
 * masked, to a JSON file to attach to an issue. `--call <your number> --public-url <tunnel>` adds ONE
 * call that asks for a key or a word, placed only when the tunnel reaches the listener and the token
 * was accepted. `--help` lists the options, the variables and the exit codes.
 */
import fs from 'node:fs';
import { createInterface } from 'node:readline/promises';
import path from 'node:path';

import { attempt, InvalidCredentialError } from '../nodes/Piopiy/helpers/errors';
import { EXIT, readConfig, type CallPlan, type LiveCheckConfig } from './live-check/config';
import { credentialVerdict } from './live-check/credentialVerdict';
import { sendOnce, type Exchange } from './live-check/exchange';
import { headlineLines, headlineOf, type Headline } from './live-check/headline';
import { startListener, type Listener } from './live-check/listener';
import { maskData, maskedValues, maskText, PHONE_DIGITS_KEPT, ID_DIGITS_KEPT } from './live-check/mask';
import { findingsTable, secretsOf, writeRedactedReport } from './live-check/report';
import { probes } from './live-check/requests';
import { exitCodeOf, findings, type CallObservation } from './live-check/unknowns';
import { redactSecrets } from '../nodes/shared/redact';
import { PROJECT_ROOT } from './sandbox/config';

export interface LiveCheckIo {
	out(line: string): void;
	/** Asks before ringing; undefined when there is no terminal to ask on. */
	confirm?: (question: string) => Promise<boolean>;
}

const REACHABLE_TIMEOUT_MS = 10_000;

/** The package's version, and where to report findings: package.json's `bugs`, the one place the address is written. */
function packageFacts(): { version: string; issueTracker: string } {
	const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string; bugs: { url: string } };
	return { version: manifest.version, issueTracker: manifest.bugs.url };
}

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

/** Why the one call must not be placed after the probes, if it must not: a positive sign is needed. */
function callRefusedBy(headline: Headline): string | undefined {
	if (headline.token.state !== 'accepted') return `the token was not accepted (token ${headline.token.state}: ${headline.token.why})`;
	if (headline.voiceApi.state !== 'reached') return `the voice API was not reached (${headline.voiceApi.state}: ${headline.voiceApi.why})`;
	return undefined;
}

async function askTheCaller(
	config: LiveCheckConfig,
	plan: CallPlan,
	listener: Listener,
	out: (line: string) => void,
): Promise<CallObservation> {
	out(`Placing ONE call to ${maskText(plan.toNumber, maskedValues([plan.toNumber], []))} (rings at most 30 s, lasts at most 60 s)…`);
	const exchange = await sendOnce(config, 'questionCall', 'one Call and Ask-like PCMO call to your number', plan.request);
	const observation: CallObservation = { placed: true, exchange, nonce: plan.nonce, answerPath: plan.answerPath, received: listener.received, waitedSec: 0 };
	if (exchange.reply?.verdict.kind !== 'accepted') {
		out(`Piopiy did not accept the call (${exchange.reply ? `HTTP ${exchange.reply.status}` : exchange.error}); not waiting for an answer.`);
		return observation;
	}
	out(`Answer the phone and press a key or say a few words. Waiting up to ${plan.waitMs / 1000} s for Piopiy's post…`);
	observation.waitedSec = plan.waitMs / 1000;
	observation.answer = await listener.waitFor(
		(post) => post.method === 'POST' && post.url.startsWith(plan.answerPath) && !post.url.startsWith(`${plan.answerPath}/reachable`),
		plan.waitMs,
	);
	return observation;
}

/**
 * Runs the check; returns the exit code (config.ts EXIT: 0 checked, 1 a finding contradicts the node,
 * 2 nothing sent, 4 some rows not checked).
 */
export async function runLiveCheck(config: LiveCheckConfig, io: LiveCheckIo): Promise<number> {
	const plan = config.call;
	if (plan && !plan.confirmed) {
		const question = `This rings ${plan.toNumber} once (from your Piopiy number, at your cost). Go on? [y/N] `;
		if (!io.confirm) {
			io.out('Nothing was sent: --call rings a phone, and there is no terminal to confirm on. Add --yes to confirm.');
			return EXIT.nothingSent;
		}
		if (!(await io.confirm(question))) {
			io.out('Nothing was sent: not confirmed.');
			return EXIT.nothingSent;
		}
	}
	// Built before anything is sent: a value the node would refuse stops the check with nothing sent.
	const built = attempt(() => probes(config));
	if (!built.ok) {
		const { error } = built;
		const expected = error instanceof InvalidCredentialError ? `: expected ${error.expected}` : '';
		io.out(`Nothing was sent. ${(error as Error).message}${expected} (the credential's fields come from PIOPIY_APP_ID and PIOPIY_APP_SECRET)`);
		return EXIT.nothingSent;
	}
	// Started, and reached through the public URL, before anything is sent to Piopiy: a call whose
	// answer could not arrive is not worth ringing, and the other requests are not what was asked for.
	let listener: Listener | undefined;
	if (plan) {
		try {
			listener = await startListener(plan.listenPort);
		} catch (error) {
			io.out(`Nothing was sent: the listener cannot use port ${plan.listenPort} (${(error as Error).message}). Choose another with --listen-port.`);
			return EXIT.nothingSent;
		}
		const unreachable = await publicUrlReaches(plan, listener);
		if (unreachable) {
			await listener.stop();
			io.out(`Nothing was sent to Piopiy: ${unreachable}. Start the tunnel to http://localhost:${plan.listenPort} and give its address as --public-url.`);
			return EXIT.nothingSent;
		}
	}
	const startedAt = new Date().toISOString();
	io.out(`Live check against ${config.baseUrl} and ${config.accountApiUrl}: requests that ring no phone…`);
	const exchanges: Exchange[] = [];
	let call: CallObservation = { placed: false, why: 'needs --call (one call to your own number)', notChecked: 'notAsked' };
	let headline: Headline;
	let callNotPlaced: string | undefined;
	try {
		for (const probe of built.value) {
			// Structural guard: only a request that can place no call is a probe.
			if (probe.request.effect === 'placesCall') throw new Error(`${probe.name} would place a call`);
			exchanges.push(await sendOnce(config, probe.name, probe.purpose, probe.request, probe.headers));
		}
		headline = headlineOf(exchanges, config.baseUrl, config.accountApiUrl);
		if (plan && listener) {
			callNotPlaced = callRefusedBy(headline);
			call = callNotPlaced ? { placed: false, why: `no call placed: ${callNotPlaced}`, notChecked: 'blocked' } : await askTheCaller(config, plan, listener, io.out);
		}
	} finally {
		await listener?.stop();
	}
	const credentialReply = exchanges.find((exchange) => exchange.name === 'credentialTest')?.reply;
	const verdict = credentialReply && credentialVerdict(credentialReply.status, credentialReply.statusText, credentialReply.text);
	const rows = findings({ exchanges, headline, credentialVerdict: verdict, call });
	const code = exitCodeOf(rows);

	// Everything printed or saved from here on is made to be shared: secrets removed, numbers masked.
	const posts = listener?.received ?? [];
	const secrets = secretsOf([config.token, config.appSecret], [...exchanges, ...(call.placed ? [call.exchange] : [])], posts);
	const masks = maskedValues([plan?.toNumber, plan?.callerId], [config.appId]);
	const shareable = (text: string) => maskText(redactSecrets(text, secrets), masks);
	if (call.placed && call.answer) {
		io.out("Piopiy's post with the caller's answer:");
		io.out(shareable(JSON.stringify({ url: call.answer.url, headers: call.answer.headers, body: call.answer.body }, null, 2)));
	}
	io.out('');
	for (const line of headlineLines(headline)) io.out(shareable(line));
	io.out('');
	io.out(shareable(findingsTable(rows)));
	const file = writeRedactedReport(
		config.out ?? path.join(PROJECT_ROOT, '.sandbox', `live-check-${startedAt.replace(/[:.]/g, '-')}.json`),
		maskData(
			{
				tool: 'n8n-nodes-piopiy npm run live-check',
				version: packageFacts().version,
				startedAt,
				exitCode: code,
				baseUrl: config.baseUrl,
				accountApiUrl: config.accountApiUrl,
				headline,
				findings: rows,
				credentialTest: verdict,
				exchanges,
				call,
			},
			masks,
		) as object,
		secrets,
	);
	io.out('');
	io.out(`Saved to attach to an issue: ${file}`);
	io.out(
		`  (the token, the App Secret and every signature, cookie or key are removed; your phone number and the caller ID keep only their last ${PHONE_DIGITS_KEPT} digits, the App ID its last ${ID_DIGITS_KEPT}; call IDs, addresses and the rest of each answer stay as they came)`,
	);
	const rowCount = (count: number) => `${count} ${count === 1 ? 'row' : 'rows'}`;
	const counts = [
		`${rowCount(rows.filter((row) => !row.notChecked).length)} checked`,
		`${rows.filter((row) => row.notChecked === 'blocked').length} not checked because of this run`,
		`${rows.filter((row) => row.notChecked && row.notChecked !== 'blocked').length} not asked for or out of a live check's reach`,
	].join(', ');
	if (code === EXIT.contradicts) io.out(`A finding contradicts the node (✘ above; ${counts}). Please report it.`);
	else if (code === EXIT.notChecked) io.out(`Not everything was checked (${counts}): fix what the headline names and run again, or report what you see.`);
	else io.out(`Everything this run set out to check was checked (${counts}).`);
	io.out(`Report at ${packageFacts().issueTracker}: paste the headline and the table above, and attach ${file}.`);
	if (callNotPlaced) io.out(`No call was placed, nothing rang: ${shareable(callNotPlaced)}.`);
	return code;
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
