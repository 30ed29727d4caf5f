import type { Stack } from './stack';

export interface SecretSearch {
	/** What a command printed (e.g. `n8n execute`'s stdout and stderr). */
	printed?: string[];
	/** Executions whose stored form (as n8n's REST API returns it) is searched. */
	executionIds?: string[];
	/** Workflows whose stored form (as n8n's REST API returns it: what an export or a copy holds) is searched. */
	workflowIds?: string[];
}

/**
 * Every place a real n8n keeps or shows what a run produced, searched for each secret: what a command
 * printed, the stored executions and workflows as n8n's REST API returns them (what the editor, an
 * API client or an export gets), n8n's log, and every file of the user folder (the SQLite database,
 * its WAL, the event log...). Returns where each secret was found, by its label (never its value):
 * empty when no secret is anywhere.
 */
export async function placesHoldingSecrets(
	stack: Stack,
	secrets: Record<string, string>,
	{ printed = [], executionIds = [], workflowIds = [] }: SecretSearch = {},
): Promise<string[]> {
	const texts: Array<[string, string]> = printed.map((text, index) => [`printed output ${index}`, text]);
	for (const id of executionIds) texts.push([`stored execution ${id}`, (await stack.storedExecution(id)).raw]);
	for (const id of workflowIds) texts.push([`stored workflow ${id}`, JSON.stringify(await stack.rest(`/rest/workflows/${id}`))]);
	texts.push(["n8n's log", stack.n8n.logs()]);

	const found: string[] = [];
	for (const [label, secret] of Object.entries(secrets)) {
		if (secret.length < 8) throw new Error(`the ${label} is too short to search for: it would be found by chance`);
		for (const [where, text] of texts) if (text.includes(secret)) found.push(`${label} in ${where}`);
		for (const file of stack.filesContaining(secret)) found.push(`${label} in ${file}`);
	}
	return found;
}
