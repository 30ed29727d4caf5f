import { redactSecrets } from '../../nodes/shared/redact';
import { judgeReply, replyErrorText, replySignals, type ReplyVerdict } from '../../nodes/Piopiy/helpers/response';

/**
 * Every combination of status and body fields the contract allows (docs/piopiy-api.md "Responses"), and why
 * each verdict is what it is. `accepted`: the output item is the body. `refused`: certainly nothing
 * was done, safe to send again. `unknown`: it may have placed the call, as after a 5xx.
 */
const ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const table: Array<[why: string, status: number, body: unknown, verdict: ReplyVerdict['kind'], reason: ReplyVerdict['reason']]> = [
	// 2xx, nothing says it failed
	['2xx with a message only', 200, { message: 'call_queued' }, 'accepted', 'noFailureSignal'],
	['2xx with a request_id', 202, { request_id: 'r' }, 'accepted', 'noFailureSignal'],
	['2xx with call_id and request_id at the top', 200, { success: true, call_id: ID, request_id: 'r' }, 'accepted', 'noFailureSignal'],
	['2xx, v2 style: code 200 and the id under data', 200, { code: 200, data: { status: 'progress', request_id: 'r' } }, 'accepted', 'noFailureSignal'],
	['2xx with code "200"', 200, { code: '200' }, 'accepted', 'noFailureSignal'],
	['2xx with code "cmi-200"', 200, { code: 'cmi-200', msg: 'queued' }, 'accepted', 'noFailureSignal'],
	['2xx with success: true', 200, { success: true }, 'accepted', 'noFailureSignal'],
	['2xx, an empty error is no error', 200, { error: '' }, 'accepted', 'noFailureSignal'],
	['2xx, error: null / false is no error', 200, { success: true, error: null, warning: false }, 'accepted', 'noFailureSignal'],
	['2xx, an empty body (parsed as {})', 200, {}, 'accepted', 'noFailureSignal'],
	['204, no content', 204, {}, 'accepted', 'noFailureSignal'],
	['2xx, a JSON array: no field of its own says it failed', 200, [{ call_id: ID }], 'accepted', 'noFailureSignal'],
	['2xx, success: "false" is text, not the boolean the contract names', 200, { success: 'false' }, 'accepted', 'noFailureSignal'],
	// 2xx whose body says it failed, and nothing says otherwise: a clear refusal
	['2xx with success: false', 200, { success: false, message: 'Insufficient balance' }, 'refused', 'failureBody'],
	['2xx with a truthy error', 200, { error: 'Caller ID not verified' }, 'refused', 'failureBody'],
	['2xx with an error object', 200, { error: { message: 'x' } }, 'refused', 'failureBody'],
	['2xx with a failure code', 200, { code: 404, msg: 'App not found' }, 'refused', 'failureBody'],
	['2xx with a cmi failure code', 200, { code: 'cmi-500' }, 'refused', 'failureBody'],
	['2xx with every failure field', 200, { success: false, error: 'x', code: 400 }, 'refused', 'failureBody'],
	['2xx, an empty call_id is no ID', 200, { success: false, call_id: '' }, 'refused', 'failureBody'],
	// 2xx that contradicts itself: unknown, never "refused"
	['2xx, success: true but an error', 200, { success: true, error: 'Insufficient balance' }, 'unknown', 'contradicts'],
	['2xx, a call_id but success: false', 200, { success: false, call_id: ID }, 'unknown', 'contradicts'],
	['2xx, a request_id but an error', 200, { request_id: 'r', error: 'queue full' }, 'unknown', 'contradicts'],
	['2xx, an id under data but a failure code', 200, { code: 'cmi-500', data: { request_id: 'r' } }, 'unknown', 'contradicts'],
	['2xx, a call_id under data but success: false', 200, { success: false, data: { call_id: ID } }, 'unknown', 'contradicts'],
	['2xx, code 200 but success: false', 200, { code: 200, success: false }, 'unknown', 'contradicts'],
	['2xx, code "cmi-200" but an error', 200, { code: 'cmi-200', error: 'x' }, 'unknown', 'contradicts'],
	['2xx, success: true but code 500', 200, { success: true, code: 500 }, 'unknown', 'contradicts'],
	// 2xx whose body is not a JSON object or array: cannot be read
	['2xx with HTML', 200, '<html><body>Gateway login</body></html>', 'unknown', 'notJson'],
	['2xx with a JSON number', 200, 123, 'unknown', 'notJson'],
	['2xx with JSON null', 200, null, 'unknown', 'notJson'],
	['2xx with a JSON string', 200, 'ok', 'unknown', 'notJson'],
	// 4xx: refused, unless the body says it succeeded
	['400 with an error', 400, { success: false, error: 'Invalid request' }, 'refused', 'failureStatus'],
	['401', 401, { success: false, error: 'Unauthorized' }, 'refused', 'failureStatus'],
	['403 with HTML', 403, '<html>Forbidden</html>', 'refused', 'failureStatus'],
	['404, empty', 404, {}, 'refused', 'failureStatus'],
	['404 with a failure code', 404, { code: 404, msg: 'Invalid appid or secret' }, 'refused', 'failureStatus'],
	['422, an empty call_id is no ID', 422, { call_id: '' }, 'refused', 'failureStatus'],
	['401, but success: true', 401, { success: true }, 'unknown', 'contradicts'],
	['400, but a call_id', 400, { error: 'x', call_id: ID }, 'unknown', 'contradicts'],
	['409, but code 200', 409, { code: 200 }, 'unknown', 'contradicts'],
	// 429: refused (rate limited, sent again after a wait), unless the body says it succeeded
	['429', 429, { error: 'Too many requests' }, 'refused', 'rateLimited'],
	['429, empty', 429, {}, 'refused', 'rateLimited'],
	['429, but a request_id', 429, { request_id: 'r' }, 'unknown', 'contradicts'],
	// 5xx: it may have acted, whatever the body says
	['500', 500, { success: false, error: 'upstream failure' }, 'unknown', 'serverError'],
	['502 with HTML', 502, '<html>Bad gateway</html>', 'unknown', 'serverError'],
	['503 with success: false', 503, { success: false }, 'unknown', 'serverError'],
	['504, empty', 504, {}, 'unknown', 'serverError'],
	// 3xx (redirects are not followed): moved means not handled here; others do not say
	['301', 301, {}, 'refused', 'moved'],
	['307', 307, '', 'refused', 'moved'],
	['308', 308, {}, 'refused', 'moved'],
	['302: often sent after the request was handled', 302, {}, 'unknown', 'unclearStatus'],
	['303: sent after the request was handled', 303, {}, 'unknown', 'unclearStatus'],
	['300', 300, {}, 'unknown', 'unclearStatus'],
	['a 1xx as the final status', 199, {}, 'unknown', 'unclearStatus'],
	['a status outside 100-599', 600, {}, 'unknown', 'unclearStatus'],
];

