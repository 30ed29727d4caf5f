import { attempt, InvalidFieldError } from './errors';

/** Contract rules of docs/piopiy-api.md "Field rules", as pure functions that return the value to send. */

const PHONE_PATTERN = /^[1-9][0-9]{6,15}$/;
/** Formatting people type around a phone number; anything else in the number is an error. */
const PHONE_FORMATTING = /[\s+\-.()]/g;
const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const PHONE_EXPECTATION =
	'a phone number with its country code, 7 to 16 digits, not starting with 0 (spaces, +, -, ., ( and ) are removed), e.g. +91 98765 43210';

export type Scalar = string | number | boolean;
export type ScalarMap = Record<string, Scalar>;

/** `+91 98765-43210` → `919876543210`; refuses letters, leading zeros and wrong lengths. */
export function normalizePhone(field: string, value: unknown): string {
	const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
	if (typeof text !== 'string') throw new InvalidFieldError(field, value, PHONE_EXPECTATION);
	const digits = text.replace(PHONE_FORMATTING, '');
	if (!PHONE_PATTERN.test(digits)) throw new InvalidFieldError(field, value, PHONE_EXPECTATION);
	return digits;
}

export function requireUuid(field: string, value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : value;
	if (typeof text !== 'string' || !UUID_PATTERN.test(text)) {
		throw new InvalidFieldError(
			field,
			value,
			'a UUID such as 3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c (8-4-4-4-12 hexadecimal characters)',
		);
	}
	return text;
}

export function requireString(
	field: string,
	value: unknown,
	{ min = 1, max = Infinity }: { min?: number; max?: number } = {},
): string {
	if (typeof value !== 'string' || value.length < min || value.length > max) {
		const range = max === Infinity ? `at least ${min} character${min === 1 ? '' : 's'}` : `${min} to ${max} characters`;
		throw new InvalidFieldError(field, value, `text of ${range}`);
	}
	return value;
}

export function requireInteger(field: string, value: unknown, min: number, max = Infinity): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
		const range = max === Infinity ? `${min} or more` : `between ${min} and ${max}`;
		throw new InvalidFieldError(field, value, `a whole number ${range}`);
	}
	return number;
}

export function requireNumber(field: string, value: unknown, min: number, max: number): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || number < min || number > max) {
		throw new InvalidFieldError(field, value, `a number between ${min} and ${max}`);
	}
	return number;
}

const HTTP_URL = /^https?:\/\/\S+$/;

export function requireHttpUrl(field: string, value: unknown): string {
	if (typeof value !== 'string' || !HTTP_URL.test(value.trim())) {
		throw new InvalidFieldError(field, value, 'an http:// or https:// URL');
	}
	return value.trim();
}

/**
 * A credential's API root (Base URL, Account API URL), checked before any request: an absolute
 * http(s) URL that request paths can be appended to, so no query, fragment or user name. Returns it
 * without trailing slashes. A value with a user name or password is shown without them.
 */
export function requireBaseUrl(field: string, value: unknown, example: string): string {
	const expected = `an absolute URL that starts with https:// (or http://), with no query or fragment, e.g. ${example}`;
	const text = typeof value === 'string' ? value.trim().replace(/\/+$/, '') : '';
	const parsed = HTTP_URL.test(text) ? attempt(() => new URL(text)) : undefined;
	if (!parsed?.ok) throw new InvalidFieldError(field, value, expected);
	const url = parsed.value;
	if (url.username || url.password) {
		url.username = '***';
		url.password = '';
		throw new InvalidFieldError(field, url.href, `${expected}. A user name or password does not belong in it`);
	}
	if (url.search || url.hash || text.includes('?') || text.includes('#')) {
		// A query may carry a key of some kind: shown as there, not as what it holds.
		const shown = `${url.origin}${url.pathname}${text.includes('?') ? '?***' : ''}${text.includes('#') ? '#***' : ''}`;
		throw new InvalidFieldError(field, shown, `${expected}. Put no key or token in it: the token has its own field`);
	}
	return text;
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
	if (typeof value !== 'string' || !allowed.includes(value as T)) {
		throw new InvalidFieldError(field, value, `one of ${allowed.join(', ')}`);
	}
	return value as T;
}

/**
 * Names n8n removes from every object it copies (n8n-workflow's deepCopy guards against prototype
 * pollution), so a value under one of them would silently never reach Piopiy.
 */
const NAMES_N8N_DROPS = new Set(['__proto__', 'constructor', 'prototype']);

export function requireKey(field: string, key: unknown): string {
	if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
		throw new InvalidFieldError(
			field,
			key,
			'a name made of letters, digits and underscores that does not start with a digit, e.g. customer_name',
		);
	}
	if (NAMES_N8N_DROPS.has(key)) {
		throw new InvalidFieldError(field, key, 'another name: n8n drops __proto__, constructor and prototype from what it sends');
	}
	return key;
}

/**
 * An empty map for user-named values. It has no prototype, so names like `toString` or
 * `hasOwnProperty` are ordinary keys and are not taken for names already present (`__proto__`,
 * `constructor` and `prototype` are refused by requireKey, because n8n drops them).
 */
export function emptyScalarMap(): ScalarMap {
	return Object.create(null) as ScalarMap;
}

/**
 * A flat map of scalars (`variables`, `metadata`, `param` data): keys like identifiers, values string,
 * number or boolean. Nested objects, arrays and null are refused rather than stringified, because the
 * agent would otherwise receive something the user did not mean.
 */
export function requireScalarMap(field: string, value: unknown): ScalarMap {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new InvalidFieldError(field, value, 'an object of names to text, number or boolean values');
	}
	const map = emptyScalarMap();
	for (const [key, entry] of Object.entries(value)) {
		requireKey(`${field} name`, key);
		map[key] = requireScalar(`${field} "${key}"`, entry);
	}
	return map;
}

export function requireScalar(field: string, value: unknown): Scalar {
	if (typeof value === 'string' || typeof value === 'boolean') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	throw new InvalidFieldError(
		field,
		value,
		'text, a number or a boolean (nested objects, arrays and null are not allowed)',
	);
}

/** Parses a JSON parameter that n8n may hand over already parsed (expressions) or as text. */
export function parseJsonParameter(field: string, value: unknown, expected: string): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	const parsed = attempt((): unknown => JSON.parse(value));
	if (!parsed.ok) throw new InvalidFieldError(field, value, `${expected} written as JSON (${(parsed.error as Error).message})`);
	return parsed.value;
}

export function requireBoolean(field: string, value: unknown): boolean {
	if (typeof value !== 'boolean') throw new InvalidFieldError(field, value, 'true or false');
	return value;
}

/** Text that must not be blank; surrounding spaces are dropped. */
export function requireText(field: string, value: unknown, max = Infinity): string {
	const text = typeof value === 'string' ? value.trim() : value;
	if (typeof text !== 'string' || text === '' || text.length > max) {
		throw new InvalidFieldError(field, value, max === Infinity ? 'text that is not empty' : `text of 1 to ${max} characters`);
	}
	return text;
}

/** A plain JSON object (not an array, not null). */
export function requireObject(field: string, value: unknown, expected: string): Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new InvalidFieldError(field, value, expected);
	}
	return value as Record<string, unknown>;
}
