/**
 * The one redaction of the package, for the Piopiy node (error messages and descriptions, and the
 * items made of Piopiy's replies) and the Piopiy Trigger (the items it emits). Piopiy may echo the
 * Authorization header, the app secret or a trigger URL in what it sends; none of them may reach the
 * user, a log or a stored execution.
 */
export const REDACTED = '[redacted]';

/**
 * Secrets at least this long are also replaced inside longer text of data (output items). A phone
 * number has at most 15 digits (E.164), so no phone number can contain one, and a random secret of
 * 16 characters does not turn up inside a call ID by chance. The Piopiy Trigger requires secrets
 * this long.
 */
export const MIN_SECRET_LENGTH = 16;

/** The URL query parameter whose value is a secret in any text: the Piopiy Trigger's `secret`. */
const SECRET_URL_PARAMETER = 'secret';
/**
 * The parameters of a resume URL that resume a waiting execution: n8n's `signature` (or resume
 * token) and the node's own `piopiy_check` (Piopiy/interactive/seal.ts). Redacted whatever they hold only
 * where a resume URL may be echoed (the waiting operations pass them): in every other reply a
 * recording link's own `signature` must stay usable.
 */
export const RESUME_URL_SECRET_PARAMETERS: readonly string[] = ['signature', 'piopiy_check'];

/**
 * `secret=...` (or `secret%3D...` inside an encoded URL), and the other parameters given, in any
 * text, whatever the value: not preceded by a letter (an encoded `%26` before the name ends in a
 * digit; an encoded `?`, `%3F` or `%3f`, counts as a start too); the value ends at the next
 * parameter, plain or encoded.
 */
function secretParametersInText(also: readonly string[]): RegExp {
	return new RegExp(`(?:(?<=%3[Ff])|(?<![A-Za-z_]))((?:${[SECRET_URL_PARAMETER, ...also].join('|')})(?:=|%3D))(?:(?!%26)[^&#\\s"'<>])*`, 'gi');
}
const BEARER_VALUE = /Bearer\s+[^\s"',;]+/gi;
/** A Basic credential (base64 of `user:password`, or of the token alone) carries the token: redacted whatever it holds. */
// The value must look like base64 (a digit, + / or =), so that prose such as "Basic information" stays.
const BASIC_VALUE = /\bBasic\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/g;
/**
 * In prose (error messages) secrets from this length on are replaced inside text: a blanked word there
 * is harmless, a leak is not. Shorter ones would blank ordinary words, so only the whole text counts.
 */
const MIN_LENGTH_INSIDE_PROSE = 6;
/** Keys whose string value is a secret whatever it holds: a reflected header, an echoed `secret`. */
const SECRET_KEYS = new Set(['authorization', 'secret', 'x-piopiy-secret']);

type Secrets = ReadonlyArray<string | undefined>;
/** A secret with the forms it may take in text: as it is, and URL-encoded (inside an echoed URL or form body). */
type SecretForms = { length: number; forms: Set<string> };
/** What one redaction looks for: the secrets' forms and the secret URL parameters. */
type Rules = { secrets: SecretForms[]; parameters: RegExp };

/** A secret as it may appear in text: as it is, URL-encoded (upper- or lower-case hex), and in base64. */
function formsOf(secret: string): Set<string> {
	const encoded = encodeURIComponent(secret);
	const base64 = Buffer.from(secret, 'utf8').toString('base64');
	return new Set([secret, encoded, encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()), base64, base64.replace(/=+$/, '')]);
}

function rulesFor(secrets: Secrets, secretParameters: readonly string[]): Rules {
	return {
		secrets: secrets
			.filter((secret): secret is string => typeof secret === 'string' && secret !== '')
			.map((secret) => ({ length: secret.length, forms: formsOf(secret) })),
		parameters: secretParametersInText(secretParameters),
	};
}

function redactText(text: string, rules: Rules, minLengthInsideText: number): string {
	let safe = text;
	for (const { length, forms } of rules.secrets) {
		if (forms.has(safe)) return REDACTED;
		if (length < minLengthInsideText) continue;
		for (const form of forms) if (safe.includes(form)) safe = safe.split(form).join(REDACTED);
	}
	return safe
		.replace(rules.parameters, `$1${REDACTED}`)
		.replace(BEARER_VALUE, `Bearer ${REDACTED}`)
		.replace(BASIC_VALUE, `Basic ${REDACTED}`);
}

/**
 * An error message or description without the secrets (see MIN_LENGTH_INSIDE_PROSE), nor the values
 * of `secret=` and the `secretParameters` given (e.g. RESUME_URL_SECRET_PARAMETERS).
 */
