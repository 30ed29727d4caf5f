import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { accountGetBalance } from './account/getBalance.operation';
import { aiAgentCall } from './aiAgent/call.operation';
import { callAskAndWait } from './call/askAndWait.operation';
import { callCallAndAsk } from './call/callAndAsk.operation';
import { callFlowCall } from './call/flowCall.operation';
import { callHangup } from './call/hangup.operation';
import { callPcmoCall } from './call/pcmoCall.operation';
import { callTransfer } from './call/transfer.operation';
import { callVoiceCall } from './call/voiceCall.operation';
import type { PiopiyOperation } from './types';

/** One resource of the node: its name in the editor, the default operation and its operations by value. */
interface PiopiyResource {
	name: string;
	defaultOperation: string;
	operations: Record<string, PiopiyOperation>;
}

/**
 * The one registry of the node's resources and operations: the editor's Resource and Operation
 * lists, every operation's fields and the router's dispatch are all read from here.
 */
export const resources: Record<string, PiopiyResource> = {
	aiAgent: { name: 'AI Agent', defaultOperation: 'call', operations: { call: aiAgentCall } },
	call: {
		name: 'Call',
		defaultOperation: 'voiceCall',
		operations: {
			voiceCall: callVoiceCall,
			pcmoCall: callPcmoCall,
			flowCall: callFlowCall,
			transfer: callTransfer,
			hangup: callHangup,
			askAndWait: callAskAndWait,
			sendAndWait: callCallAndAsk,
		},
	},
	account: { name: 'Account', defaultOperation: 'getBalance', operations: { getBalance: accountGetBalance } },
};

export const DEFAULT_RESOURCE = 'aiAgent';

/** The operation the router runs for a resource and operation value, or undefined when unknown. */
export function findOperation(resource: string, operation: string): PiopiyOperation | undefined {
	const own = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);
	return own(resources, resource) && own(resources[resource].operations, operation)
		? resources[resource].operations[operation]
		: undefined;
}

/** The Resource field, one Operation field per resource, then every operation's own fields. */
export function operationProperties(): INodeProperties[] {
	const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
	const resourceField: INodeProperties = {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		default: DEFAULT_RESOURCE,
		options: Object.entries(resources)
			.map(([value, resource]) => ({ name: resource.name, value }))
			.sort(byName),
	};
	// One Operation field per resource, shown for that resource only (n8n's resource/operation pattern).
	const operationField: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: '',
	};
	const operationOptions = (operations: Array<[string, PiopiyOperation]>) =>
		operations.map(([operation, { summary }]): INodePropertyOptions => ({ value: operation, ...summary })).sort(byName);
	const operationFields = Object.entries(resources).flatMap(([value, resource]): INodeProperties[] => {
		const all = Object.entries(resource.operations);
		const forTools = all.filter(([, operation]) => !operation.waitsForAnswer);
		const field = (operations: Array<[string, PiopiyOperation]>, show: NonNullable<INodeProperties['displayOptions']>['show']) => ({
			...operationField,
			displayOptions: { show: { resource: [value], ...show } },
			default: resource.defaultOperation,
			options: operationOptions(operations),
		});
		if (forTools.length === all.length) return [field(all, {})];
		// The AI Agent's plain tool variant (`piopiyTool`, '@tool') does not offer the operations that wait
		// minutes for a phone answer: a tool call cannot wait. Call and Ask reaches the agent as its
		// human-review step instead (`piopiyHitlTool`, which n8n derives from the first field).
		return [field(all, { '@tool': [false] }), field(forTools, { '@tool': [true] })];
	});
	const fields = Object.values(resources).flatMap((resource) =>
		Object.values(resource.operations).flatMap((operation) => operation.description),
	);
	return [resourceField, ...operationFields, ...fields];
}

/**
 * The canvas subtitle: the resource and operation as the user chose them ("Call: Call and Ask"), not
 * their values. A lookup table in an n8n expression, as the trigger's subtitle does; the table is
 * read from the registry, so a new operation is named there too.
 */
export function operationSubtitle(): string {
	const names: Record<string, string> = {};
	for (const [resourceValue, resource] of Object.entries(resources)) {
		for (const [operationValue, operation] of Object.entries(resource.operations)) {
			names[`${resourceValue}/${operationValue}`] = `${resource.name}: ${operation.summary.name}`;
		}
	}
	return `={{ ${JSON.stringify(names)}[$parameter["resource"] + "/" + $parameter["operation"]] }}`;
}
