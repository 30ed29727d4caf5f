import { NodeOperationError, type INode } from 'n8n-workflow';

import { SIGNATURE_PARAMETER } from '../../nodes/Piopiy/interactive/resumeUrl';
import { ANSWER_CHECK_PARAMETER } from '../../nodes/Piopiy/interactive/seal';
import { MIN_SECRET_LENGTH, REDACTED, RESUME_URL_SECRET_PARAMETERS, redactSecrets, redactSecretsInData, redactSecretsInError } from '../../nodes/shared/redact';

const TOKEN = 'pio_live_3f2b8c1e9a4d4e7fb1c25d6e';

describe('redactSecretsInData', () => {
	test('walks nested objects and arrays, keys and values; everything else keeps its value and type', () => {
		const reply = {
			success: true,
			count: 3,
			ratio: 0.5,
			none: null,
			call_id: 'c4504776-d91e-423b-a9a7-56000429abc3',
			debug: { echo: [`Bearer ${TOKEN}`, { deeper: [TOKEN, 7, false] }], [TOKEN]: 'as a key', text: `got ${TOKEN}.` },
		};
		expect(redactSecretsInData(reply, [TOKEN, undefined, ''])).toEqual({
			success: true,
			count: 3,
			ratio: 0.5,
			none: null,
			call_id: 'c4504776-d91e-423b-a9a7-56000429abc3',
			debug: { echo: [`Bearer ${REDACTED}`, { deeper: [REDACTED, 7, false] }], [REDACTED]: 'as a key', text: `got ${REDACTED}.` },
		});
		// A copy: the reply itself is left as it was.
		expect(reply.debug.echo[0]).toBe(`Bearer ${TOKEN}`);
	});

	test('the URL-encoded form too, whole or inside a URL', () => {
		const secret = 'sec/ret+value=1&more-chars';
		const encoded = encodeURIComponent(secret);
		expect(redactSecretsInData({ a: encoded, b: `https://h/cb?k=${encoded}&step=1` }, [secret])).toEqual({
			a: REDACTED,
			b: `https://h/cb?k=${REDACTED}&step=1`,
		});
	});

	test('a short secret is redacted where it is a whole value, never inside a phone number or an ID', () => {
		const short = '98765';
		const payload = { from: '919876543210', to: 919876543210, call_id: 'a98765b0-0000-4000-8000-000000098765', pin: short, code: 98765 };
		expect(redactSecretsInData(payload, [short])).toEqual({
			from: '919876543210',
			to: 919876543210,
			call_id: 'a98765b0-0000-4000-8000-000000098765',
			pin: REDACTED,
			code: REDACTED,
		});
	});

	test(`a secret of ${MIN_SECRET_LENGTH} characters or more is replaced inside text; a longest phone number cannot hold one`, () => {
		const digits = '1234567890123456';
		expect(digits).toHaveLength(MIN_SECRET_LENGTH);
		expect(redactSecretsInData({ note: `pin ${digits} ok`, phone: '123456789012345' }, [digits])).toEqual({
			note: `pin ${REDACTED} ok`,
			phone: '123456789012345',
		});
		const fifteen = digits.slice(0, 15);
		expect(redactSecretsInData({ note: `pin ${fifteen} ok` }, [fifteen])).toEqual({ note: `pin ${fifteen} ok` });
	});

	test('secret= parameters, Bearer values and secret-named keys, whatever they hold', () => {
		expect(
			redactSecretsInData(
				{
					url: 'https://h/webhook/x/piopiy?secret=anything&step=menu',
					headers: { Authorization: 'Basic dXNlcjpwYXNz', 'X-Piopiy-Secret': 'other', 'content-type': 'application/json' },
					secret: 'whatever',
					client_secret: 'client_secret=kept',
					flags: { secret: false },
				},
				[],
			),
		).toEqual({
			url: `https://h/webhook/x/piopiy?secret=${REDACTED}&step=menu`,
			headers: { Authorization: REDACTED, 'X-Piopiy-Secret': REDACTED, 'content-type': 'application/json' },
			secret: REDACTED,
			client_secret: 'client_secret=kept',
			flags: { secret: false },
		});
	});

	test('keeps a __proto__ key a key, and leaves values that are not plain data alone', () => {
		const parsed = JSON.parse(`{"__proto__": {"x": "${TOKEN}"}, "y": 1}`) as Record<string, unknown>;
		const redacted = redactSecretsInData(parsed, [TOKEN]);
		expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
		expect(Object.keys(redacted)).toEqual(['__proto__', 'y']);
		expect(JSON.stringify(redacted)).toBe(`{"__proto__":{"x":"${REDACTED}"},"y":1}`);
		const when = new Date(0);
		expect(redactSecretsInData({ when }, [TOKEN]).when).toBe(when);
	});
});

