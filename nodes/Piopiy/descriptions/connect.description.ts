import type { INodeProperties } from 'n8n-workflow';

import { scalarMapField } from './scalarMap.description';

/** Channels and format of a recording: the connect options' Recording and the pipeline's Record action. */
export const recordingFormatFields: INodeProperties[] = [
	{
		displayName: 'Channels',
		name: 'channels',
		type: 'options',
		default: 'dual',
		options: [
			{ name: 'Dual (Each Party on Its Own Channel)', value: 'dual' },
			{ name: 'Single (Mixed)', value: 'single' },
		],
	},
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		default: 'mp3',
		options: [
			{ name: 'MP3', value: 'mp3' },
			{ name: 'WAV', value: 'wav' },
		],
	},
];

export const connectStrategyField: INodeProperties = {
	displayName: 'Strategy',
	name: 'strategy',
	type: 'options',
	default: 'sequential',
	description: 'How the endpoints are rung',
	options: [
		{
			name: 'Sequential',
			value: 'sequential',
			description: 'Ring one endpoint after another (true failover)',
		},
		{ name: 'Simultaneous', value: 'simultaneous', description: 'Ring every endpoint at once' },
		{ name: 'Server Default', value: 'serverDefault', description: "Leave it to Piopiy's default" },
	],
};

/** Options of one `connect` action. Metadata sits here in the UI but goes to `params.metadata`. */
export const connectOptionsFields: INodeProperties[] = [
	{
		displayName: 'Machine Detection',
		name: 'machineDetection',
		type: 'boolean',
		default: true,
		description: 'Whether to detect answering machines',
	},
	{
		displayName: 'Max Duration (Seconds)',
		name: 'maxDurationSec',
		type: 'number',
		typeOptions: { minValue: 10, maxValue: 7200 },
		default: 600,
		description: 'Hang up the connected leg after this many seconds (10 to 7200)',
	},
	scalarMapField({
		displayName: 'Metadata',
		name: 'metadata',
		description: 'Values attached to the connected leg and reported back in call events',
		placeholder: 'Add Metadata',
	}),
	{
		displayName: 'Recording',
		name: 'recording',
		type: 'fixedCollection',
		default: {},
		placeholder: 'Set Recording',
		options: [
			{
				displayName: 'Recording',
				name: 'settings',
				values: [
					{
						displayName: 'Enabled',
						name: 'enabled',
						type: 'boolean',
						default: true,
						description: 'Whether to record the connected leg',
					},
					...recordingFormatFields,
				],
			},
		],
	},
	{
		displayName: 'Ring Timeout (Seconds)',
		name: 'ringTimeoutSec',
		type: 'number',
		typeOptions: { minValue: 5, maxValue: 120 },
		default: 30,
		description: 'How long each endpoint rings before the next is tried (5 to 120)',
	},
	{
		displayName: 'Waiting Music',
		name: 'waitingMusic',
		type: 'string',
		default: '',
		placeholder: 'e.g. hold_music.mp3',
		description: 'Audio file name or URL played while the endpoint rings',
	},
];
