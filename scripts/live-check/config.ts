import { randomUUID } from 'node:crypto';

import { InvalidFieldError } from '../../nodes/Piopiy/helpers/errors';
import { normalizePhone, requireBaseUrl, requireHttpUrl } from '../../nodes/Piopiy/helpers/validate';
import { resolveAppId } from '../../nodes/Piopiy/mapping/aiCall';
import type { PiopiyRequest } from '../../nodes/Piopiy/transport/types';
import { buildQuestionCall } from './requests';

/**
 * What `npm run live-check` is asked to do: the environment holds the secrets (never an argument,
 * which would end up in the shell's history), the arguments say whether one phone may ring. Pure.
 */

export const DEFAULT_BASE_URL = 'https://rest.piopiy.com/v3';
export const DEFAULT_ACCOUNT_API_URL = 'https://rest.telecmi.com';
export const DEFAULT_LISTEN_PORT = 8788;
export const DEFAULT_WAIT_SEC = 120;

export const ENVIRONMENT_HELP = [
	'Set these environment variables (the secrets are never taken as arguments):',
	'  PIOPIY_API_TOKEN        required: the API token (Piopiy dashboard → Settings → API Keys)',
	'  PIOPIY_APP_ID           the App ID of your Piopiy app (dashboard → Apps): for Get Balance and for --call',
	'  PIOPIY_APP_SECRET       the App Secret of the same app: for Get Balance',
	`  PIOPIY_BASE_URL         the voice API (default ${DEFAULT_BASE_URL})`,
	`  PIOPIY_ACCOUNT_API_URL  the account API that reports the balance (default ${DEFAULT_ACCOUNT_API_URL})`,
	'  PIOPIY_CALLER_ID        for --call: the number the call comes from (one of your Piopiy numbers)',
	'  PIOPIY_VOICE_ID         for --call: the text-to-speech voice (dashboard); PIOPIY_LANGUAGE (default en-IN)',
].join('\n');

export const WAIT_SEC_RANGE = { min: 5, max: 900 } as const;

/** The exit codes, for a script that runs the check. */
export const EXIT = {
	/** Every row this run set out to check was checked; none contradicts the node. */
	checked: 0,
	/** A finding contradicts the node (a ✘ row): worth an issue. */
	contradicts: 1,
	/** Nothing was sent (or, with --call, nothing to Piopiy): the arguments, the listener or no confirmation. */
	nothingSent: 2,
	/** Nothing was sent: PIOPIY_API_TOKEN is not set. */
	noToken: 3,
	/** Some rows were not checked because of this run (the headline or the call says why); none contradicts. */
	notChecked: 4,
} as const;

export const USAGE = [
	'npm run live-check [-- options]',
	'  (no options)             sends only requests that ring no phone, prints the headline and the table, writes the JSON file',
	'  --out <file>             where to write the redacted answers (default .sandbox/live-check-<time>.json)',
	'  --call <number>          also place ONE call to this number (yours), asking for a key or a word;',
	'                           placed only when the public URL reaches the listener and the token is accepted',
	'  --public-url <url>       with --call: a public URL that reaches the local listener (e.g. a tunnel)',
	`  --listen-port <port>     with --call: the local listener's port, 1 to 65535 (default ${DEFAULT_LISTEN_PORT})`,
	`  --wait-sec <seconds>     with --call: how long to wait for the answer, ${WAIT_SEC_RANGE.min} to ${WAIT_SEC_RANGE.max} (default ${DEFAULT_WAIT_SEC})`,
	'  --caller-id <number>     with --call: instead of PIOPIY_CALLER_ID',
	'  --yes                    with --call: do not ask before ringing (required when stdin is no terminal)',
	'',
	'Exit codes:',
	`  ${EXIT.checked}  every row this run set out to check was checked, and none contradicts the node`,
	`  ${EXIT.contradicts}  a finding contradicts the node (a ✘ row): please report it`,
	`  ${EXIT.nothingSent}  nothing was sent: a wrong argument, no confirmation, a port in use, or a --public-url that does not reach the listener`,
	`  ${EXIT.noToken}  nothing was sent: PIOPIY_API_TOKEN is not set`,
	`  ${EXIT.notChecked}  some rows were not checked because of this run (a refused token, a wrong address, a call not placed or not answered); none contradicts the node`,
	'  Rows that need --call or App ID and App Secret, when not given, and rows no live check can settle, do not count.',
].join('\n');

export interface CallPlan {
	/** The number to ring, as sent (digits only). */
	toNumber: string;
	/** The number the call comes from, as sent (digits only). */
	callerId: string;
	publicUrl: string;
	listenPort: number;
	waitMs: number;
	confirmed: boolean;
	/** Names this run: in the answer's path and in the call's `variables`, to see whether they come back. */
	nonce: string;
	/** The local path Piopiy posts the answer to (through the public URL). */
	answerPath: string;
	/** The one call-placing request, built and checked before anything is sent. */
	request: PiopiyRequest;
}

export interface LiveCheckConfig {
	token: string;
	baseUrl: string;
	accountApiUrl: string;
	appId?: string;
	appSecret?: string;
	out?: string;
	call?: CallPlan;
}

export type ConfigResult = { ok: true; config: LiveCheckConfig } | { ok: false; message: string; exitCode: number };

const FLAGS_WITH_VALUE = new Set(['--out', '--call', '--public-url', '--listen-port', '--wait-sec', '--caller-id']);
const FLAGS_ALONE = new Set(['--yes', '--help']);

