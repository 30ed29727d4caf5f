import { CREDENTIAL_TEST_MESSAGES } from '../../credentials/PiopiyApi.credentials';
import { replyErrorText } from '../../nodes/Piopiy/helpers/response';
import { replyId } from '../../nodes/Piopiy/helpers/runRecord';
import { readPostFacts } from '../../nodes/Piopiy/interactive/post';
import { balanceOutput } from '../../nodes/Piopiy/mapping/balance';
import { parseRetryAfter } from '../../nodes/Piopiy/transport/retryPolicy';
import type { CredentialVerdict } from './credentialVerdict';
import { rateLimitHeaders, type Exchange } from './exchange';
import type { ReceivedPost } from './listener';

/**
 * The rows of the live check's table: one per entry of docs/piopiy-api.md "What is unknown" (the `id`
 * is the entry's "Live check" cell), what was observed, and whether the node's current handling
 * agrees, judged by the node's own functions (judgeReply, replyErrorText, readCallerAnswer, ...).
 */

/** The keys, words and call a post holds, as the node's fact rows read them (interactive/post.ts). */
function readCallerAnswer(body: unknown): { digits: string | null; speech: string | null; callId: string | null } {
	const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
	return isObject ? readPostFacts(body as Record<string, unknown>, '#', null) : { digits: null, speech: null, callId: null };
}

export type Agreement = '✔' | '✘' | '?';

export interface Finding {
	id: string;
	unknown: string;
	observed: string;
	agrees: Agreement;
	/** Why the mark: what the node does with what was observed. */
	node: string;
}

export type CallObservation =
	| { placed: false; why: string }
	| { placed: true; exchange: Exchange; nonce: string; answerPath: string; answer?: ReceivedPost; received: ReceivedPost[] };

export interface Observations {
	exchanges: Exchange[];
	credentialVerdict?: CredentialVerdict;
	call: CallObservation;
}

