import { Workflow, type INode, type INodeParameters } from 'n8n-workflow';

import { resources } from '../../nodes/Piopiy/actions/operations';
// '.js' so that the codex file Piopiy.node.json is not taken for the module.
import { Piopiy } from '../../nodes/Piopiy/Piopiy.node.js';
import { nodeTypes } from '../support/engine';

/**
 * The canvas subtitle, evaluated by n8n's own expression engine as the editor does (with the node's
 * parameters as `$parameter`): the names the user chose from, never the values behind them.
 */

const subtitle = new Piopiy().description.subtitle as string;

function subtitleFor(parameters: INodeParameters): unknown {
	const node: INode = { id: 'p', name: 'Piopiy', type: 'n8n-nodes-piopiy.piopiy', typeVersion: 1, position: [0, 0], parameters };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(node, subtitle, 'internal', {});
}

const OPERATIONS = Object.entries(resources).flatMap(([resource, { name, operations }]) =>
	Object.entries(operations).map(([operation, { summary }]) => [resource, operation, `${name}: ${summary.name}`] as const),
);

test.each(OPERATIONS)('%s / %s reads "%s"', (resource, operation, expected) => {
	expect(subtitleFor({ resource, operation })).toBe(expected);
});

test('Call and Ask, whose value is n8n\'s sendAndWait, reads as the user chose it', () => {
	expect(subtitleFor({ resource: 'call', operation: 'sendAndWait' })).toBe('Call: Call and Ask');
});
