import type { Question } from './question';

/**
 * What a post to a waiting question comes to, read in two tables. Piopiy has not published the v3
 * field names of a Play and Get Input's result post (CONTRACT.md "Webhooks Piopiy sends"), so:
 * 1. Fact rows read what the post says, collecting every match (not the first): the keys (none, the
 *    finish key only, one, several, conflicting), the words said, every status wherever it sits
 *    (none, success-like, nothing entered, call ended, failed, unknown), the call it names (absent,
 *    the one asked, another), a plain-text answer, anything else.
 * 2. One decision table per kind of question (approval, free text, input), first matching row wins;
 *    its last row is "not approved", and only one row of one table approves: exactly the approve key,
 *    in a field known to carry keys, in a post with no sign of failure.
 * `judgeAnswerPost` is the one reading of a post: the waiting webhook and the live check use it.
 */

/** Fields that carry the keys pressed, by name. */
const KEY_FIELDS = ['digits', 'dtmf', 'dtmf_input', 'dtmf_digits', 'keys', 'pressed'];
/** Generic fields, read as keys only when their layer says its input is keypad input. */
const GENERIC_INPUT_FIELDS = ['input', 'value'];
const INPUT_TYPE_FIELDS = ['type', 'input_type', 'mode'];
const SPEECH_FIELDS = ['speech', 'transcript', 'text', 'speech_text', 'transcription', 'utterance'];
const CALL_ID_FIELDS = ['call_id', 'callId', 'cmiuuid', 'uuid'];
/** Fields whose value is a status, wherever they sit (a nested `{"code": …}` included). */
const STATUS_FIELDS = ['status', 'state', 'reason', 'call_status', 'error_code', 'code'];
/** `result` and `event` count as a status only when they hold a known status word. */
const STATUS_IF_KNOWN_FIELDS = ['result', 'event'];
/** Piopiy's own words about the post: never the person's answer. */
const META_FIELDS = ['message', 'msg', 'description', 'detail', 'status_text', 'timestamp', 'time', 'request_id', 'app_id', 'success', 'error', 'ok'];

export type StatusClass = 'success' | 'nothingEntered' | 'callEnded' | 'failed' | 'unknown';

/** Statuses by what they say, compared without case, `-`, `_` or spaces. */
const STATUS_WORDS: Record<Exclude<StatusClass, 'unknown'>, string[]> = {
	success: ['success', 'successful', 'succeeded', 'ok', 'completed', 'complete', 'collected', 'inputcollected', 'received', 'answered', 'done'],
	nothingEntered: ['noinput', 'timeout', 'timedout', 'nomatch', 'noresponse', 'silence', 'empty', 'nodtmf', 'nospeech', 'noinputtimeout'],
	callEnded: ['hangup', 'hungup', 'busy', 'noanswer', 'cancelled', 'canceled', 'callended', 'ended', 'disconnected', 'rejected', 'abandoned', 'callerhungup'],
	failed: ['failed', 'failure', 'error', 'maxretriesexceeded', 'invalidinput', 'invalid', 'aborted', 'unavailable'],
};

const normalised = (value: string) => value.toLowerCase().replace(/[\s_-]/g, '');

export function classifyStatus(value: string): StatusClass {
	const word = normalised(value);
	for (const [kind, words] of Object.entries(STATUS_WORDS) as Array<[StatusClass, string[]]>) if (words.includes(word)) return kind;
	return 'unknown';
}

export type KeysFact = 'none' | 'finishOnly' | 'one' | 'several' | 'conflicting';
export type CallFact = 'absent' | 'same' | 'other' | 'unchecked';

export interface PostFacts {
	keys: KeysFact;
	/** The keys as posted (the finish key kept), when the key fields agree; else null. */
	digits: string | null;
	/** The keys without a closing finish key; null as `digits`. */
	pressed: string | null;
	/** The words said, as Piopiy transcribed them; never one of Piopiy's own status words. */
	speech: string | null;
	/** Every status found, as it was written, and what each says. */
	statuses: Array<{ status: string; says: StatusClass }>;
	/** The call the post names (the first), and how it stands to the call asked. */
	callId: string | null;
	call: CallFact;
	/** A plain-text answer in `result`, or a generic `input`/`value` not said to be keypad input. */
	plainText: string | null;
	/** Whether the post holds anything beyond the call, statuses and Piopiy's own words. */
	content: boolean;
}

type Layer = Record<string, unknown>;

