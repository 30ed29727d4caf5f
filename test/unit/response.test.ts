import { redactSecrets } from '../../nodes/shared/redact';
import { isFailedReply, replyErrorText } from '../../nodes/Piopiy/helpers/response';

describe('isFailedReply (docs/piopiy-api.md "Responses")', () => {
	test.each([
		[200, { message: 'call_queued' }, false],
		[202, { request_id: 'r' }, false],
		[200, { code: 200 }, false],
		[200, { code: '200' }, false],
		[200, { code: 'cmi-200' }, false],
		[200, { success: true }, false],
		[200, 'not an object', false],
		[200, { success: false }, true],
		[200, { error: 'x' }, true],
		[200, { error: { message: 'x' } }, true],
		[200, { error: '' }, false],
		[200, { code: 404 }, true],
		[200, { code: 'cmi-500' }, true],
		[199, {}, true],
		[301, {}, true],
		[401, { success: true }, true],
		[500, {}, true],
	])('HTTP %i with %p failed: %p', (status, body, failed) => {
		expect(isFailedReply(status, body)).toBe(failed);
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