function parseArgs(argv: string[]): Map<string, string> {
	const args = new Map<string, string>();
	for (let index = 0; index < argv.length; index++) {
		const [flag, inline] = argv[index].split(/=(.*)/s, 2);
		if (FLAGS_ALONE.has(flag)) args.set(flag, 'true');
		else if (FLAGS_WITH_VALUE.has(flag)) {
			const value = inline ?? argv[++index];
			if (value === undefined) throw new Error(`${flag} needs a value`);
			args.set(flag, value);
		} else throw new Error(`unknown argument ${JSON.stringify(argv[index])}`);
	}
	return args;
}

function blankToUndefined(value: string | undefined): string | undefined {
	return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function wholeNumber(field: string, value: string | undefined, fallback: number, min: number, max: number): number {
	if (value === undefined) return fallback;
	const number = Number(value);
	if (!Number.isInteger(number) || number < min || number > max) {
		throw new InvalidFieldError(field, value, `a whole number from ${min} to ${max}`);
	}
	return number;
}

function callPlan(args: Map<string, string>, env: NodeJS.ProcessEnv, appId: string | undefined): CallPlan {
	// The node's own validators: a number the node would refuse is refused here, before anything is sent.
	const toNumber = normalizePhone('--call', args.get('--call'));
	const callerId = normalizePhone('--caller-id (or PIOPIY_CALLER_ID)', args.get('--caller-id') ?? blankToUndefined(env.PIOPIY_CALLER_ID));
	const publicUrl = requireHttpUrl('--public-url', args.get('--public-url')).replace(/\/+$/, '');
	const voiceId = blankToUndefined(env.PIOPIY_VOICE_ID);
	if (!voiceId) throw new InvalidFieldError('PIOPIY_VOICE_ID', undefined, 'the text-to-speech voice that asks the question, as listed in the Piopiy dashboard');
	// Named as the user set it: the node's own message would point at a credential field.
	if (!appId) throw new InvalidFieldError('PIOPIY_APP_ID', undefined, 'the App ID of your Piopiy app (dashboard → Apps): the call goes through it');
	const nonce = randomUUID();
	const answerPath = `/live-check/${nonce}`;
	return {
		toNumber,
		callerId,
		publicUrl,
		listenPort: wholeNumber('--listen-port', args.get('--listen-port'), DEFAULT_LISTEN_PORT, 1, 65535),
		waitMs: wholeNumber('--wait-sec', args.get('--wait-sec'), DEFAULT_WAIT_SEC, WAIT_SEC_RANGE.min, WAIT_SEC_RANGE.max) * 1000,
		confirmed: args.has('--yes'),
		nonce,
		answerPath,
		request: buildQuestionCall({
			toNumber,
			callerId,
			appId: resolveAppId(undefined, appId),
			resultUrl: `${publicUrl}${answerPath}`,
			language: blankToUndefined(env.PIOPIY_LANGUAGE) ?? 'en-IN',
			voiceId,
			nonce,
		}),
	};
}

/** The configuration, or what is wrong with the command (exit code 2) or the environment (exit code 3). */
export function readConfig(argv: string[], env: NodeJS.ProcessEnv): ConfigResult {
	let args: Map<string, string>;
	try {
		args = parseArgs(argv);
	} catch (error) {
		return { ok: false, message: `${(error as Error).message}\n\n${USAGE}`, exitCode: EXIT.nothingSent };
	}
	if (args.has('--help')) return { ok: false, message: `${USAGE}\n\n${ENVIRONMENT_HELP}`, exitCode: 0 };
	const token = blankToUndefined(env.PIOPIY_API_TOKEN);
	if (!token) return { ok: false, message: `No API token: PIOPIY_API_TOKEN is not set.\n\n${ENVIRONMENT_HELP}`, exitCode: EXIT.noToken };
	const appId = blankToUndefined(env.PIOPIY_APP_ID);
	try {
		const config: LiveCheckConfig = {
			token,
			baseUrl: requireBaseUrl('PIOPIY_BASE_URL', blankToUndefined(env.PIOPIY_BASE_URL) ?? DEFAULT_BASE_URL, DEFAULT_BASE_URL),
			accountApiUrl: requireBaseUrl(
				'PIOPIY_ACCOUNT_API_URL',
				blankToUndefined(env.PIOPIY_ACCOUNT_API_URL) ?? DEFAULT_ACCOUNT_API_URL,
				DEFAULT_ACCOUNT_API_URL,
			),
			appId,
			appSecret: blankToUndefined(env.PIOPIY_APP_SECRET),
			out: args.get('--out'),
		};
		if (args.has('--call')) config.call = callPlan(args, env, appId);
		else {
			const strays = ['--public-url', '--listen-port', '--wait-sec', '--caller-id', '--yes'].filter((flag) => args.has(flag));
			if (strays.length > 0) {
				const goes = strays.length === 1 ? 'goes' : 'go';
				return { ok: false, message: `${strays.join(', ')} ${goes} only with --call <number>.\n\n${USAGE}`, exitCode: EXIT.nothingSent };
			}
		}
		return { ok: true, config };
	} catch (error) {
		if (error instanceof InvalidFieldError) return { ok: false, message: `Nothing was sent. ${error.message}`, exitCode: EXIT.nothingSent };
		throw error;
	}
}
