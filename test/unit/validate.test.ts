import {
	normalizePhone,
	requireBaseUrl,
	requireInteger,
	requireScalarMap,
	requireUuid,
} from '../../nodes/Piopiy/helpers/validate';
import { scalarMapFromJson, scalarMapFromUi } from '../../nodes/Piopiy/mapping/scalarMap';
import { refusal } from '../support/fixtures';


describe('normalizePhone', () => {
	test.each([
		['+91 98765-43210', '919876543210'],
		['(555) 123 4567', '5551234567'],
		['+1.555.123.4567', '15551234567'],
		[919876543210, '919876543210'],
		['1234567', '1234567'],
		['1234567890123456', '1234567890123456'],
	])('%s → %s', (typed, digits) => expect(normalizePhone('To Number', typed)).toBe(digits));

	test.each(['', '+', '0919876543210', '123456', '12345678901234567', '98765O43210', '+91/98765', null, 12.5, {}])(
		'%p is refused with the value and the rule',
		(typed) => {
			const error = refusal(() => normalizePhone('To Number', typed));
			expect(error.field).toBe('To Number');
			expect(error.received).toBe(typed);
			expect(error.expected).toMatch(/country code, 7 to 16 digits/);
		},
	);
});

describe('requireUuid', () => {
	test('accepts any case and trims', () => {
		expect(requireUuid('Agent ID', ' 3F2B8C1E-9A4D-4E7F-B1C2-5D6E7F8A9B0C ')).toBe('3F2B8C1E-9A4D-4E7F-B1C2-5D6E7F8A9B0C');
	});
	test.each(['', '3f2b8c1e9a4d4e7fb1c25d6e7f8a9b0c', '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0g', 42])('refuses %p', (value) => {
		expect(refusal(() => requireUuid('Agent ID', value)).expected).toMatch(/UUID/);
	});
});

describe('requireInteger', () => {
	test('accepts numeric text from expressions', () => expect(requireInteger('Ring Timeout', '45', 5, 120)).toBe(45));
	test.each([4, 121, 30.5, 'soon', NaN])('refuses %p', (value) => {
		expect(refusal(() => requireInteger('Ring Timeout', value, 5, 120)).expected).toBe('a whole number between 5 and 120');
	});
});

describe('scalar maps (variables, metadata)', () => {
	test('UI rows keep their types', () => {
		expect(
			scalarMapFromUi('Variables', {
				text: [{ name: 'name', value: 'Asha' }, { name: 'zip', value: 560001 }],
				number: [{ name: 'due', value: '12.5' }],
				boolean: [{ name: 'vip', value: 'true' }],
			}),
		).toEqual({ name: 'Asha', zip: '560001', due: 12.5, vip: true });
	});

	test('JSON text or an already parsed object', () => {
		expect(scalarMapFromJson('Variables (JSON)', '{"a": 1, "b": "x", "c": true}')).toEqual({ a: 1, b: 'x', c: true });
		expect(scalarMapFromJson('Variables (JSON)', { a: 1 })).toEqual({ a: 1 });
		expect(scalarMapFromJson('Variables (JSON)', '  ')).toEqual({});
	});

	test('names of Object.prototype members are ordinary names, not duplicates, and are kept', () => {
		const fromUi = scalarMapFromUi('Variables', {
			text: [{ name: 'toString', value: 'a' }],
			number: [{ name: 'hasOwnProperty', value: 3 }],
		});
		expect(JSON.stringify(fromUi)).toBe('{"toString":"a","hasOwnProperty":3}');
		const fromJson = scalarMapFromJson('Variables (JSON)', '{"valueOf": "a", "isPrototypeOf": true}');
		expect(JSON.stringify(fromJson)).toBe('{"valueOf":"a","isPrototypeOf":true}');
	});

	test.each(['__proto__', 'constructor', 'prototype'])('%s, which n8n would drop before sending, is refused', (name) => {
		const expected = 'another name: n8n drops __proto__, constructor and prototype from what it sends';
		expect(refusal(() => scalarMapFromUi('Variables', { text: [{ name, value: 'a' }] }))).toMatchObject({
			field: 'Variables name',
			received: name,
			expected,
		});
		expect(refusal(() => scalarMapFromJson('Variables (JSON)', `{"${name}": "a"}`))).toMatchObject({ received: name, expected });
	});

	test.each([
		[{ '1st': 'x' }, 'Variables name'],
		[{ 'a-b': 'x' }, 'Variables name'],
		[{ a: { b: 1 } }, 'Variables "a"'],
		[{ a: [1] }, 'Variables "a"'],
		[{ a: null }, 'Variables "a"'],
		[{ a: Infinity }, 'Variables "a"'],
	])('%p is refused at %s', (value, field) => {
		expect(refusal(() => requireScalarMap('Variables', value)).field).toBe(field);
	});
});

describe('requireBaseUrl (the credential URLs, checked before any request)', () => {
	const field = 'Base URL of the Piopiy API credential';
	const check = (value: unknown) => requireBaseUrl(field, value, 'https://rest.piopiy.com/v3');

	test.each([
		['https://rest.piopiy.com/v3', 'https://rest.piopiy.com/v3'],
		['  https://rest.piopiy.com/v3/  ', 'https://rest.piopiy.com/v3'],
		['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
		['https://proxy.example.com:8443/piopiy/v3//', 'https://proxy.example.com:8443/piopiy/v3'],
		['http://[::1]:9000/v3', 'http://[::1]:9000/v3'],
	])('%p → %p', (value, url) => expect(check(value)).toBe(url));

	test.each([
		['rest.piopiy.com/v3', 'no scheme'],
		['localhost:5678/v3', 'no scheme (read as the scheme "localhost:")'],
		['//rest.piopiy.com/v3', 'no scheme'],
		['ftp://rest.piopiy.com/v3', 'another scheme'],
		['https://', 'no host'],
		['https://rest piopiy.com', 'a space'],
		['https://[::1/v3', 'a broken IPv6 host'],
		['', 'empty'],
		[undefined, 'missing'],
		[42, 'not text'],
	])('%p is refused (%s), showing what was received', (value, _why) => {
		const error = refusal(() => check(value));
		expect(error.field).toBe(field);
		expect(error.received).toBe(value);
		expect(error.expected).toBe(
			'an absolute URL that starts with https:// (or http://), with no query or fragment, e.g. https://rest.piopiy.com/v3',
		);
	});

	test.each([
		['https://rest.piopiy.com/v3?token=pio_live_abc', 'https://rest.piopiy.com/v3?***'],
		['https://rest.piopiy.com/v3?', 'https://rest.piopiy.com/v3?***'],
		['https://rest.piopiy.com/v3#key=x', 'https://rest.piopiy.com/v3#***'],
		['https://rest.piopiy.com/v3?a=1#b', 'https://rest.piopiy.com/v3?***#***'],
	])('%p is refused (a query or fragment), which is shown as there but not what it holds', (value, shown) => {
		const error = refusal(() => check(value));
		expect(error.field).toBe(field);
		expect(error.received).toBe(shown);
		expect(error.expected).toBe(
			'an absolute URL that starts with https:// (or http://), with no query or fragment, e.g. https://rest.piopiy.com/v3. Put no key or token in it: the token has its own field',
		);
	});

	test('a user name and password are refused and not shown', () => {
		const error = refusal(() => check('https://me:p4ssw0rd@rest.piopiy.com/v3'));
		expect(error.received).toBe('https://***@rest.piopiy.com/v3');
		expect(error.expected).toMatch(/A user name or password does not belong in it$/);
	});
});
