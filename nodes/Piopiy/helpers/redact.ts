/**
 * Removes secrets from text that is about to leave the node (error messages, descriptions). Piopiy
 * may echo the Authorization header or the app secret in an error body; the user must never see them.
 */
export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
	let safe = text;
	for (const secret of secrets) {
		// Very short values would blank out ordinary words; real tokens and secrets are long.
		if (typeof secret === 'string' && secret.length >= 6) safe = safe.split(secret).join('[redacted]');
	}
	return safe.replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer [redacted]');
}
