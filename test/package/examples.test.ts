import fs from 'node:fs';
import path from 'node:path';

import { findOperation } from '../../nodes/Piopiy/actions/operations';
import { Piopiy } from '../../nodes/Piopiy/Piopiy.node.js';

/**
 * Every example workflow's Piopiy nodes name an operation the node has, and only parameters it
 * knows, so an example cannot drift from the node (the e2e suite runs the examples themselves).
 */

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const known = new Set(new Piopiy().description.properties.map((property) => property.name));
// What n8n adds around the node as a tool (usableAsTool) or as a human-review step (sendAndWait).
const ADDED_BY_N8N = new Set(['descriptionType', 'toolDescription']);

interface ExampleNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
}

const piopiyNodes = fs
	.readdirSync(EXAMPLES)
	.filter((file) => file.endsWith('.json'))
	.flatMap((file) =>
		(JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as { nodes: ExampleNode[] }).nodes
			.filter((node) => /^n8n-nodes-piopiy\.piopiy(Tool|HitlTool)?$/.test(node.type))
			.map((node): [string, ExampleNode] => [`${file}: ${node.name}`, node]),
	);

test('the interactive examples are among them', () => {
	const files = new Set(piopiyNodes.map(([label]) => label.split(':')[0]));
	expect([...files]).toEqual(expect.arrayContaining(['appointment-confirmation-by-phone.json', 'ai-agent-phone-approval.json']));
});

test.each(piopiyNodes)('%s: a known operation and known parameters', (_, node) => {
	const { resource, operation, ...rest } = node.parameters;
	expect(findOperation(String(resource), String(operation))).toBeDefined();
	expect(Object.keys(rest).filter((name) => !known.has(name) && !ADDED_BY_N8N.has(name))).toEqual([]);
});
