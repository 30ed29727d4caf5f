import { CREDENTIAL_TEST_MESSAGES } from '../../credentials/PiopiyApi.credentials';
import { replyErrorText } from '../../nodes/Piopiy/helpers/response';
import { replyId } from '../../nodes/Piopiy/helpers/runRecord';
import { balanceOutput } from '../../nodes/Piopiy/mapping/balance';
import { parseRetryAfter } from '../../nodes/Piopiy/transport/retryPolicy';
import type { CredentialVerdict } from './credentialVerdict';
import { rateLimitHeaders, type Exchange } from './exchange';
import { refusedAtSignIn, type Headline } from './headline';
import type { ReceivedPost } from './listener';
import { nodeReadsPost } from './nodeReading';

/**
 * The rows of the live check's table: one per entry of docs/piopiy-api.md "What is unknown" (the `id`
 * is the entry's "Live check" cell), what was observed, and whether the node's current handling
 * agrees, judged by the node's own functions (judgeReply, replyErrorText, balanceOutput, and the
 * node's reading of a post through nodeReading.ts). A row whose answer this run could not see says
 * "not checked" and why, never ✔: a ✔ needs a reply that really answered the question.
 */

/** ✔ agrees, ✘ contradicts the node, ? observed but not settled, – not checked. */
export type Agreement = '✔' | '✘' | '?' | '–';

/**
 * Why a row was not checked: something in this run stopped it (`blocked`: the headline or the call
 * says what; fix it and run again), the run was not asked to (`notAsked`: no --call, no App ID and
 * App Secret), or no live check can (`outOfReach`).
 */
export type NotChecked = 'blocked' | 'notAsked' | 'outOfReach';

export interface Finding {
	id: string;
	unknown: string;
	observed: string;
	agrees: Agreement;
	/** Why the mark: what the node does with what was observed (or meanwhile, when not checked). */
	node: string;
	notChecked?: NotChecked;
}

export type CallObservation =
	| { placed: false; why: string; notChecked: 'blocked' | 'notAsked' }
	| {
			placed: true;
			exchange: Exchange;
			nonce: string;
			answerPath: string;
			answer?: ReceivedPost;
			received: ReceivedPost[];
			/** How long the check waited for the answer (0 when the call was not accepted). */
			waitedSec: number;
	  };

