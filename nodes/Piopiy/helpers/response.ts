import { replyId } from './runRecord';

/**
 * How a Piopiy reply is judged: the one place these rules live (docs/piopiy-api.md "Responses"). Pure.
 *
 * A reply is *accepted* when nothing in it says the request failed, *refused* only when everything in
 * it says so (nothing was done, sending it again is safe), and *unknown* when it cannot be trusted
 * either way: it may have placed or changed a call, exactly as after a 5xx or a timeout.
 */

const SUCCESS_CODES = new Set<unknown>([200, '200', 'cmi-200']);

export type ReplyVerdict =
	| {
			kind: 'accepted';
			/** 2xx and no field says it failed (an empty body and a JSON array included). */
			reason: 'noFailureSignal';
	  }
	| {
			kind: 'refused';
			/**
			 * - `rateLimited`: 429;
			 * - `failureStatus`: another 4xx, and no field says it succeeded;
			 * - `failureBody`: 2xx, but the body says it failed and nothing says it succeeded;
			 * - `moved`: 301, 307 or 308: the request belongs elsewhere and was not handled here.
			 */
			reason: 'rateLimited' | 'failureStatus' | 'failureBody' | 'moved';
	  }
	| {
			kind: 'unknown';
			/**
			 * - `serverError`: 5xx;
			 * - `notJson`: 2xx whose body is not a JSON object or array (text, HTML, a number, null);
			 * - `contradicts`: some fields say it failed (the status included), others that it succeeded;
			 * - `unclearStatus`: a status that says neither: a 302 or 303 (a 303 means the request was
			 *   handled, a 302 often does) or another 3xx, or one outside 200-599.
			 */
			reason: 'serverError' | 'notJson' | 'contradicts' | 'unclearStatus';
	  };

export interface ReplySignals {
	/** Fields that say the request failed, as the user would read them, e.g. `success: false`. */
	failure: string[];
	/** Fields that say it succeeded: `success: true`, a success `code`, a `call_id` or `request_id`. */
	success: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const shown = (value: unknown) => {
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** What the body's own fields say. A body that is not an object says nothing. */
export function replySignals(body: unknown): ReplySignals {
	const signals: ReplySignals = { failure: [], success: [] };
	if (!isRecord(body)) return signals;
	if (body.error) signals.failure.push(`error: ${shown(body.error)}`);
	if (body.success === false) signals.failure.push('success: false');
	if (body.success === true) signals.success.push('success: true');
	if ('code' in body && body.code !== undefined) {
		(SUCCESS_CODES.has(body.code) ? signals.success : signals.failure).push(`code: ${shown(body.code)}`);
	}
	const id = replyId(body as Parameters<typeof replyId>[0]);
	if (id !== undefined) signals.success.push(`an ID (${shown(id)})`);
	return signals;
}

/** The verdict on one reply; `body` is as parsed (JSON when it was JSON, else the text). */
export function judgeReply(statusCode: number, body: unknown): ReplyVerdict {
	const { failure, success } = replySignals(body);
	const saysSucceeded = success.length > 0;
	if (statusCode >= 500 && statusCode <= 599) return { kind: 'unknown', reason: 'serverError' };
	if (statusCode >= 200 && statusCode <= 299) {
		if (typeof body !== 'object' || body === null) return { kind: 'unknown', reason: 'notJson' };
		if (failure.length === 0) return { kind: 'accepted', reason: 'noFailureSignal' };
		return saysSucceeded ? { kind: 'unknown', reason: 'contradicts' } : { kind: 'refused', reason: 'failureBody' };
	}
	// The status says it failed: a body that says it succeeded contradicts it.
	if (saysSucceeded) return { kind: 'unknown', reason: 'contradicts' };
	if (statusCode === 429) return { kind: 'refused', reason: 'rateLimited' };
	if (statusCode >= 400 && statusCode <= 499) return { kind: 'refused', reason: 'failureStatus' };
	if (statusCode === 301 || statusCode === 307 || statusCode === 308) return { kind: 'refused', reason: 'moved' };
	return { kind: 'unknown', reason: 'unclearStatus' };
}

function textOf(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (isRecord(value) && typeof value.message === 'string' && value.message.trim() !== '') {
		return value.message.trim();
	}
	return undefined;
}

/** Piopiy's own words for a failure: `error`, else `message`, else `msg`; undefined when it gave none. */
export function replyErrorText(body: unknown): string | undefined {
	if (!isRecord(body)) return undefined;
	return textOf(body.error) ?? textOf(body.message) ?? textOf(body.msg);
}