describe('judgeReply: the classification of every reply', () => {
	test.each(table)('%s (HTTP %i %p) → %s (%s)', (_why, status, body, kind, reason) => {
		expect(judgeReply(status, body)).toEqual({ kind, reason });
	});
});

describe('replySignals', () => {
	test('names the fields as the user reads them', () => {
		expect(replySignals({ success: false, error: 'Insufficient balance', code: 'cmi-402', data: { call_id: ID } })).toEqual({
			failure: ['error: "Insufficient balance"', 'success: false', 'code: "cmi-402"'],
			success: [`an ID ("${ID}")`],
		});
		expect(replySignals('<html>')).toEqual({ failure: [], success: [] });
	});
});

describe('replyErrorText', () => {
	test.each([
		[{ error: 'a', message: 'b', msg: 'c' }, 'a'],
		[{ error: { message: 'nested' } }, 'nested'],
		[{ error: true, message: 'b' }, 'b'],
		[{ msg: 'c' }, 'c'],
		[{ message: { message: 'deep' } }, 'deep'],
		[{ code: 500 }, undefined],
		['text', undefined],
	])('%p → %p', (body, text) => expect(replyErrorText(body)).toBe(text));
});

describe('redactSecrets', () => {
	test('removes every copy of each secret and any Bearer value', () => {
		expect(redactSecrets('t=tok_123456 again tok_123456; Bearer other.jwt.value', ['tok_123456', undefined])).toBe(
			't=[redacted] again [redacted]; Bearer [redacted]',
		);
	});
	test('removes the URL-encoded form too, and secret= URL parameters whatever their value', () => {
		const secret = 'sec/ret+value=1';
		expect(
			redactSecrets(`body appid=1&secret=${encodeURIComponent(secret)} and ${secret}; on_result=https://h/p?secret=other`, [secret]),
		).toBe('body appid=1&secret=[redacted] and [redacted]; on_result=https://h/p?secret=[redacted]');
		expect(redactSecrets(`https%3A%2F%2Fh%2Fp%3Ftoken%3D${encodeURIComponent(secret)}`, [secret])).toBe(
			'https%3A%2F%2Fh%2Fp%3Ftoken%3D[redacted]',
		);
	});
	test('ignores empty or very short secrets that would blank ordinary words', () => {
		expect(redactSecrets('a call failed', ['a', ''])).toBe('a call failed');
	});
});