export interface Observations {
	exchanges: Exchange[];
	headline: Headline;
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

type Base = { id: string; unknown: string };

function notChecked(base: Base, why: string, kind: NotChecked, node: string): Finding {
	return { ...base, observed: `not checked: ${why}`, agrees: '–', node, notChecked: kind };
}

/** Why no reply of the voice API can settle anything in this run, if none can. */
function voiceBlocked({ token, voiceApi }: Headline): string | undefined {
	if (token.state === 'refused') return 'the token was refused (see the headline)';
	if (voiceApi.state === 'not found') return 'the voice API was not found at the Base URL (see the headline)';
	if (voiceApi.state === 'no reply') return 'the voice API did not answer (see the headline)';
	if (voiceApi.state === 'not confirmed') return "the voice API's answers settle nothing (see the headline)";
	return undefined;
}

/** The row cannot be judged from this exchange: no reply, or refused at sign-in. */
function unjudgeable(exchange: Exchange | undefined): string | undefined {
	if (!exchange?.reply) return replySummary(exchange);
	return refusedAtSignIn(exchange.reply.status) ? `refused at sign-in (${replySummary(exchange)})` : undefined;
}

const SUCCESS_COPES = 'outputs the body as it came';

function successBody(observations: Observations): Finding {
	const base = { id: 'success-body', unknown: 'The shape of a success body' };
	const call = observations.call.placed ? observations.call.exchange : undefined;
	const accepted = [...observations.exchanges, ...(call ? [call] : [])].filter(
		(exchange) => exchange.reply?.verdict.kind === 'accepted' && exchange.request.url.includes('/voice/'),
	);
	if (accepted.length === 0) {
		const blocked = voiceBlocked(observations.headline);
		if (blocked) return notChecked(base, blocked, 'blocked', SUCCESS_COPES);
		if (call) return notChecked(base, `Piopiy did not accept the call (${replySummary(call)}) and no other request succeeded`, 'blocked', SUCCESS_COPES);
		return notChecked(base, 'no request succeeded; the call of --call would show one', 'notAsked', SUCCESS_COPES);
	}
	const observed = accepted.map((exchange) => `${exchange.name} ${keysOf(exchange.reply!.body)}`).join('; ');
	if (call?.reply?.verdict.kind === 'accepted' && idIn(call.reply.body) === undefined) {
		return { ...base, observed, agrees: '?', node: "output as it came, but the node finds no call_id/request_id in the call's reply" };
	}
	return { ...base, observed, agrees: '✔', node: 'accepted and output as it came' };
}

function credentialProbe(observations: Observations): Finding {
	const exchange = byName(observations, 'credentialTest');
	const verdict = observations.credentialVerdict;
	const base = { id: 'credential-probe', unknown: "What Piopiy answers the credential test's hang-up of a call that does not exist" };
	const copes = 'the Test reads 401/403 as a rejected token and says what other answers can and cannot tell';
	if (!exchange?.reply || !verdict) return notChecked(base, replySummary(exchange), 'blocked', copes);
	const { token, voiceApi } = observations.headline;
	const status = exchange.reply.status;
	const test = verdict.status === 'OK' ? '"Connection successful!"' : short(`"${verdict.message}"`, 60);
	if (token.state === 'refused') {
		return notChecked(base, `the token was refused (${replySummary(exchange)}; the Test shows ${test}, rightly)`, 'blocked', copes);
	}
	if (voiceApi.state !== 'reached') return notChecked(base, voiceBlocked(observations.headline)!, 'blocked', copes);
	const observed = `${replySummary(exchange)}; Test shows ${test}`;
	if (verdict.message !== CREDENTIAL_TEST_MESSAGES.rejected(status)) {
		return { ...base, observed, agrees: '✔', node: 'the Test says no more than this answer tells' };
	}
	// The headline's "accepted" needs another request past sign-in: the Test rejects a good token.
	return { ...base, observed, agrees: '✘', node: 'the Test rejects a token that other requests got past the sign-in with' };
}

function hangupMissingCall(observations: Observations): Finding {
	const exchange = byName(observations, 'hangupMissingCall');
	const base = { id: 'hangup-missing-call', unknown: 'What Piopiy answers a Hang Up of a call that does not exist' };
	const copes = 'judges it like any reply; a hang-up may be sent again';
	const blocked = voiceBlocked(observations.headline) ?? unjudgeable(exchange);
	if (blocked) return notChecked(base, blocked, 'blocked', copes);
	const verdict = exchange!.reply!.verdict;
	const observed = `${replySummary(exchange)} ${keysOf(exchange!.reply!.body)}`;
	if (verdict.kind === 'unknown') {
		return { ...base, observed, agrees: '?', node: `the node cannot tell what happened (${verdict.reason}); a hang-up is sent again` };
	}
	return { ...base, observed, agrees: '✔', node: `the node reports it ${verdict.kind === 'accepted' ? 'as done' : 'as refused'}` };
}

function validationError(observations: Observations): Finding {
	const exchange = byName(observations, 'invalidBody');
	const base = { id: 'validation-error', unknown: "What Piopiy's answer to an invalid body looks like" };
	const copes = 'a 4xx is refused; the words come from error, message or msg, else the status';
	const blocked = voiceBlocked(observations.headline) ?? unjudgeable(exchange);
	if (blocked) return notChecked(base, blocked, 'blocked', copes);
	const reply = exchange!.reply!;
	const observed = `${replySummary(exchange)} ${keysOf(reply.body)}`;
	if (reply.verdict.kind !== 'refused') {
		return { ...base, observed, agrees: '✘', node: `the node would judge an invalid request ${reply.verdict.kind} (${reply.verdict.reason})` };
	}
	return replyErrorText(reply.body)
		? { ...base, observed, agrees: '✔', node: "the node reports it refused, in Piopiy's words" }
		: { ...base, observed, agrees: '?', node: 'refused, but the node finds no words in error/message/msg: it shows the status only' };
}

function causeCase(observations: Observations): Finding {
	const upper = byName(observations, 'hangupMissingCall');
	const lower = byName(observations, 'lowerCaseCause');
	const base = { id: 'cause-case', unknown: 'Whether `cause` names are accepted in another case' };
	const node = 'the node sends the upper-case names whatever is typed';
	const blocked = voiceBlocked(observations.headline) ?? unjudgeable(upper) ?? unjudgeable(lower);
	if (blocked) return notChecked(base, blocked, 'blocked', node);
	const upperStatus = upper!.reply!.status;
	const observed =
		lower!.reply!.status === upperStatus
			? `lower case answered as upper case (HTTP ${upperStatus}): not refused for its case`
			: `lower case ${replySummary(lower)}, upper case HTTP ${upperStatus}`;
	return { ...base, observed, agrees: '✔', node };
}

function rateLimits(observations: Observations): Finding {
	const base = { id: 'rate-limits', unknown: "Piopiy's rate limits (headers of every reply)" };
	const { headline } = observations;
	const blocked = voiceBlocked(headline);
	if (blocked) return notChecked(base, blocked, 'blocked', 'learns the rate from 429s');
	// Piopiy's limits are the voice API's; the account API's reply is looked at too once it answered.
	const exchanges = [
		...observations.exchanges.filter((exchange) => exchange.name !== 'balance' || headline.accountApi.state === 'reached'),
		...(observations.call.placed ? [observations.call.exchange] : []),
	];
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
	const copes = "uses TeleCMI's account API, at an address the user can change";
	const { accountApi } = observations.headline;
	if (accountApi.state === 'not asked') return notChecked(base, accountApi.why, 'notAsked', copes);
	if (accountApi.state !== 'reached' || !exchange?.reply) return notChecked(base, `the account API ${accountApi.state} (see the headline)`, 'blocked', copes);
	const reply = exchange.reply;
	const observed = `${replySummary(exchange)} ${keysOf(reply.body)}`;
	const output = typeof reply.body === 'object' && reply.body !== null ? balanceOutput(reply.body as Record<string, never>) : {};
	return typeof output.balance === 'number'
		? { ...base, observed, agrees: '✔', node: `Get Balance outputs balance ${output.balance}` }
		: { ...base, observed, agrees: '✘', node: 'Get Balance finds no balance in it' };
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

/** Why the call's rows cannot be judged, if they cannot: no call, a call Piopiy refused, no post. */
function callBlocked(call: CallObservation, needsAnswer: boolean): { why: string; kind: NotChecked } | undefined {
	if (!call.placed) return { why: call.why, kind: call.notChecked };
	if (call.exchange.reply?.verdict.kind !== 'accepted') return { why: `Piopiy did not accept the call (${replySummary(call.exchange)})`, kind: 'blocked' };
	if (needsAnswer && !call.answer) return { why: `no answer was posted within ${call.waitedSec} s`, kind: 'blocked' };
	if (!needsAnswer && !call.received.some((post) => post.method === 'POST')) {
		return { why: `nothing was posted to the listener within ${call.waitedSec} s`, kind: 'blocked' };
	}
	return undefined;
}

function callerInput(observations: Observations): Finding {
	const base = { id: 'caller-input-fields', unknown: "The field names of a caller's answer (keys, speech) in Piopiy's post" };
	const copes = 'reads several names (interactive/post.ts) and keeps the post as it came';
	const call = observations.call;
	const blocked = callBlocked(call, true);
	if (blocked || !call.placed || !call.answer) return notChecked(base, blocked?.why ?? 'no answer', blocked?.kind ?? 'blocked', copes);
	const body = call.answer.body;
	const reading = nodeReadsPost(body, idIn(call.exchange.reply?.body));
	const observed = `${call.answer.method} ${keysOf(body)}`;
	if (reading.decision === 'failed' || reading.decision === 'callEnded' || reading.decision === 'unknownStatus') {
		// The node counts no keys or words from a post that says the call failed or ended.
		return { ...base, observed, agrees: '?', node: `the node reads "${reading.decision}" (${reading.rule}): if you pressed a key or spoke, say so in the issue` };
	}
	if (reading.keys !== null || reading.speech !== null) {
		const read = [reading.keys !== null ? `keys "${reading.keys}"` : '', reading.speech !== null ? `speech "${short(reading.speech, 30)}"` : '']
			.filter(Boolean)
			.join(' and ');
		return { ...base, observed, agrees: '✔', node: `the node reads ${read}` };
	}
	if (reading.nothingEntered) {
		// The node reads an empty post and one that says nothing was entered alike; the observed
		// cell shows which it was.
		return { ...base, observed, agrees: '?', node: 'the node reads "nothing entered" (no keys, no speech): if you pressed a key or spoke, say so in the issue' };
	}
	const keyFields = keypadFields(body).filter((field) => !NOT_AN_ANSWER.test(field));
	return keyFields.length > 0
		? { ...base, observed, agrees: '✘', node: `the node reads no keys and no speech, yet ${keyFields.join(', ')} looks like keys` }
		: { ...base, observed, agrees: '?', node: 'the node reads no keys and no speech in it: Call and Ask would report "other input"' };
}

function answerCallId(observations: Observations): Finding {
	const base = { id: 'answer-call-id', unknown: 'Whether the answer post names its call (as the call request was answered)' };
	const copes = 'matches the post to the call when it names one, accepts it when it does not';
	const call = observations.call;
	const blocked = callBlocked(call, true);
	if (blocked || !call.placed || !call.answer) return notChecked(base, blocked?.why ?? 'no answer', blocked?.kind ?? 'blocked', copes);
	const placed = idIn(call.exchange.reply?.body);
	const reading = nodeReadsPost(call.answer.body, placed);
	if (!reading.callId) return { ...base, observed: 'the post names no call the node can read', agrees: '?', node: 'the node accepts a post that names no call' };
	const observed = `post names ${reading.callId}; the call's reply ${placed ?? 'named none'}`;
	if (reading.aboutAnotherCall) return { ...base, observed, agrees: '✘', node: 'the node would refuse this post as about another call' };
	return { ...base, observed, agrees: '✔', node: placed ? 'the node matches it to the call' : 'the node accepts it (the reply named no call to match)' };
}

function variablesEcho(observations: Observations): Finding {
	const base = { id: 'variables-echo', unknown: "Whether a call's `variables` come back in what Piopiy posts" };
	const copes = 'relies on nothing coming back';
	const call = observations.call;
	const blocked = callBlocked(call, false);
	if (blocked || !call.placed) return notChecked(base, blocked?.why ?? 'no call', blocked?.kind ?? 'blocked', copes);
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
	const base = { id: 'webhook-payloads', unknown: 'The v3 webhook payloads' };
	const node = 'the trigger passes every field on unchanged';
	const call = observations.call;
	const blocked = callBlocked(call, false);
	if (blocked || !call.placed) return notChecked(base, blocked?.why ?? 'no call', blocked?.kind ?? 'blocked', node);
	const posts = call.received.filter((post) => post.method === 'POST');
	return { ...base, observed: posts.map((post) => `${post.url.split('?')[0]} ${keysOf(post.body)}`).join('; '), agrees: '✔', node };
}

const outOfReach = (id: string, unknown: string, why: string, node: string): Finding => notChecked({ id, unknown }, why, 'outOfReach', node);

export function findings(observations: Observations): Finding[] {
	return [
		successBody(observations),
		credentialProbe(observations),
		hangupMissingCall(observations),
		validationError(observations),
		outOfReach(
			'placed-after-failure',
			'Whether a call request that timed out or got a 5xx placed a call',
			'only a failing call request would show it, and the live check sends no call it cannot see answered',
			'never sent again; reported as "may have been placed"',
		),
		rateLimits(observations),
		outOfReach('connect-strategy', "Piopiy's default `connect` strategy", 'only a call with two agents would show it', 'Sequential is offered as the failover'),
		causeCase(observations),
		balance(observations),
		webhookPayloads(observations),
		callerInput(observations),
		answerCallId(observations),
		variablesEcho(observations),
	];
}

/**
 * What the run's exit code says: 1 when a finding contradicts the node, else 4 when a row this run
 * set out to check was not checked (the headline or the call says why), else 0. Rows not asked for
 * (no --call) or that no live check can settle do not count.
 */
export function exitCodeOf(rows: Finding[]): 0 | 1 | 4 {
	if (rows.some((row) => row.agrees === '✘')) return 1;
	return rows.some((row) => row.notChecked === 'blocked') ? 4 : 0;
}
