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