function isObject(value: unknown): value is Layer {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The places answer fields may sit: the body, then a nested `data` or `result` object. */
function layers(body: Layer): Layer[] {
	return [body, body.data, body.result].filter(isObject);
}

const KEYPAD = /^[0-9*#]+$/;

function asKeys(value: unknown): string | null {
	if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
	if (typeof value !== 'string') return null;
	const text = value.trim();
	return KEYPAD.test(text) ? text : null;
}

function asText(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

const meaningful = (value: unknown): boolean =>
	value !== null && value !== undefined && value !== '' && !(isObject(value) && Object.keys(value).length === 0) && !(Array.isArray(value) && value.length === 0);

/** Every object in the body (already bounded in size and depth by `postBodyProblem`). */
function objectsIn(body: Layer): Layer[] {
	const found: Layer[] = [];
	const stack: unknown[] = [body];
	while (stack.length > 0) {
		const value = stack.pop();
		if (Array.isArray(value)) stack.push(...value);
		else if (isObject(value)) {
			found.push(value);
			stack.push(...Object.values(value));
		}
	}
	return found;
}

/** Every status the post gives, wherever it sits, with `error` and `success: false` as failures. */
function statusesIn(body: Layer): PostFacts['statuses'] {
	const statuses: PostFacts['statuses'] = [];
	const add = (status: string, known: boolean) => {
		const says = classifyStatus(status);
		if (!known || says !== 'unknown') statuses.push({ status, says });
	};
	for (const object of objectsIn(body)) {
		for (const [name, value] of Object.entries(object)) {
			const field = name.toLowerCase();
			const statusField = STATUS_FIELDS.includes(field);
			if (statusField || STATUS_IF_KNOWN_FIELDS.includes(field)) {
				if (typeof value === 'string' && value.trim() !== '') add(value.trim(), !statusField);
				else if (typeof value === 'number' && statusField && field !== 'code') add(String(value), false);
			}
			if (field === 'error' && meaningful(value) && value !== false && value !== 0) {
				statuses.push({ status: typeof value === 'string' ? value : 'error', says: 'failed' });
			}
			if ((field === 'success' || field === 'ok') && (value === false || value === 'false')) {
				statuses.push({ status: `${name}: false`, says: 'failed' });
			}
		}
	}
	return statuses;
}

/** The keys of every field known to carry them, layer by layer. */
function keysIn(body: Layer): string[] {
	const found: string[] = [];
	for (const layer of layers(body)) {
		for (const name of KEY_FIELDS) {
			const keys = asKeys(layer[name]);
			if (keys !== null && keys !== '') found.push(keys);
		}
		if (INPUT_TYPE_FIELDS.some((name) => typeof layer[name] === 'string' && normalised(layer[name] as string) === 'dtmf')) {
			for (const name of GENERIC_INPUT_FIELDS) {
				const keys = asKeys(layer[name]);
				if (keys !== null && keys !== '') found.push(keys);
			}
		}
	}
	return found;
}

function firstText(body: Layer, names: string[], accept: (text: string) => boolean = () => true): string | null {
	for (const layer of layers(body)) {
		for (const name of names) {
			const text = asText(layer[name]);
			if (text !== null && accept(text)) return text;
		}
	}
	return null;
}

/** A plain-text `result`, or a generic `input`/`value` whose layer does not say it is keypad input. */
function plainTextIn(body: Layer): string | null {
	const result = body.result;
	if ((typeof result === 'string' || typeof result === 'number') && String(result).trim() !== '' && classifyStatus(String(result)) === 'unknown') {
		return String(result).trim();
	}
	for (const layer of layers(body)) {
		if (INPUT_TYPE_FIELDS.some((name) => typeof layer[name] === 'string' && normalised(layer[name] as string) === 'dtmf')) continue;
		for (const name of GENERIC_INPUT_FIELDS) {
			const value = layer[name];
			if ((typeof value === 'string' || typeof value === 'number') && String(value).trim() !== '') return String(value).trim();
		}
	}
	return null;
}

function holdsContent(body: Layer): boolean {
	const known = new Set([...CALL_ID_FIELDS, ...STATUS_FIELDS, ...STATUS_IF_KNOWN_FIELDS, ...META_FIELDS]);
	const nested = layers(body).slice(1);
	// Piopiy's own status words in a text field ("Input collected") are not an answer either.
	const statusWords = (name: string, value: unknown) => SPEECH_FIELDS.includes(name) && typeof value === 'string' && classifyStatus(value) !== 'unknown';
	const holds = (layer: Layer) =>
		Object.entries(layer).some(
			([name, value]) =>
				!nested.includes(value as Layer) && (!known.has(name.toLowerCase()) || isObject(value)) && meaningful(value) && !statusWords(name, value),
		);
	return layers(body).some(holds);
}

/** The fact rows: what a post (a JSON object) says, every match collected. `askedCallId` is the call asked, when known. */
export function readPostFacts(body: Layer, finishKey: string, askedCallId: string | null): PostFacts {
	const keyValues = keysIn(body);
	const strip = (keys: string) => (keys.endsWith(finishKey) ? keys.slice(0, -1) : keys);
	const distinct = [...new Set(keyValues.map(strip))];
	let keys: KeysFact = 'none';
	if (distinct.length > 1) keys = 'conflicting';
	else if (distinct.length === 1) keys = distinct[0] === '' ? 'finishOnly' : distinct[0].length === 1 ? 'one' : 'several';
	const digits = keys === 'conflicting' || keyValues.length === 0 ? null : keyValues[0];
	const callIds = layers(body).flatMap((layer) => CALL_ID_FIELDS.map((name) => asText(layer[name])).filter((id): id is string => id !== null));
	let call: CallFact = 'absent';
	if (callIds.length > 0) {
		if (!askedCallId) call = 'unchecked';
		else call = callIds.every((id) => id.toLowerCase() === askedCallId.toLowerCase()) ? 'same' : 'other';
	}
	return {
		keys,
		digits,
		pressed: digits === null ? null : strip(digits),
		speech: firstText(body, SPEECH_FIELDS, (text) => classifyStatus(text) === 'unknown'),
		statuses: statusesIn(body),
		callId: callIds[0] ?? null,
		call,
		plainText: plainTextIn(body),
		content: holdsContent(body),
	};
}

/** What a post comes to. `answered` for an answer to a question that approves nothing. */
export type Decision = 'approved' | 'declined' | 'otherInput' | 'answered' | 'noAnswer' | 'failed' | 'callEnded' | 'unknownStatus' | 'otherCall';

interface Row {
	rule: string;
	when: (facts: PostFacts, question: Question) => boolean;
	decision: Decision;
}

const says = (kind: StatusClass) => (facts: PostFacts) => facts.statuses.some(({ says: status }) => status === kind);
const noSignOfFailure = (facts: PostFacts) => facts.statuses.every(({ says: status }) => status === 'success');

/** Rows every kind starts with: the post is about another call, or says the question was not answered. */
const FAILURE_ROWS: Row[] = [
	// A call that cannot be compared ('unchecked': Piopiy's reply named none) does not refuse: the sealed
	// URL already binds the post to this one question, and Piopiy's documented replies may name no call,
	// so refusing would turn a person's real answer into "nobody answered".
	{ rule: 'names another call', when: (facts) => facts.call === 'other', decision: 'otherCall' },
	{ rule: 'a status says it failed', when: says('failed'), decision: 'failed' },
	{ rule: 'a status says the call ended', when: says('callEnded'), decision: 'callEnded' },
	{ rule: 'a status says nothing was entered', when: says('nothingEntered'), decision: 'noAnswer' },
	{ rule: 'a status the node does not know', when: says('unknown'), decision: 'unknownStatus' },
];

const hasWords = (facts: PostFacts) => facts.speech !== null || facts.plainText !== null;
const isEmpty = (facts: PostFacts) => !facts.content && !hasWords(facts) && facts.keys === 'none';

export const DECISION_TABLES: Record<Question['kind'], { rows: Row[]; otherwise: Row }> = {
	approval: {
		rows: [
			...FAILURE_ROWS,
			{ rule: 'key fields disagree', when: (facts) => facts.keys === 'conflicting', decision: 'otherInput' },
			// The one row that approves.
			{
				rule: 'exactly the approve key, no sign of failure',
				when: (facts, question) => facts.keys === 'one' && noSignOfFailure(facts) && question.approveKey !== null && facts.pressed === question.approveKey,
				decision: 'approved',
			},
			{ rule: 'exactly the decline key', when: (facts, question) => facts.keys === 'one' && facts.pressed === question.declineKey, decision: 'declined' },
			{ rule: 'other keys', when: (facts) => facts.keys === 'one' || facts.keys === 'several', decision: 'otherInput' },
			{ rule: 'words instead of a key', when: hasWords, decision: 'otherInput' },
			{ rule: 'only the finish key', when: (facts) => facts.keys === 'finishOnly', decision: 'noAnswer' },
			{ rule: 'a post the node cannot read', when: (facts) => facts.content, decision: 'otherInput' },
			{ rule: 'an empty post', when: isEmpty, decision: 'noAnswer' },
		],
		otherwise: { rule: 'not approved', when: () => true, decision: 'otherInput' },
	},
	freeText: {
		rows: [
			...FAILURE_ROWS,
			{ rule: 'words or keys', when: (facts) => hasWords(facts) || facts.keys === 'one' || facts.keys === 'several' || facts.keys === 'conflicting', decision: 'answered' },
			{ rule: 'only the finish key', when: (facts) => facts.keys === 'finishOnly', decision: 'noAnswer' },
			{ rule: 'a post the node cannot read', when: (facts) => facts.content, decision: 'answered' },
			{ rule: 'an empty post', when: isEmpty, decision: 'noAnswer' },
		],
		otherwise: { rule: 'not approved', when: () => true, decision: 'noAnswer' },
	},
	input: {
		rows: [
			...FAILURE_ROWS,
			{ rule: 'keys or words', when: (facts) => hasWords(facts) || facts.keys !== 'none', decision: 'answered' },
			{ rule: 'a post the node cannot read', when: (facts) => facts.content, decision: 'answered' },
			{ rule: 'an empty post', when: isEmpty, decision: 'noAnswer' },
		],
		otherwise: { rule: 'not approved', when: () => true, decision: 'noAnswer' },
	},
};

/** The decision for the facts of a post, and the rule that made it. */
export function decide(facts: PostFacts, question: Question): { decision: Decision; rule: string } {
	const table = DECISION_TABLES[question.kind];
	const row = table.rows.find(({ when }) => when(facts, question)) ?? table.otherwise;
	return { decision: row.decision, rule: row.rule };
}

/** Bounds of a post's body: a Play and Get Input result is a few hundred bytes. */
export const POST_LIMITS = { depth: 8, values: 2000, textLength: 65_536 };

/** Why a body cannot be read (too deep, too big, not a JSON object), or undefined. Never throws. */
export function postBodyProblem(body: unknown): { status: number; error: string } | undefined {
	if (!isObject(body) || Buffer.isBuffer(body)) return { status: 415, error: 'Expected a JSON object; the execution keeps waiting' };
	let values = 0;
	let text = 0;
	const stack: Array<[unknown, number]> = [[body, 1]];
	while (stack.length > 0) {
		const [value, depth] = stack.pop() as [unknown, number];
		values += 1;
		if (values > POST_LIMITS.values || depth > POST_LIMITS.depth) return { status: 413, error: 'The body is too big or too deep; the execution keeps waiting' };
		if (typeof value === 'string') text += value.length;
		else if (typeof value === 'object' && value !== null) {
			const entries = Array.isArray(value) ? value : Object.entries(value).flat();
			for (const entry of entries) stack.push([entry, depth + 1]);
		}
		if (text > POST_LIMITS.textLength) return { status: 413, error: 'The body is too big or too deep; the execution keeps waiting' };
	}
	return undefined;
}

export type Judgement =
	| { resumes: false; status: number; error: string; rule: string }
	| {
			resumes: true;
			decision: Decision;
			rule: string;
			approved: boolean;
			/** `answered`, or why not: `noAnswer`, `failed`, `callEnded`, `unknownStatus`. */
			outcome: 'answered' | 'noAnswer' | 'failed' | 'callEnded' | 'unknownStatus';
			facts: PostFacts;
	  };

/**
 * The one reading of a posted answer: whether `body` may resume the wait for `question`, and what it
 * comes to. `placedCallId` is the call placed, for a question asked before its call existed (Call and
 * Ask). Pure and total: it never throws, and only the approval table's one row approves.
 */
export function judgeAnswerPost(body: unknown, question: Question, placedCallId: string | null = null): Judgement {
	const problem = postBodyProblem(body);
	if (problem) return { resumes: false, ...problem, rule: 'an unreadable body' };
	const facts = readPostFacts(body as Layer, question.finishKey, question.callId ?? placedCallId);
	const { decision, rule } = decide(facts, question);
	if (decision === 'otherCall') {
		return { resumes: false, status: 409, error: 'This input is about another call; the execution keeps waiting', rule };
	}
	const outcome = decision === 'noAnswer' || decision === 'failed' || decision === 'callEnded' || decision === 'unknownStatus' ? decision : 'answered';
	return { resumes: true, decision, rule, approved: decision === 'approved', outcome, facts };
}
