import { createHash, timingSafeEqual } from 'crypto';

import { MIN_SECRET_LENGTH } from '../../shared/redact';

/** Where the trigger looks for the secret: `?secret=` in the URL, or this header. */
export const SECRET_QUERY_PARAMETER = 'secret';
export const SECRET_HEADER = 'x-piopiy-secret';

function digest(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Whether `presented` equals `expected`, in time that does not depend on where they differ or on
 * their lengths: both are hashed to 32-byte SHA-256 digests first, and the digests are compared
 * with `crypto.timingSafeEqual`. An empty expected secret never matches: an unset secret must not
 * mean "open".
 */
export function secretMatches(presented: unknown, expected: string): boolean {
	if (typeof presented !== 'string' || presented === '' || expected === '') return false;
	return timingSafeEqual(digest(presented), digest(expected));
}

/** A single string value of a query parameter or header; repeated values count as not presented. */
function single(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/**
 * Whether the request carries the secret in the `X-Piopiy-Secret` header or the `secret` query
 * parameter. Each presented value is compared in constant time; one that matches is enough.
 */
export function requestHasSecret(
	query: Record<string, unknown>,
	headers: Record<string, unknown>,
	expected: string,
): boolean {
	const fromHeader = secretMatches(single(headers[SECRET_HEADER]), expected);
	const fromQuery = secretMatches(single(query[SECRET_QUERY_PARAMETER]), expected);
	return fromHeader || fromQuery;
}

/**
 * Why a secret cannot protect the trigger, or undefined when it can. `where` says where it is set
 * (e.g. "in the node"). 16 characters at least: a secret shorter than that may be guessed, and could
 * hide inside a phone number of the payload (see MIN_SECRET_LENGTH).
 */
export function secretProblem(secret: string, where: string): string | undefined {
	if (secret === '') return `no secret is set ${where}`;
	if (secret.length < MIN_SECRET_LENGTH) return `the secret set ${where} is shorter than ${MIN_SECRET_LENGTH} characters`;
	return undefined;
}