describe('redactSecrets (prose)', () => {
	test('replaces secrets of 6 characters or more inside text, where a blanked word is harmless', () => {
		expect(redactSecrets('bad app secret 123456 for 2222333', ['123456'])).toBe(`bad app secret ${REDACTED} for 2222333`);
	});
});

describe('resume URL secrets', () => {
	const check = 'a'.repeat(64);
	const echoed = `https://n8n.example/webhook-waiting/17/node-1?call_id=c-1&signature=sig.ABC&${ANSWER_CHECK_PARAMETER}=${check}`;

	const resume = RESUME_URL_SECRET_PARAMETERS;

	test('the parameters that resume an execution are the resume URL\'s secret parameters', () => {
		expect(resume).toEqual(expect.arrayContaining([SIGNATURE_PARAMETER, ANSWER_CHECK_PARAMETER]));
	});

	test('only where asked: elsewhere a link\'s own signature stays usable', () => {
		const recording = 'https://files.example/rec.mp3?X-Amz-Signature=abc123&Expires=9&signature=def';
		expect(redactSecrets(recording, [])).toBe(recording);
		expect(redactSecretsInData({ recording }, [])).toEqual({ recording });
	});

	test('an echoed resume URL keeps its path and call but loses its signature and check, in text and in data, plain or encoded', () => {
		const safeUrl = `https://n8n.example/webhook-waiting/17/node-1?call_id=c-1&signature=${REDACTED}&${ANSWER_CHECK_PARAMETER}=${REDACTED}`;
		expect(redactSecrets(`Piopiy said: bad on_result ${echoed}`, [], resume)).toBe(`Piopiy said: bad on_result ${safeUrl}`);
		expect(redactSecretsInData({ data: { on_result: [echoed] }, n: 1 }, [], resume)).toEqual({ data: { on_result: [safeUrl] }, n: 1 });
		expect(redactSecretsInData({ url: encodeURIComponent(echoed) }, [], resume).url).not.toMatch(/sig\.ABC|a{64}/);
	});
});

describe('redactSecretsInError', () => {
	test('keeps the error and its class; message, stack, description, nested data and causes lose the secret; the node is not walked', () => {
		const node = { id: 'n', name: 'Piopiy', parameters: { note: TOKEN } } as unknown as INode;
		const cause = new Error(`cause ${TOKEN}`);
		const error = new NodeOperationError(node, `failed with ${TOKEN}`, { description: `see signature=xyz and ${TOKEN}` });
		Object.assign(error, { errorResponse: { body: { echo: `Bearer ${TOKEN}`, url: '/w?piopiy_check=abc' } }, cause });
		const same = redactSecretsInError(error, [TOKEN], RESUME_URL_SECRET_PARAMETERS);
		expect(same).toBe(error);
		expect(same).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(`failed with ${REDACTED}`);
		expect(error.stack).not.toContain(TOKEN);
		expect(error.description).toBe(`see signature=${REDACTED} and ${REDACTED}`);
		expect((error as unknown as { errorResponse: unknown }).errorResponse).toEqual({ body: { echo: `Bearer ${REDACTED}`, url: `/w?piopiy_check=${REDACTED}` } });
		expect(cause.message).toBe(`cause ${REDACTED}`);
		expect(error.node.parameters.note).toBe(TOKEN);
	});

	test('anything that is not an error comes back as it was', () => {
		expect(redactSecretsInError('plain text', [TOKEN])).toBe('plain text');
		expect(redactSecretsInError(undefined, [TOKEN])).toBeUndefined();
	});
});

