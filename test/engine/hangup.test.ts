import { runPiopiyNode } from '../support/engine';
import { CALL_ID } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const hangup = (parameters: object = {}) => ({ resource: 'call', operation: 'hangup', callId: CALL_ID, ...parameters });

describe('Call → Hang Up', () => {
	test('minimal: the call ID, with the default cause NORMAL_CLEARING', async () => {
		const { items, error } = await runPiopiyNode({ parameters: hangup(), credentials: server.credentials() });
		expect(error).toBeUndefined();
		expect(server.requests[0].path).toBe('/voice/call/hangup');
		expect(server.requests[0].body).toEqual({ call_id: CALL_ID, cause: 'NORMAL_CLEARING' });
		expect(server.requests[0].violations).toEqual([]);
		expect(items).toEqual([{ json: { success: true, message: 'call_hangup_requested' }, pairedItem: { item: 0 } }]);
	});

	test.each(['USER_BUSY', 'NO_ANSWER', 'NO_USER_RESPONSE', 'CALL_REJECTED', 'ORIGINATOR_CANCEL', 'NORMAL_TEMPORARY_FAILURE'])(
		'cause %s from the list',
		async (cause) => {
			await runPiopiyNode({ parameters: hangup({ cause }), credentials: server.credentials() });
			expect(server.requests[0].body).toEqual({ call_id: CALL_ID, cause });
			expect(server.requests[0].violations).toEqual([]);
		},
	);

	test('full: another cause entered by hand, and a reason', async () => {
		await runPiopiyNode({
			parameters: hangup({ cause: 'other', customCause: ' UNALLOCATED_NUMBER ', reason: 'Time limit of 10 minutes reached' }),
			credentials: server.credentials(),
		});
		expect(server.requests[0].body).toEqual({
			call_id: CALL_ID,
			cause: 'UNALLOCATED_NUMBER',
			reason: 'Time limit of 10 minutes reached',
		});
		expect(server.requests[0].violations).toEqual([]);
	});

	test('a reason of exactly 256 characters is sent', async () => {
		await runPiopiyNode({ parameters: hangup({ reason: 'r'.repeat(256) }), credentials: server.credentials() });
		expect((server.requests[0].body as { reason: string }).reason).toHaveLength(256);
		expect(server.requests[0].violations).toEqual([]);
	});

	test.each([
		[{ cause: 'other', customCause: 'user_busy' }],
		[{ cause: 'other', customCause: ' User Busy ' }],
		[{ cause: 'other', customCause: 'user-busy' }],
		[{ cause: '={{ "no answer" }}' }],
	])('a cause that differs only in form is repaired, not refused: %p', async (parameters) => {
		const { error } = await runPiopiyNode({ parameters: hangup(parameters), credentials: server.credentials() });
		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].violations).toEqual([]);
		const cause = (server.requests[0].body as { cause: string }).cause;
		expect(['USER_BUSY', 'NO_ANSWER']).toContain(cause);
		expect(cause).toBe('customCause' in parameters ? 'USER_BUSY' : 'NO_ANSWER');
	});

	test.each<[string, object, RegExp, RegExp]>([
		[
			'a cause with a character that is no part of a cause name',
			{ cause: 'other', customCause: 'user busy!' },
			/^Custom Cause in item 0 is not valid: received "user busy!"$/,
			/letters, digits and underscores.*"user busy" is sent as USER_BUSY/,
		],
		['an empty custom cause', { cause: 'other', customCause: '' }, /^Custom Cause in item 0 is not valid: received \(empty\)$/, /1 to 64/],
		[
			'a cause of 65 characters',
			{ cause: 'other', customCause: 'A'.repeat(65) },
			/^Custom Cause in item 0 is not valid: received "AAAA/,
			/1 to 64 letters/,
		],
		[
			'a cause given by an expression that is not a cause name',
			{ cause: '={{ "busy!" }}' },
			/^Cause in item 0 is not valid: received "busy!"$/,
			/NORMAL_CLEARING/,
		],
		['a reason of 257 characters', { reason: 'r'.repeat(257) }, /^Reason in item 0 is not valid: received "rrrr/, /1 to 256/],
		['a malformed call ID', { callId: '12345' }, /^Call ID in item 0 is not valid: received "12345"$/, /UUID/],
	])('%s is refused and nothing is sent', async (_name, parameters, message, description) => {
		const { error, items } = await runPiopiyNode({ parameters: hangup(parameters), credentials: server.credentials() });
		expect(items).toEqual([]);
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(description);
		expect(server.requests).toHaveLength(0);
	});

	test('a hangup that got a 5xx is sent again: hanging up twice ends the call once', async () => {
		server.behaviour = (request) =>
			server.requests.indexOf(request) === 0 ? { status: 503, body: { error: 'try again' } } : undefined;
		const { items, error } = await runPiopiyNode({ parameters: hangup(), credentials: server.credentials() });
		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		expect(items[0].json).toEqual({ success: true, message: 'call_hangup_requested' });
	});
});
