import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** Who calls whom: the first fields of every operation that places a call. */
export function callPartiesFields(displayOptions: IDisplayOptions): INodeProperties[] {
	return [
		{
			displayName: 'Caller ID',
			name: 'callerId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. +91 80 4567 8900',
			description: 'Your Piopiy number the person sees, with country code',
			displayOptions,
		},
		{
			displayName: 'To Number',
			name: 'toNumber',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. +91 98765 43210',
			description: 'The number to call, with country code. Spaces, +, -, . and brackets are removed.',
			displayOptions,
		},
	];
}

/** Fields every call placed through a Piopiy app asks for (voice, PCMO and flow calls). */
export function appCallFields(displayOptions: IDisplayOptions): INodeProperties[] {
	return [
		...callPartiesFields(displayOptions),
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			placeholder: 'Leave empty to use the App ID of the credential',
			description: 'The Piopiy app that places the call (Piopiy dashboard → Apps)',
			displayOptions,
		},
	];
}

/** The Call ID of an operation on a live call (transfer, hang up, ask and wait). */
export function callIdField(displayOptions: IDisplayOptions, description: string): INodeProperties {
	return {
		displayName: 'Call ID',
		name: 'callId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
		description,
		displayOptions,
	};
}
