import type { INodeProperties } from 'n8n-workflow';

import { scalarMapField } from './scalarMap.description';

/** Call variables, as fields or as JSON; the agent reads them during the call. */
export function variablesFields(displayOptions: NonNullable<INodeProperties['displayOptions']>): INodeProperties[] {
	const show = displayOptions.show ?? {};
	return [
		{
			displayName: 'Specify Variables',
			name: 'variablesInput',
			type: 'options',
			default: 'fields',
			description: 'How to give the variables passed to the call',
			displayOptions,
			options: [
				{ name: 'Using Fields Below', value: 'fields' },
				{ name: 'Using JSON', value: 'json' },
			],
		},
		scalarMapField({
			displayName: 'Variables',
			name: 'variables',
			description: 'Values the agent can use during the call, e.g. the customer name',
			placeholder: 'Add Variable',
			displayOptions: { ...displayOptions, show: { ...show, variablesInput: ['fields'] } },
		}),
		{
			displayName: 'Variables (JSON)',
			name: 'variablesJson',
			type: 'json',
			default: '{}',
			description:
				'A flat JSON object of names to text, number or boolean values, e.g. {"customer_name": "Asha", "amount_due": 1200}',
			displayOptions: { ...displayOptions, show: { ...show, variablesInput: ['json'] } },
		},
	];
}
