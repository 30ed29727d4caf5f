import type { IDataObject } from 'n8n-workflow';

/**
 * The caller's answer, from what Piopiy posts to a `play_get_input`'s `on_result` URL. Piopiy has not
 * published the v3 field names of that post (CONTRACT.md "Webhooks Piopiy sends"), so the plausible
 * names are read, at the top level and inside `data`, and the body is kept as it came.
 */

/** Field names Piopiy or its v2 API may use, in the order they are tried. */
const DIGITS_FIELDS = ['digits', 'dtmf', 'input', 'dtmf_input', 'keys', 'pressed', 'value'];
const SPEECH_FIELDS = ['speech', 'transcript', 'text', 'speech_text', 'transcription', 'utterance'];
const CALL_ID_FIELDS = ['call_id', 'callId', 'cmiuuid', 'uuid'];

export interface CallerAnswer {
	/** The keys pressed, e.g. "1" or "4521"; null when the caller pressed none. */
	digits: string | null;
	/** What the caller said, as Piopiy transcribed it; null when nothing was said. */
	speech: string | null;
	/** The call the post is about, when the post names one. */
	callId: string | null;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The places a field may sit: the body itself, then a nested `data` or `result` object. */
function layers(body: unknown): IDataObject[] {
	if (!isObject(body)) return [];
	return [body, body.data, body.result].filter(isObject);
}

function firstText(body: unknown, names: string[], accept: (text: string) => boolean): string | null {
	for (const layer of layers(body)) {
		for (const name of names) {
			const value = layer[name];
			const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
			if (typeof text === 'string' && text.trim() !== '' && accept(text.trim())) return text.trim();
		}
	}
	return null;
}

/** Keypad input: digits, * and # only (a speech field named `input` must not pass as keys). */
const KEYPAD = /^[0-9*#]+$/;

export function readCallerAnswer(body: unknown): CallerAnswer {
	return {
		digits: firstText(body, DIGITS_FIELDS, (text) => KEYPAD.test(text)),
		speech: firstText(body, SPEECH_FIELDS, () => true),
		callId: firstText(body, CALL_ID_FIELDS, () => true),
	};
}

/** Whether a post names a call other than the one asked (a post that names none is not refused). */
export function isAboutAnotherCall(answer: CallerAnswer, expectedCallId: string | undefined): boolean {
	if (!expectedCallId || !answer.callId) return false;
	return answer.callId.toLowerCase() !== expectedCallId.toLowerCase();
}

export type Decision = 'approved' | 'declined' | 'otherInput' | 'noAnswer';

/** What a phone approval came to: the first key pressed decides (a finish key such as # is ignored). */
export function decideApproval(answer: CallerAnswer, approveKey: string, declineKey: string): Decision {
	const key = answer.digits?.replace(/#$/, '').charAt(0) ?? '';
	if (key === '') return answer.speech ? 'otherInput' : 'noAnswer';
	if (key === approveKey) return 'approved';
	if (key === declineKey) return 'declined';
	return 'otherInput';
}

/** The keys a person may press for Approve and Decline: one keypad key each, and not the same one. */
export function approvalKeysProblem(approveKey: unknown, declineKey: unknown): string | undefined {
	const oneKey = (key: unknown) => typeof key === 'string' && /^[0-9*#]$/.test(key);
	if (!oneKey(approveKey)) return 'Approve Key';
	if (!oneKey(declineKey) || declineKey === approveKey) return 'Decline Key';
	return undefined;
}
