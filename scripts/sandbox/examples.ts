import fs from 'node:fs';
import path from 'node:path';

import { PROJECT_ROOT, SANDBOX_CREDENTIAL, sandboxCredentialData } from './config';

/**
 * The example workflows of `examples/`, and their form for an n8n that loads this package as a custom
 * extension (N8N_CUSTOM_EXTENSIONS=<project>/dist), as `npm start` does: there the node types are
 * `CUSTOM.<name>` instead of `n8n-nodes-piopiy.<name>`.
 */

export const EXAMPLES_DIR = path.join(PROJECT_ROOT, 'examples');

export const PACKAGE_TYPE_PREFIX = 'n8n-nodes-piopiy.';
export const CUSTOM_TYPE_PREFIX = 'CUSTOM.';

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

/** A copy of the workflow with `n8n-nodes-piopiy.piopiy` → `CUSTOM.piopiy` (also the Tool and Trigger types). */
export function toCustomTypes(workflow: Workflow): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	for (const node of copy.nodes) {
		if (node.type.startsWith(PACKAGE_TYPE_PREFIX)) {
			node.type = CUSTOM_TYPE_PREFIX + node.type.slice(PACKAGE_TYPE_PREFIX.length);
		}
	}
	return copy;
}

/** What `n8n import:credentials --input=<file>` takes: the sandbox credential, data in plain text (n8n encrypts it). */
export function sandboxCredentialImport(port?: number) {
	return [{ ...SANDBOX_CREDENTIAL, data: sandboxCredentialData(port) }];
}
