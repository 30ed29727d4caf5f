import type { INodeProperties } from 'n8n-workflow';

/**
 * A list of named values that keep their type (text, number, boolean). Used for call variables,
 * connect metadata and pipeline params; `mapping/scalarMap.ts` reads what it produces.
 */
export function scalarMapField(
	field: Pick<INodeProperties, 'name' | 'displayName' | 'description' | 'displayOptions'> & {
		placeholder?: string;
	},
): INodeProperties {
	const entry = (valueType: 'string' | 'number' | 'boolean'): INodeProperties[] => [
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			placeholder: 'e.g. customer_name',
			description: 'Letters, digits and underscores; must not start with a digit',
		},
		{
			displayName: 'Value',
			name: 'value',
			type: valueType,
			default: valueType === 'string' ? '' : valueType === 'number' ? 0 : false,
		},
	];
	return {
		displayName: field.displayName,
		name: field.name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: field.placeholder ?? 'Add Value',
		default: {},
		description: field.description,
		displayOptions: field.displayOptions,
		options: [
			{ displayName: 'Text', name: 'text', values: entry('string') },
			{ displayName: 'Number', name: 'number', values: entry('number') },
			{ displayName: 'Boolean', name: 'boolean', values: entry('boolean') },
		],
	};
}
