import { replyErrorText } from '../../nodes/Piopiy/helpers/response';
import type { Exchange } from './exchange';

/**
 * The three facts every row of the table depends on, said before it: whether the token was
 * accepted, whether the voice API was reached at the Base URL, whether the account API answered the
 * App ID and App Secret. Each "yes" needs a positive sign in a reply; anything else is said as what
 * it is, and the rows that depend on it are "not checked" rather than ✔.
 */

export type TokenState = 'accepted' | 'refused' | 'unknown';
export type VoiceApiState = 'reached' | 'not found' | 'no reply' | 'not confirmed';
export type AccountApiState = 'reached' | 'refused' | 'no reply' | 'not asked';

export interface Headline {
	token: { state: TokenState; why: string };
	voiceApi: { state: VoiceApiState; why: string };
	accountApi: { state: AccountApiState; why: string };
}

/** The probes that go to the voice API (the balance goes to the account API). */
const VOICE_PROBES = new Set(['credentialTest', 'hangupMissingCall', 'lowerCaseCause', 'invalidBody']);

export const refusedAtSignIn = (status: number) => status === 401 || status === 403;

/**
 * A reply that proves the request reached the voice endpoint past sign-in: a success, a validation
 * error (the endpoint read the body), or a 404 that names a call (a hang-up of a call that does not
 * exist). A bare 404 or 405 is what a wrong Base URL gives, a 429 or a 5xx proves nothing.
 */
export function reachedEndpoint(exchange: Exchange): boolean {
	const reply = exchange.reply;
	if (!reply) return false;
	const { status } = reply;
	if (status >= 200 && status <= 299) return true;
	if ([400, 409, 410, 422].includes(status)) return true;
	return status === 404 && /call/i.test(replyErrorText(reply.body) ?? '');
}

const statusWords = (exchange: Exchange): string => {
	if (!exchange.reply) return exchange.error ?? 'no reply';
	const words = replyErrorText(exchange.reply.body);
	return `HTTP ${exchange.reply.status}${words ? ` ${JSON.stringify(words.length > 60 ? `${words.slice(0, 59)}…` : words)}` : ''}`;
};

/** "HTTP 401 "…" to all 4 requests", or each distinct answer with its count. */
function answersOf(exchanges: Exchange[]): string {
	const counts = new Map<string, number>();
	for (const exchange of exchanges) counts.set(statusWords(exchange), (counts.get(statusWords(exchange)) ?? 0) + 1);
	if (counts.size === 1) {
		const [[answer, count]] = [...counts];
		return count === 1 ? answer : `${answer} to all ${count} requests`;
	}
	return [...counts].map(([answer, count]) => `${answer} (${count})`).join(', ');
}

function voiceApi(voice: Exchange[], baseUrl: string): Headline['voiceApi'] {
	const replied = voice.filter((exchange) => exchange.reply);
	if (replied.length === 0) return { state: 'no reply', why: `no reply from ${baseUrl}: ${answersOf(voice)}` };
	if (replied.some(reachedEndpoint)) return { state: 'reached', why: baseUrl };
	const pastSignIn = replied.filter((exchange) => !refusedAtSignIn(exchange.reply!.status));
	if (pastSignIn.length > 0 && pastSignIn.every((exchange) => [404, 405].includes(exchange.reply!.status))) {
		return {
			state: 'not found',
			why: `${answersOf(replied)} at ${baseUrl}: is the Base URL right? Piopiy's is https://rest.piopiy.com/v3 (with /v3)`,
		};
	}
	if (pastSignIn.length === 0) return { state: 'not confirmed', why: `every request was refused at sign-in, so nothing shows the address is right` };
	return { state: 'not confirmed', why: `${answersOf(replied)}: no answer shows the endpoints are there` };
}

function token(voice: Exchange[], voiceState: VoiceApiState): Headline['token'] {
	const refused = voice.filter((exchange) => exchange.reply && refusedAtSignIn(exchange.reply.status));
	const reached = voice.filter(reachedEndpoint);
	if (reached.length > 0) {
		return {
			state: 'accepted',
			why:
				refused.length === 0
					? `the voice API answered ${reached.length} of ${voice.length} requests past sign-in`
					: `past sign-in for ${reached.map((exchange) => exchange.name).join(', ')}; refused (${answersOf(refused)}) for ${refused.map((exchange) => exchange.name).join(', ')}`,
		};
	}
	if (refused.length > 0 && refused.length === voice.filter((exchange) => exchange.reply).length) {
		return { state: 'refused', why: `${answersOf(refused)}: check PIOPIY_API_TOKEN (Piopiy dashboard → Settings → API Keys)` };
	}
	return { state: 'unknown', why: voiceState === 'reached' ? 'no reply settles it' : `the voice API was ${voiceState === 'no reply' ? 'not reached' : voiceState}` };
}

function accountApi(balance: Exchange | undefined, accountApiUrl: string): Headline['accountApi'] {
	if (!balance) return { state: 'not asked', why: 'set PIOPIY_APP_ID and PIOPIY_APP_SECRET to ask for the balance' };
	const reply = balance.reply;
	if (!reply) return { state: 'no reply', why: `no reply from ${accountApiUrl}: ${balance.error ?? 'unknown error'}` };
	// Reached when TeleCMI accepted the App ID and App Secret; whether the node finds the balance in
	// the answer is the `balance` row's question, not this one's.
	if (reply.verdict.kind === 'accepted') return { state: 'reached', why: `Get Balance answered (${statusWords(balance)})` };
	return {
		state: 'refused',
		why: `${statusWords(balance)}: a wrong App ID or App Secret, or a wrong PIOPIY_ACCOUNT_API_URL (Piopiy's is https://rest.telecmi.com)`,
	};
}

export function headlineOf(exchanges: Exchange[], baseUrl: string, accountApiUrl: string): Headline {
	const voice = exchanges.filter((exchange) => VOICE_PROBES.has(exchange.name));
	const voiceState = voiceApi(voice, baseUrl);
	return {
		token: token(voice, voiceState.state),
		voiceApi: voiceState,
		accountApi: accountApi(
			exchanges.find((exchange) => exchange.name === 'balance'),
			accountApiUrl,
		),
	};
}

/** Markdown, to paste above the table. */
export function headlineLines(headline: Headline): string[] {
	return [
		`**Token ${headline.token.state} · voice API ${headline.voiceApi.state} · account API ${headline.accountApi.state}**`,
		'',
		`- Token: ${headline.token.state}: ${headline.token.why}`,
		`- Voice API: ${headline.voiceApi.state}: ${headline.voiceApi.why}`,
		`- Account API: ${headline.accountApi.state}: ${headline.accountApi.why}`,
	];
}
