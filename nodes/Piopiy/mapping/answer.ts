import type { IDataObject } from 'n8n-workflow';

/**
 * The caller's answer, from what Piopiy posts to a `play_get_input`'s `on_result` URL. Piopiy has not
 * published the v3 field names of that post (CONTRACT.md "Webhooks Piopiy sends"), so plausible names
 * are read, at the top level and inside `data` or `result`, and the body is kept as it came. The
 * reading is strict where it decides an approval:
 * - keys are read only from fields whose name says they carry keypad input (KEY_FIELDS); a generic
 *   `input` or `value` counts only when the post says its input is keypad input (`type`, `input_type`
 *   or `mode` is `dtmf`, e.g. `{"type": "dtmf", "value": "1"}`);
 * - keys are a text of 0-9, * and #, or a whole number ≥ 0 (a JSON number, `{"digits": 1}`, is read as
 *   its digits; leading zeros are lost, which a one-key answer does not have);
 * - a post whose status says nothing was entered (NOTHING_ENTERED) holds no keys and no speech,
 *   whatever else it carries.
 */

/** Fields that carry the keys pressed, by name. */
const KEY_FIELDS = ['digits', 'dtmf', 'dtmf_input', 'dtmf_digits', 'keys', 'pressed'];
/** Generic fields, read as keys only when the post says its input is keypad input. */
const GENERIC_INPUT_FIELDS = ['input', 'value'];
const INPUT_TYPE_FIELDS = ['type', 'input_type', 'mode'];
const SPEECH_FIELDS = ['speech', 'transcript', 'text', 'speech_text', 'transcription', 'utterance'];
const CALL_ID_FIELDS = ['call_id', 'callId', 'cmiuuid', 'uuid'];
const STATUS_FIELDS = ['status', 'result', 'reason', 'event'];
/** Statuses that say the caller entered nothing (compared without case, `-`, `_` or spaces). */
const NOTHING_ENTERED = new Set(['noinput', 'timeout', 'timedout', 'failed', 'failure', 'error', 'nomatch', 'noresponse', 'cancelled', 'canceled', 'hangup']);

export interface CallerAnswer {
	/** The keys pressed, e.g. "1" or "4521"; null when the caller pressed none (or the post does not say). */
	digits: string | null;
	/** What the caller said, as Piopiy transcribed it; null when nothing was said. */
	speech: string | null;
	/** The call the post is about, when the post names one. */
	callId: string | null;
	/** The post says nothing was entered, or holds nothing at all: no answer. */
	nothingEntered: boolean;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The places a field may sit: the body itself, then a nested `data` or `result` object. */
function layers(body: unknown): IDataObject[] {
	if (!isObject(body)) return [];
	return [body, body.data, body.result].filter(isObject);
}

/** The first non-empty text among `names` that `read` accepts, layer by layer. */
function firstOf(body: unknown, names: string[], read: (value: unknown) => string | null): string | null {
	for (const layer of layers(body)) {
		for (const name of names) {
			const text = read(layer[name]);
			if (text !== null) return text;
		}
	}
	return null;
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

const normalised = (value: unknown) => (typeof value === 'string' ? value.toLowerCase().replace(/[\s_-]/g, '') : '');

function saysNothingEntered(body: unknown): boolean {
	return layers(body).some((layer) => STATUS_FIELDS.some((name) => NOTHING_ENTERED.has(normalised(layer[name]))));
}

/** Keys in a generic field, from a layer that says its input is keypad input. */
function genericKeys(body: unknown): string | null {
	for (const layer of layers(body)) {
		if (!INPUT_TYPE_FIELDS.some((name) => normalised(layer[name]) === 'dtmf')) continue;
		for (const name of GENERIC_INPUT_FIELDS) {
			const keys = asKeys(layer[name]);
			if (keys !== null) return keys;
		}
	}
	return null;
}

/** Whether the post holds anything beyond the call it names and its status. */
function holdsSomething(body: unknown): boolean {
	const known = new Set([...CALL_ID_FIELDS, ...STATUS_FIELDS]);
	const meaningful = (value: unknown): boolean =>
		value !== null && value !== undefined && value !== '' && !(isObject(value) && Object.keys(value).length === 0);
	if (Array.isArray(body)) return body.length > 0;
	if (!isObject(body)) return meaningful(body);
	const [top, ...nested] = layers(body);
	const holds = (layer: IDataObject) => Object.entries(layer).some(([name, value]) => (!known.has(name) || isObject(value)) && meaningful(value));
	// The nested layers are looked into on their own, not counted as something in the top one.
	return holds(Object.fromEntries(Object.entries(top).filter(([, value]) => !nested.includes(value as IDataObject)))) || nested.some(holds);
}

export function readCallerAnswer(body: unknown): CallerAnswer {
	const callId = firstOf(body, CALL_ID_FIELDS, asText);
	if (saysNothingEntered(body)) return { digits: null, speech: null, callId, nothingEntered: true };
	const digits = firstOf(body, KEY_FIELDS, asKeys) ?? genericKeys(body);
	const speech = firstOf(body, SPEECH_FIELDS, asText);
	return { digits, speech, callId, nothingEntered: digits === null && speech === null && !holdsSomething(body) };
}

/** Whether a post names a call other than the one asked (a post that names none is not refused). */
export function isAboutAnotherCall(answer: CallerAnswer, expectedCallId: string | undefined): boolean {
	if (!expectedCallId || !answer.callId) return false;
	return answer.callId.toLowerCase() !== expectedCallId.toLowerCase();
}

export type Decision = 'approved' | 'declined' | 'otherInput' | 'noAnswer';

/** The finish key of Piopiy's keypad input: it ends the input and may come back after the keys. */
export const FINISH_KEY = '#';

/**
 * What a phone approval came to. One key was asked for: the keys pressed (less the finish key Piopiy
 * may append) must be exactly the approve or the decline key. More keys, another key, speech or a
 * post of unknown shape are `otherInput`; nothing entered (or only the finish key) is `noAnswer`.
 */
export function decideApproval(answer: CallerAnswer, approveKey: string, declineKey: string): Decision {
	if (answer.nothingEntered) return 'noAnswer';
	const keys = answer.digits?.endsWith(FINISH_KEY) ? answer.digits.slice(0, -1) : (answer.digits ?? '');
	if (keys === approveKey) return 'approved';
	if (keys === declineKey) return 'declined';
	if (keys === '' && answer.digits !== null && answer.speech === null) return 'noAnswer';
	return 'otherInput';
}

/** The keys a person may press for Approve and Decline: one key each (not the finish key), not the same one. */
export function approvalKeysProblem(approveKey: unknown, declineKey: unknown): string | undefined {
	const oneKey = (key: unknown) => typeof key === 'string' && /^[0-9*]$/.test(key);
	if (!oneKey(approveKey)) return 'Approve Key';
	if (!oneKey(declineKey) || declineKey === approveKey) return 'Decline Key';
	return undefined;
}

/** What Approve Key and Decline Key accept, for the message that refuses one. */
export const APPROVAL_KEY_EXPECTED = `one key of the keypad (0-9 or *), different for Approve and Decline (${FINISH_KEY} is the finish key, which ends the input, so it cannot be an answer)`;