export function redactSecrets(text: string, secrets: Secrets, secretParameters: readonly string[] = []): string {
	return redactText(text, rulesFor(secrets, secretParameters), MIN_LENGTH_INSIDE_PROSE);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const prototype: unknown = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

/** Nesting beyond this is replaced whole: a body this deep is no reply, and the walk must not overflow the stack. */
const MAX_DEPTH = 200;

function redactValue(value: unknown, rules: Rules, depth = 0): unknown {
	if (typeof value === 'string') return redactText(value, rules, MIN_SECRET_LENGTH);
	// A secret made of digits may come back as a JSON number.
	if (typeof value === 'number') return rules.secrets.some(({ forms }) => forms.has(String(value))) ? REDACTED : value;
	if (typeof value !== 'object' || value === null) return value;
	if (depth > MAX_DEPTH) return REDACTED;
	if (Buffer.isBuffer(value)) {
		const text = value.toString('utf8');
		const safe = redactText(text, rules, MIN_SECRET_LENGTH);
		return safe === text ? value : Buffer.from(safe, 'utf8');
	}
	if (value instanceof Error) return redactError(value, rules, new Set());
	if (Array.isArray(value)) return value.map((entry) => redactValue(entry, rules, depth + 1));
	if (!isPlainObject(value)) return value;
	// Object.fromEntries defines own properties, so a `__proto__` key stays a key.
	return Object.fromEntries(
		Object.entries(value).map(([key, entry]) => [
			redactText(key, rules, MIN_SECRET_LENGTH),
			typeof entry === 'string' && SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : redactValue(entry, rules, depth + 1),
		]),
	);
}

/**
 * A deep copy of `data` (a reply or a payload) in which no secret appears, and nothing else changed:
 * - a key or value that is a secret, or its URL-encoded form, becomes `[redacted]`;
 * - inside longer text only secrets of MIN_SECRET_LENGTH or more are replaced, so a short one never
 *   corrupts a phone number or an ID that happens to contain it;
 * - `secret=` URL parameters (and the `secretParameters` given) and `Bearer` values are redacted
 *   whatever they hold, and so are string values under an `Authorization`, `secret` or
 *   `X-Piopiy-Secret` key.
 * Numbers, booleans and null keep their types; arrays and nested objects are walked.
 */
export function redactSecretsInData<T>(data: T, secrets: Secrets, secretParameters: readonly string[] = []): T {
	return redactValue(data, rulesFor(secrets, secretParameters)) as T;
}

/**
 * redactSecretsInData with its rules built once, for a run that redacts every item's data: building
 * them (a RegExp, each secret's encoded form) per item was work and garbage repeated 100,000 times.
 */
export function dataRedactor(secrets: Secrets, secretParameters: readonly string[] = []): <T>(data: T) => T {
	const rules = rulesFor(secrets, secretParameters);
	return <T>(data: T) => redactValue(data, rules) as T;
}

/** Properties of an n8n error that point at the node and workflow: parameters, not what was sent. */
const ERROR_KEYS_NOT_WALKED = new Set(['node', 'workflow']);

/**
 * The error itself (kept, so n8n still sees its class), with no secret left in it: its message and
 * stack as prose (redactSecrets), and every other property (n8n errors copy the message into
 * `description`, `messages`, `errorResponse`, `context`…) walked as data, nested errors included.
 */
export function redactSecretsInError<T>(error: T, secrets: Secrets, secretParameters: readonly string[] = []): T {
	if (!(error instanceof Error)) return error;
	return redactError(error, rulesFor(secrets, secretParameters), new Set()) as T;
}

/** Errors in one chain walked at most: beyond it a `cause` is replaced whole, so no chain is long enough to leak. */
const MAX_ERRORS_WALKED = 64;

function redactError(error: Error, rules: Rules, seen: Set<Error>): Error {
	if (seen.has(error)) return error;
	seen.add(error);
	const record = error as unknown as Record<string, unknown>;
	const prose = (text: string) => redactText(text, rules, MIN_LENGTH_INSIDE_PROSE);
	error.message = prose(error.message);
	if (error.stack) error.stack = prose(error.stack);
	// Own names, not keys: an error's `cause` is not enumerable.
	for (const key of Object.getOwnPropertyNames(record)) {
		if (ERROR_KEYS_NOT_WALKED.has(key) || key === 'message' || key === 'stack') continue;
		const value = record[key];
		if (typeof value === 'string') record[key] = prose(value);
		else if (value instanceof Error) record[key] = seen.size >= MAX_ERRORS_WALKED ? REDACTED : redactError(value, rules, seen);
		else record[key] = redactValue(value, rules);
	}
	return error;
}
