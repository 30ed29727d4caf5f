/**
 * The one redaction of the package, for the Piopiy node (error messages and descriptions) and the
 * Piopiy Trigger (the items it emits). Piopiy may echo the Authorization header, the app secret or a
 * trigger URL in what it sends; none of them may reach the user, a log or a stored execution.
 */
export const REDACTED = '[redacted]';

/** `secret=...` (or `secret%3D...` inside an encoded URL) in any text, whatever the value. */
const SECRET_PARAMETER_IN_TEXT = /\b(secret(?:=|%3D))[^&#\s"'<>]*/gi;
const BEARER_VALUE = /Bearer\s+[^\s"',;]+/gi;
/** Shorter secrets are replaced only where they are the whole text: inside text they would blank ordinary words. */
const MIN_LENGTH_INSIDE_TEXT = 6;

export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
	let safe = text;
	for (const secret of secrets) {
		if (typeof secret !== 'string' || secret === '') continue;
		if (safe === secret) return REDACTED;
		if (secret.length < MIN_LENGTH_INSIDE_TEXT) continue;
		// Also the URL-encoded form: a secret inside an echoed URL or form body is sent encoded.
		for (const form of new Set([secret, encodeURIComponent(secret)])) safe = safe.split(form).join(REDACTED);
	}
	return safe.replace(SECRET_PARAMETER_IN_TEXT, `$1${REDACTED}`).replace(BEARER_VALUE, `Bearer ${REDACTED}`);
}
