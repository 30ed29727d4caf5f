import fs from 'node:fs';
import path from 'node:path';

import { PROJECT_ROOT, SANDBOX, SANDBOX_CREDENTIAL, SANDBOX_WEBHOOK_CREDENTIAL, sandboxCredentialData } from './config';

/**
 * The example workflows of `examples/`, as `npm start` imports them. n8n loads the package from its
 * community nodes folder there, so the examples' node types (`n8n-nodes-piopiy.<name>`) are used as
 * they are.
 */

export const EXAMPLES_DIR = path.join(PROJECT_ROOT, 'examples');

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface Example {
	/** File name in examples/, e.g. `form-to-ai-call.json`. */
	file: string;
	workflow: Workflow;
}

/** Every `examples/*.json`, sorted by file name. */
export function readExamples(dir = EXAMPLES_DIR): Example[] {
	return fs
		.readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Workflow }));
}

/**
 * What `n8n import:credentials --input=<file>` takes: the sandbox credentials (the Piopiy API one and
 * the trigger example's webhook secret), data in plain text (n8n encrypts it).
 */
export function sandboxCredentialImport(port?: number) {
	return [
		{ ...SANDBOX_CREDENTIAL, data: sandboxCredentialData(port) },
		{ ...SANDBOX_WEBHOOK_CREDENTIAL, data: { secret: SANDBOX.webhookSecret } },
	];
}

/** The n8n address the examples' notes are written for; `npm start` puts its own port in. */
export const NOTES_N8N_URL = 'http://127.0.0.1:5678';

const isStickyNote = (node: WorkflowNode) => node.type === 'n8n-nodes-base.stickyNote';

/** The workflow with `n8nUrl` in place of the notes' http://127.0.0.1:5678, so their commands work as pasted. */
export function withN8nUrl(workflow: Workflow, n8nUrl: string): Workflow {
	if (n8nUrl === NOTES_N8N_URL) return workflow;
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			isStickyNote(node) && typeof node.parameters.content === 'string'
				? { ...node, parameters: { ...node.parameters, content: node.parameters.content.split(NOTES_N8N_URL).join(n8nUrl) } }
				: node,
		),
	};
}

/**
 * The ready-to-paste commands an example's note gives to start it (each a line that starts with
 * `curl `), for the n8n at `n8nUrl`. `npm start` prints them; the tour test runs them.
 */
export function tryItCommands(workflow: Workflow, n8nUrl = NOTES_N8N_URL): string[] {
	return withN8nUrl(workflow, n8nUrl)
		.nodes.filter(isStickyNote)
		.flatMap((node) => String(node.parameters.content ?? '').split('\n'))
		.map((line) => line.trim())
		.filter((line) => line.startsWith('curl '));
}