describe('issue 26: the one redaction walker catches every form a secret may come back in', () => {
	const check = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
	const secretWithSymbols = 'pio/sec+ret=value:1234';

	test('a Basic credential carrying the token, and the token in base64 alone', () => {
		const basic = Buffer.from(`user:${TOKEN}`).toString('base64');
		const alone = Buffer.from(TOKEN).toString('base64');
		const data = redactSecretsInData({ headers: { Auth: `Basic ${basic}` }, echo: `token ${alone}` }, [TOKEN]);
		expect(JSON.stringify(data)).not.toContain(basic);
		expect(JSON.stringify(data)).not.toContain(alone);
		expect(data.headers.Auth).toBe(`Basic ${REDACTED}`);
		// Prose is left alone.
		expect(redactSecretsInData({ plan: 'Basic information' }, [TOKEN])).toEqual({ plan: 'Basic information' });
	});

	test('lower-case percent-encoding of a secret, and of a resume URL\'s parameters', () => {
		const lower = encodeURIComponent(secretWithSymbols).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
		expect(lower).not.toBe(encodeURIComponent(secretWithSymbols));
		expect(JSON.stringify(redactSecretsInData({ echo: `x=${lower}&y=1` }, [secretWithSymbols]))).not.toContain(lower);
		const echoed = encodeURIComponent(`https://n8n/webhook-waiting/1/n?piopiy_check=${check}`).toLowerCase();
		expect(JSON.stringify(redactSecretsInData({ echoed }, [], RESUME_URL_SECRET_PARAMETERS))).not.toContain(check);
	});

	test('Buffers: a secret inside is redacted, a Buffer without one is kept as it is', () => {
		const data = redactSecretsInData({ raw: Buffer.from(`{"token":"${TOKEN}"}`), clean: Buffer.from('hello') }, [TOKEN]);
		expect(Buffer.isBuffer(data.raw)).toBe(true);
		expect(data.raw.toString()).not.toContain(TOKEN);
		expect(data.clean.toString()).toBe('hello');
	});

	test('Errors nested in plain objects, and long cause chains', () => {
		const nested = redactSecretsInData({ failure: new Error(`failed with ${TOKEN}`) }, [TOKEN]);
		expect(nested.failure.message).not.toContain(TOKEN);
		let chain = new Error(`root ${TOKEN}`);
		for (let link = 0; link < 200; link++) chain = Object.assign(new Error(`link ${link}`), { cause: chain });
		const redacted = redactSecretsInError(chain, [TOKEN]);
		const seen: string[] = [];
		for (let error: unknown = redacted; error instanceof Error; error = (error as Error & { cause?: unknown }).cause) seen.push(error.message);
		expect(seen.join('\n')).not.toContain(TOKEN);
		// A chain beyond what is walked ends in `[redacted]`, never in the secret.
		expect(JSON.stringify(seen)).not.toContain(TOKEN);
		const circular = new Error(`loop ${TOKEN}`);
		(circular as Error & { cause?: unknown }).cause = circular;
		expect(redactSecretsInError(circular, [TOKEN]).message).not.toContain(TOKEN);
	});

	test('a body nested far deeper than any reply is replaced whole, without overflowing the stack', () => {
		let deep: Record<string, unknown> = { token: TOKEN };
		for (let level = 0; level < 10_000; level++) deep = { data: deep };
		expect(JSON.stringify(redactSecretsInData(deep, [TOKEN]), (_, value) => value)).not.toContain(TOKEN);
	});
});
