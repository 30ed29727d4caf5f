import type { INodeProperties } from 'n8n-workflow';

/** Options of a whole call (`options` of ai/pcmo/flow calls). Only the options the user adds are sent. */
export const callOptionsFields: INodeProperties[] = [
	{
		displayName: 'Max Duration (Seconds)',
		name: 'maxDurationSec',
		type: 'number',
		typeOptions: { minValue: 30, maxValue: 7200 },
		default: 600,
		description: 'Hang up after this many seconds (30 to 7200)',
	},
	{
		displayName: 'Record',
		name: 'record',
		type: 'boolean',
		default: true,
		description: 'Whether to record the call',
	},
	{
		displayName: 'Ring Timeout (Seconds)',
		name: 'ringTimeoutSec',
		type: 'number',
		typeOptions: { minValue: 5, maxValue: 120 },
		default: 30,
		description: 'How long to let the phone ring before giving up (5 to 120)',
	},
];

export function callOptionsCollection(displayOptions: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Call Options',
		name: 'callOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions,
		options: callOptionsFields,
	};
}
