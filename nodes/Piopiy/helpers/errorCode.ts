/**
 * The first error code found along an error's `cause` chain (n8n wraps axios errors, which wrap
 * Node's). One OpenSSL failure that Node reports as the generic EPROTO is named by its message:
 * "wrong version number" is the first TLS record of the handshake, i.e. the server does not speak TLS.
 */
export function errorCode(error: unknown): string {
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (typeof current === 'object' && current !== null && !seen.has(current)) {
		seen.add(current);
		const { code, message } = current as { code?: unknown; message?: unknown };
		if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) && /[A-Z]/.test(code)) {
			if (code === 'EPROTO' && typeof message === 'string' && /wrong version number/i.test(message)) {
				return 'ERR_SSL_WRONG_VERSION_NUMBER';
			}
			return code;
		}
		current = (current as { cause?: unknown }).cause;
	}
	const message = error instanceof Error ? error.message : '';
	if (/timeout/i.test(message)) return 'ETIMEDOUT';
	if (/socket hang up|terminated/i.test(message)) return 'ECONNRESET';
	return 'UNKNOWN';
}

/**
 * Where a request stopped when its error proves it never left this machine:
 * - `url`: the URL could not be used at all;
 * - `dns`: the host name did not resolve;
 * - `connect`: no connection was made (refused, no route);
 * - `tls`: the TLS handshake failed (the certificate was not trusted, or the server speaks no TLS);
 *   the request is written only after a completed handshake.
 */
export type NotSentStage = 'url' | 'dns' | 'connect' | 'tls';

const STAGE_BY_CODE: Record<string, NotSentStage> = {
	ERR_INVALID_URL: 'url',
	ENOTFOUND: 'dns',
	EAI_AGAIN: 'dns',
	EAI_FAIL: 'dns',
	ENODATA: 'dns',
	ESERVFAIL: 'dns',
	ECONNREFUSED: 'connect',
	EHOSTUNREACH: 'connect',
	ENETUNREACH: 'connect',
	EHOSTDOWN: 'connect',
	ENETDOWN: 'connect',
	EADDRNOTAVAIL: 'connect',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
	SELF_SIGNED_CERT_IN_CHAIN: 'tls',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
	UNABLE_TO_GET_ISSUER_CERT: 'tls',
	UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls',
	CERT_HAS_EXPIRED: 'tls',
	CERT_NOT_YET_VALID: 'tls',
	CERT_REVOKED: 'tls',
	CERT_UNTRUSTED: 'tls',
	CERT_REJECTED: 'tls',
	CERT_SIGNATURE_FAILURE: 'tls',
	ERR_TLS_CERT_ALTNAME_INVALID: 'tls',
	ERR_SSL_WRONG_VERSION_NUMBER: 'tls',
	ERR_TLS_HANDSHAKE_TIMEOUT: 'tls',
};

/** The stage for `code` (from `errorCode`), or undefined when the request may have reached the server. */
export function notSentStage(code: string): NotSentStage | undefined {
	return Object.prototype.hasOwnProperty.call(STAGE_BY_CODE, code) ? STAGE_BY_CODE[code] : undefined;
}