const short = (value: unknown, max = 70): string => {
	const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/** `HTTP 404 "call not found"`, or what stopped the request. */
function replySummary(exchange: Exchange | undefined): string {
	if (!exchange) return 'not sent';
	if (!exchange.reply) return `no reply (${exchange.error ?? 'unknown error'})`;
	const words = replyErrorText(exchange.reply.body);
	return `HTTP ${exchange.reply.status}${words ? ` ${short(JSON.stringify(words), 60)}` : ''}`;
}

const keysOf = (body: unknown): string =>
	typeof body === 'object' && body !== null ? `{ ${Object.keys(body).join(', ')} }` : short(body, 40);

/** The call's ID in a reply, as the node reads it; a reply that is no object names none. */
const idIn = (body: unknown): string | undefined =>
	typeof body === 'object' && body !== null && !Array.isArray(body) ? replyId(body as Record<string, never>) : undefined;

function byName(observations: Observations, name: string): Exchange | undefined {
	return observations.exchanges.find((exchange) => exchange.name === name);
}

const NOT_WITHOUT_CALL = 'not checked: needs --call (one call to your own number)';

function credentialProbe(observations: Observations): Finding {
	const exchange = byName(observations, 'credentialTest');
	const verdict = observations.credentialVerdict;
	const base = { id: 'credential-probe', unknown: "What Piopiy answers the credential test's hang-up of a call that does not exist" };
	if (!exchange?.reply || !verdict) {
		return { ...base, observed: replySummary(exchange), agrees: '?', node: 'no reply to judge' };
	}
	const status = exchange.reply.status;
	const observed = `${replySummary(exchange)}; Test shows ${verdict.status === 'OK' ? '"Connection successful!"' : short(`"${verdict.message}"`, 60)}`;
	if (verdict.message !== CREDENTIAL_TEST_MESSAGES.rejected(status)) {
		return { ...base, observed, agrees: '✔', node: 'the Test says no more than this answer tells' };
	}
	// A token that another probe got past the sign-in (any status but 401/403) is a good token.
	const tokenPassedElsewhere = ['hangupMissingCall', 'invalidBody'].some((name) => {
		const other = byName(observations, name)?.reply?.status;
		return other !== undefined && other !== 401 && other !== 403;
	});
	return tokenPassedElsewhere
		? { ...base, observed, agrees: '✘', node: 'the Test rejects a token that other requests got past the sign-in with' }
		: { ...base, observed, agrees: '?', node: 'every request was refused at sign-in: check the token itself' };
}

function hangupMissingCall(observations: Observations): Finding {
	const exchange = byName(observations, 'hangupMissingCall');
	const base = { id: 'hangup-missing-call', unknown: 'What Piopiy answers a Hang Up of a call that does not exist' };
	const verdict = exchange?.reply?.verdict;
	if (!verdict) return { ...base, observed: replySummary(exchange), agrees: '?', node: 'no reply to judge' };
	const observed = `${replySummary(exchange)} ${keysOf(exchange.reply!.body)}`;
	if (verdict.kind === 'unknown') {
		return { ...base, observed, agrees: '?', node: `the node cannot tell what happened (${verdict.reason}); a hang-up is sent again` };
	}
	return { ...base, observed, agrees: '✔', node: `the node reports it ${verdict.kind === 'accepted' ? 'as done' : 'as refused'}` };
}

function validationError(observations: Observations): Finding {
	const exchange = byName(observations, 'invalidBody');
	const base = { id: 'validation-error', unknown: "What Piopiy's answer to an invalid body looks like" };
	const reply = exchange?.reply;
	if (!reply) return { ...base, observed: replySummary(exchange), agrees: '?', node: 'no reply to judge' };
	const observed = `${replySummary(exchange)} ${keysOf(reply.body)}`;
	if (reply.verdict.kind !== 'refused') {
		return { ...base, observed, agrees: '✘', node: `the node would judge an invalid request ${reply.verdict.kind} (${reply.verdict.reason})` };
	}
	return replyErrorText(reply.body)
		? { ...base, observed, agrees: '✔', node: "the node reports it refused, in Piopiy's words" }
		: { ...base, observed, agrees: '?', node: "refused, but the node finds no words in error/message/msg: it shows the status only" };
}

function causeCase(observations: Observations): Finding {
	const upper = byName(observations, 'hangupMissingCall')?.reply;
	const lower = byName(observations, 'lowerCaseCause');
	const base = { id: 'cause-case', unknown: 'Whether `cause` names are accepted in another case', node: 'the node sends the upper-case names whatever is typed' };
	if (!upper || !lower?.reply) return { ...base, observed: replySummary(lower), agrees: '?' };
	const observed =
		lower.reply.status === upper.status
			? `lower case answered as upper case (HTTP ${upper.status}): not refused for its case`
			: `lower case ${replySummary(lower)}, upper case HTTP ${upper.status}`;
	return { ...base, observed, agrees: '✔' };
}

function rateLimits(observations: Observations): Finding {
	const base = { id: 'rate-limits', unknown: "Piopiy's rate limits (headers of every reply)" };
	const exchanges = [...observations.exchanges, ...(observations.call.placed ? [observations.call.exchange] : [])];
	const seen = new Map<string, string>();
	for (const exchange of exchanges) for (const [name, value] of Object.entries(rateLimitHeaders(exchange))) seen.set(name, value);
	if (seen.size === 0) return { ...base, observed: 'no rate-limit headers', agrees: '✔', node: 'the node learns the rate from 429s only' };
	const observed = [...seen].map(([name, value]) => `${name}: ${short(value, 30)}`).join(', ');
	const others = [...seen.keys()].filter((name) => name !== 'retry-after');
	if (seen.has('retry-after') && parseRetryAfter(seen.get('retry-after')) === undefined) {
		return { ...base, observed, agrees: '✘', node: 'the node cannot read this Retry-After' };
	}
	return others.length > 0
		? { ...base, observed, agrees: '?', node: `the node reads Retry-After only, not ${others.join(', ')}` }
		: { ...base, observed, agrees: '✔', node: 'the node reads Retry-After' };
}

function balance(observations: Observations): Finding {
	const exchange = byName(observations, 'balance');
	const base = { id: 'balance', unknown: 'A balance endpoint for Piopiy apps (TeleCMI account API)' };
	if (!exchange) return { ...base, observed: 'not checked: set PIOPIY_APP_ID and PIOPIY_APP_SECRET', agrees: '?', node: '' };
	const reply = exchange.reply;
	if (!reply) return { ...base, observed: replySummary(exchange), agrees: '?', node: 'no reply to judge' };
	const observed = `${replySummary(exchange)} ${keysOf(reply.body)}`;
	if (reply.verdict.kind === 'accepted' && typeof reply.body === 'object' && reply.body !== null) {
		const output = balanceOutput(reply.body as Record<string, never>);
		return typeof output.balance === 'number'
			? { ...base, observed, agrees: '✔', node: `Get Balance outputs balance ${output.balance}` }
			: { ...base, observed, agrees: '✘', node: 'Get Balance finds no balance in it' };
	}
	return { ...base, observed, agrees: '?', node: `refused or unclear (${reply.verdict.kind}): a wrong App ID/Secret and a wrong endpoint look alike` };
}

function successBody(observations: Observations): Finding {
	const base = { id: 'success-body', unknown: 'The shape of a success body' };
	const call = observations.call.placed ? observations.call.exchange : undefined;
	const accepted = [...observations.exchanges, ...(call ? [call] : [])].filter(
		(exchange) => exchange.reply?.verdict.kind === 'accepted' && exchange.request.url.includes('/voice/'),
	);
	if (accepted.length === 0) return { ...base, observed: 'no success from the voice API seen', agrees: '?', node: call ? '' : NOT_WITHOUT_CALL };
	const observed = accepted.map((exchange) => `${exchange.name} ${keysOf(exchange.reply!.body)}`).join('; ');
	if (call?.reply?.verdict.kind === 'accepted' && idIn(call.reply.body) === undefined) {
		return { ...base, observed, agrees: '?', node: "output as it came, but the node finds no call_id/request_id in the call's reply" };
	}
	return { ...base, observed, agrees: '✔', node: 'accepted and output as it came' };
}

/** Fields whose digits are no answer: IDs, times, statuses, numbers. */
const NOT_AN_ANSWER = /call|uuid|time|epoch|status|code|duration|number|from|to$|(^|[._])id$|[a-z]Id$/i;

/** Keypad answers found anywhere two levels deep in a post, as `field: value`. */
function keypadFields(body: unknown, prefix = ''): string[] {
	if (typeof body !== 'object' || body === null) return [];
	return Object.entries(body).flatMap(([key, value]) => {
		if ((typeof value === 'string' || typeof value === 'number') && /^[0-9*#]+$/.test(String(value).trim()) && String(value).length <= 32) {
			return [`${prefix}${key}`];
		}
		return prefix === '' ? keypadFields(value, `${key}.`) : [];
	});
}

function callerInput(observations: Observations): Finding {
	const base = { id: 'caller-input-fields', unknown: "The field names of a caller's answer (keys, speech) in Piopiy's post" };
	const call = observations.call;
	if (!call.placed) return { ...base, observed: call.why, agrees: '?', node: '' };
	if (!call.answer) return { ...base, observed: 'no answer was posted in time', agrees: '?', node: '' };
	const answer = readCallerAnswer(call.answer.body);
	const observed = `${call.answer.method} ${keysOf(call.answer.body)}`;
	const keyFields = keypadFields(call.answer.body).filter((field) => !NOT_AN_ANSWER.test(field));
	if (answer.digits !== null || answer.speech !== null) {
		const read = [answer.digits !== null ? `keys "${answer.digits}"` : '', answer.speech !== null ? `speech "${short(answer.speech, 30)}"` : '']
			.filter(Boolean)
			.join(' and ');
		return { ...base, observed: `${observed}; candidates ${keyFields.join(', ') || 'none'}`, agrees: '✔', node: `the node reads ${read}` };
	}
	return keyFields.length > 0
		? { ...base, observed, agrees: '✘', node: `the node reads no answer, yet ${keyFields.join(', ')} looks like keys` }
		: { ...base, observed, agrees: '?', node: 'the node reads no answer; nothing in the post looks like one (did the person answer?)' };
}

function answerCallId(observations: Observations): Finding {
	const base = { id: 'answer-call-id', unknown: 'Whether the answer post names its call (as the call request was answered)' };
	const call = observations.call;
	if (!call.placed || !call.answer) return { ...base, observed: call.placed ? 'no answer was posted in time' : call.why, agrees: '?', node: '' };
	const posted = readCallerAnswer(call.answer.body).callId;
	const placed = idIn(call.exchange.reply?.body);
	if (!posted) return { ...base, observed: 'the post names no call the node can read', agrees: '?', node: 'the node accepts a post that names no call' };
	const observed = `post names ${posted}; the call's reply ${placed ?? 'named none'}`;
	if (placed && posted.toLowerCase() !== placed.toLowerCase()) {
		return { ...base, observed, agrees: '✘', node: 'the node would refuse this post as about another call' };
	}
	return { ...base, observed, agrees: '✔', node: 'the node matches it to the call' };
}

function variablesEcho(observations: Observations): Finding {
	const base = { id: 'variables-echo', unknown: "Whether a call's `variables` come back in what Piopiy posts" };
	const call = observations.call;
	if (!call.placed) return { ...base, observed: call.why, agrees: '?', node: '' };
	const posts = call.received.filter((post) => post.method === 'POST');
	const echoed = posts.filter((post) => post.text.includes(call.nonce));
	if (echoed.length > 0) {
		return { ...base, observed: `yes, in ${echoed.length} of ${posts.length} post(s)`, agrees: '✔', node: 'the trigger and the answer keep every field as sent' };
	}
	return {
		...base,
		observed: `not in the ${posts.length} post(s) received (call events go to the dashboard's webhook URL)`,
		agrees: '?',
		node: 'nothing relies on them coming back',
	};
}

function webhookPayloads(observations: Observations): Finding {
	const base = { id: 'webhook-payloads', unknown: 'The v3 webhook payloads', node: 'the trigger passes every field on unchanged' };
	const call = observations.call;
	if (!call.placed) return { ...base, observed: call.why, agrees: '?' };
	const posts = call.received.filter((post) => post.method === 'POST');
	if (posts.length === 0) return { ...base, observed: 'no post received', agrees: '?' };
	return { ...base, observed: posts.map((post) => `${post.url.split('?')[0]} ${keysOf(post.body)}`).join('; '), agrees: '✔' };
}

const notCheckable = (id: string, unknown: string, why: string, node: string): Finding => ({ id, unknown, observed: `not checked: ${why}`, agrees: '?', node });

export function findings(observations: Observations): Finding[] {
	return [
		successBody(observations),
		credentialProbe(observations),
		hangupMissingCall(observations),
		validationError(observations),
		notCheckable(
			'placed-after-failure',
			'Whether a call request that timed out or got a 5xx placed a call',
			'only a failing call request would show it, and the live check sends no call it cannot see answered',
			'never sent again; reported as "may have been placed"',
		),
		rateLimits(observations),
		notCheckable('connect-strategy', "Piopiy's default `connect` strategy", 'only a call with two agents would show it', 'Sequential is offered as the failover'),
		causeCase(observations),
		balance(observations),
		webhookPayloads(observations),
		callerInput(observations),
		answerCallId(observations),
		variablesEcho(observations),
	];
}
