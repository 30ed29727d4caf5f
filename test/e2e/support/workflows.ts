import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { PROJECT_ROOT } from './runtime';

/**
 * Example workflows (examples/*.json) in the form the e2e n8n needs, and small builders for the
 * workflows the tests add. n8n loads this package from a folder (N8N_CUSTOM_EXTENSIONS), so its node
 * types are `CUSTOM.<name>`, not the package-qualified `n8n-nodes-piopiy.<name>` of the examples.
 */

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}

type Connection = { node: string; type: string; index: number };

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, Record<string, Connection[][]>>;
	settings?: Record<string, unknown>;
	active?: boolean;
	pinData?: Record<string, unknown>;
	[key: string]: unknown;
}

export const EXAMPLES_DIR = path.join(PROJECT_ROOT, 'examples');
const PACKAGE_PREFIX = 'n8n-nodes-piopiy.';

export function readExample(file: string): Workflow {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as Workflow;
}

export function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * A copy fit for the e2e n8n: the package's node types under `typePrefix` (`CUSTOM.` when n8n loads
 * the package as a custom extension; examples use the installed package's `n8n-nodes-piopiy.`), every
 * `piopiyApi` credential → the given one, a fixed id (16 characters; the tests look workflows up by id).
 */
export function forE2e(
	workflow: Workflow,
	{ id, credential, typePrefix }: { id: string; credential: { id: string; name: string }; typePrefix: string },
): Workflow {
	const copy = clone(workflow);
	copy.id = id;
	copy.active = false;
	for (const node of copy.nodes) {
		if (node.type.startsWith(PACKAGE_PREFIX)) node.type = typePrefix + node.type.slice(PACKAGE_PREFIX.length);
		if (node.credentials?.piopiyApi) node.credentials.piopiyApi = { ...credential };
	}
	return copy;
}

export function node(workflow: Workflow, name: string): WorkflowNode {
	const found = workflow.nodes.find((candidate) => candidate.name === name);
	if (!found) throw new Error(`workflow "${workflow.name}" has no node "${name}"`);
	return found;
}

/**
 * `n8n execute` starts a workflow at a Manual Trigger. This replaces a trigger that needs the
 * outside world (form, webhook, chat, schedule) by a Manual Trigger followed by a Code node that
 * stands in for it under the trigger's own name, emitting the items the trigger would have emitted.
 * Nodes that read `$json` or `$('<trigger name>')` see the same data as in production.
 */
export function replaceTrigger(workflow: Workflow, triggerName: string, items: Array<Record<string, unknown>>): Workflow {
	const copy = clone(workflow);
	const trigger = node(copy, triggerName);
	const [x, y] = trigger.position ?? [0, 0];
	const manualName = 'Run from n8n execute';
	copy.nodes.push({
		id: randomUUID(),
		name: manualName,
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [x - 220, y],
		parameters: {},
	});
	trigger.type = 'n8n-nodes-base.code';
	trigger.typeVersion = 2;
	trigger.parameters = { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` };
	delete trigger.webhookId;
	copy.connections[manualName] = { main: [[{ node: triggerName, type: 'main', index: 0 }]] };
	return copy;
}
