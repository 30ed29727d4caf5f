import type { IDisplayOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { connectOptionsFields, connectStrategyField, recordingFormatFields } from './connect.description';
import { scalarMapField } from './scalarMap.description';

/**
 * The PCMO pipeline builder, shared by every operation that sends a pipeline; `mapping/pipeline.ts`
 * reads what it produces (`PipelineUi`).
 *
 * Why one "Action" entry with a Type selector, and not one fixedCollection option per action type:
 * n8n stores a multi-value fixedCollection as one list per option (`{play: [...], connect: [...]}`),
 * so with an option per type the order between different actions (play, then connect, then play
 * again) would be lost, and a pipeline is nothing but that order. A single option keeps one ordered,
 * sortable list; each action's fields show only for its type through displayOptions on the sibling
 * `type`. The same reasoning gives endpoints one entry with a Type selector (agents must come last).
 */

type Show = NonNullable<IDisplayOptions['show']>;

/** Prompt fields: the prompt of Play and Get Input and the two retry prompts use the same ones. */
export function promptFields(show: Show): INodeProperties[] {
	const whenSay = { show: { ...show, promptType: ['say'] } };
	return [
		{
			displayName: 'Prompt Type',
			name: 'promptType',
			type: 'options',
			default: 'file',
			// The retry prompts sit in their own fixedCollection and always show it.
			...(Object.keys(show).length > 0 && { displayOptions: { show } }),
			options: [
				{ name: 'Audio File', value: 'file', description: 'Play an audio file or URL' },
				{ name: 'Text to Speech', value: 'say', description: 'Speak a text' },
			],
		},
		{
			displayName: 'Prompt File Name or URL',
			name: 'promptFileName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. https://example.com/audio/menu.mp3',
			description: 'Audio file uploaded to Piopiy, or a URL of an audio file',
			displayOptions: { show: { ...show, promptType: ['file'] } },
		},
		{
			displayName: 'Prompt Text',
			name: 'promptText',
			type: 'string',
			required: true,
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. Press 1 for sales, 2 for support',
			description: 'What the caller hears',
			displayOptions: whenSay,
		},
		{
			displayName: 'Language',
			name: 'promptLanguage',
			type: 'string',
			// Piopiy needs a language and a voice for text to speech and publishes no default for either, so
			// the editor marks them as missing rather than guessing one that the account may not have.
			required: true,
			default: '',
			placeholder: 'e.g. en-IN',
			description:
				'Language of the text as Piopiy names it, e.g. en-IN (the examples use it; the npm start sandbox accepts any). With a Piopiy account, use a language its text to speech offers.',
			displayOptions: whenSay,
		},
		{
			displayName: 'Voice ID',
			name: 'promptVoiceId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. anika',
			description:
				'The text-to-speech voice, e.g. anika (the examples use it; the npm start sandbox accepts any). With a Piopiy account, use a voice listed in your Piopiy dashboard for the language.',
			displayOptions: whenSay,
		},
		{
			displayName: 'Speed',
			name: 'promptSpeed',
			type: 'number',
			typeOptions: { minValue: 0.5, maxValue: 2, numberPrecision: 1 },
			default: 1,
			description: 'Speaking speed, from 0.5 (slow) to 2.0 (fast)',
			displayOptions: whenSay,
		},
	];
}

/** A retry prompt: optional, so a fixedCollection the user adds only when wanted. */
function retryPromptField(displayName: string, name: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		default: {},
		placeholder: `Set ${displayName}`,
		description,
		options: [{ displayName: 'Prompt', name: 'prompt', values: promptFields({}) }],
	};
}

const whenPlayGetInput: Show = { type: ['playGetInput'] };
const whenCollectingInput: Show = { type: ['playGetInput', 'input'] };

const endpointFields: INodeProperties[] = [
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		default: 'pstn',
		options: [
			{ name: 'AI Agent', value: 'agent', description: 'A Piopiy AI agent; agents ring after phones and SIP' },
			{ name: 'Phone Number', value: 'pstn' },
			{ name: 'SIP URI', value: 'sip' },
		],
	},
	{
		displayName: 'Phone Number',
		name: 'number',
		type: 'string',
		default: '',
		placeholder: 'e.g. +91 98765 43210',
		description: 'With country code. Spaces, +, -, . and brackets are removed.',
		displayOptions: { show: { type: ['pstn'] } },
	},
	{
		displayName: 'SIP URI',
		name: 'uri',
		type: 'string',
		default: '',
		placeholder: 'e.g. sip:support@pbx.example.com',
		displayOptions: { show: { type: ['sip'] } },
	},
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c',
		description: 'The ID of the Piopiy AI agent (Piopiy dashboard → AI Agents)',
		displayOptions: { show: { type: ['agent'] } },
	},
	{
		displayName: 'Headers',
		name: 'headers',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Header',
		description: 'Custom headers sent with the call to this endpoint',
		options: [
			{
				displayName: 'Header',
				name: 'header',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. X-Customer-ID' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
];

const dtmfSettingsFields: INodeProperties[] = [
	{
		displayName: 'Finish On Key',
		name: 'finishOnKey',
		type: 'string',
		default: '#',
		description: 'The key that ends the input',
	},
	{
		displayName: 'First Digit Timeout',
		name: 'firstDigitTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 5,
		description:
			'How long to wait for the first key, in seconds (Piopiy does not publish the unit; its other timeouts are seconds)',
	},
	{
		displayName: 'Flush Buffer',
		name: 'flushBuffer',
		type: 'boolean',
		default: true,
		description: 'Whether keys pressed before the prompt ends are discarded',
	},
	{
		displayName: 'Inter-Digit Timeout',
		name: 'interDigitTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 3,
		description: 'How long to wait between keys, in seconds (same unit as First Digit Timeout)',
	},
	{
		displayName: 'Max Digits',
		name: 'maxDigits',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: 'The input ends after this many keys',
	},
	{
		displayName: 'Min Digits',
		name: 'minDigits',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: 'Fewer keys than this count as invalid input',
	},
];

/** The options of a Play and Get Input's Retries collection. */
const retriesOptions: INodeProperties[] = [
	retryPromptField('Invalid Input Prompt', 'invalidPrompt', 'Played when the input is not valid'),
	{
		displayName: 'Max Retries',
		name: 'max',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 2,
		description: 'How many more times the prompt is played when there is no input or it is invalid',
	},
	retryPromptField('No Input Prompt', 'noInputPrompt', 'Played when the caller does not answer'),
];

/** Play and Get Input's Input, DTMF Settings and Retries fields (also the question of Ask and Wait). */
export function inputModesField(show: Show): INodeProperties {
	return {
		displayName: 'Input',
		name: 'inputModes',
		type: 'multiOptions',
		default: ['dtmf'],
		description: 'What the caller may answer with',
		displayOptions: { show },
		options: [
			{ name: 'DTMF (Keypad)', value: 'dtmf' },
			{ name: 'Speech', value: 'speech' },
		],
	};
}

export function dtmfSettingsField(show: Show): INodeProperties {
	return {
		displayName: 'DTMF Settings',
		name: 'dtmfSettings',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		displayOptions: { show },
		options: dtmfSettingsFields,
	};
}

export function retriesField(show: Show): INodeProperties {
	return {
		displayName: 'Retries',
		name: 'retries',
		type: 'collection',
		placeholder: 'Add Retry Setting',
		default: {},
		displayOptions: { show },
		options: retriesOptions,
	};
}

/** The builder's action types as the editor names them; messages about an action use these names too. */
export const actionTypeOptions: INodePropertyOptions[] = [
	{ name: 'Connect', value: 'connect', description: 'Ring phone numbers, SIP endpoints or AI agents and bridge the call' },
	{ name: 'Hangup', value: 'hangup', description: 'End the call' },
	{ name: 'Input', value: 'input', description: 'Collect keys without playing anything' },
	{ name: 'Param', value: 'param', description: 'Store named values on the call' },
	{ name: 'Play', value: 'play', description: 'Play an audio file or URL' },
	{
		name: 'Play and Get Input',
		value: 'playGetInput',
		description: 'Play a prompt, then collect keys or speech',
	},
	{ name: 'Record', value: 'record', description: 'Record the call from here on' },
];

/** The fields of one pipeline action; each shows only for its action type. */
const actionFields: INodeProperties[] = [
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		default: 'play',
		options: actionTypeOptions,
	},
	// Play
	{
		displayName: 'File Name or URL',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/audio/welcome.mp3',
		description: 'Audio file uploaded to Piopiy, or a URL of an audio file',
		displayOptions: { show: { type: ['play'] } },
	},
	// Connect
	{
		displayName: 'Caller ID',
		name: 'callerId',
		type: 'string',
		default: '',
		placeholder: 'e.g. +91 80 4567 8900',
		description: 'Your Piopiy number the connected party sees, with country code',
		displayOptions: { show: { type: ['connect'] } },
	},
	{ ...connectStrategyField, displayOptions: { show: { type: ['connect'] } } },
	{
		displayName: 'Endpoints',
		name: 'endpoints',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		placeholder: 'Add Endpoint',
		description: 'Who to connect, in order. At most two AI agents, and they come after every phone number and SIP URI.',
		displayOptions: { show: { type: ['connect'] } },
		options: [{ displayName: 'Endpoint', name: 'endpoint', values: endpointFields }],
	},
	{
		displayName: 'Connect Options',
		name: 'connectOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { type: ['connect'] } },
		options: connectOptionsFields,
	},
	// Play and Get Input
	...promptFields(whenPlayGetInput),
	inputModesField(whenPlayGetInput),
	// Play and Get Input, Input
	{
		displayName: 'Send Result To',
		name: 'onResultType',
		type: 'options',
		default: 'url',
		displayOptions: { show: whenCollectingInput },
		options: [
			{ name: 'URL', value: 'url', description: 'Piopiy posts the input to a URL, e.g. an n8n webhook' },
			{ name: 'PCMO Reference', value: 'pcmo', description: 'Hand the input to a PCMO reference' },
		],
	},
	{
		displayName: 'Result URL',
		name: 'onResultUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://n8n.example.com/webhook/piopiy-input',
		description: 'An http:// or https:// URL that receives the input',
		displayOptions: { show: { ...whenCollectingInput, onResultType: ['url'] } },
	},
	{
		displayName: 'PCMO Reference',
		name: 'onResultRef',
		type: 'string',
		default: '',
		description: 'The PCMO reference that receives the input',
		displayOptions: { show: { ...whenCollectingInput, onResultType: ['pcmo'] } },
	},
	dtmfSettingsField(whenCollectingInput),
	retriesField(whenPlayGetInput),
	// Param
	scalarMapField({
		displayName: 'Parameters',
		name: 'data',
		description: 'Up to 10 named values stored on the call; text values at most 256 characters',
		placeholder: 'Add Parameter',
		displayOptions: { show: { type: ['param'] } },
	}),
	// Record
	{
		displayName: 'Recording Options',
		name: 'recordOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { type: ['record'] } },
		options: [
			...recordingFormatFields,
		],
	},
];

/** The pipeline fields of one operation: builder or JSON. */
export function pipelineFields(displayOptions: IDisplayOptions): INodeProperties[] {
	const show = displayOptions.show ?? {};
	return [
		{
			displayName: 'Specify Pipeline',
			name: 'pipelineInput',
			type: 'options',
			default: 'builder',
			description: 'How to give the actions Piopiy runs on the call, in order',
			displayOptions,
			options: [
				{ name: 'Using Builder', value: 'builder' },
				{ name: 'Using JSON', value: 'json' },
			],
		},
		{
			displayName: 'Pipeline',
			name: 'pipeline',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, sortable: true },
			default: {},
			placeholder: 'Add Action',
			description: 'The actions Piopiy runs on the call, top to bottom',
			displayOptions: { ...displayOptions, show: { ...show, pipelineInput: ['builder'] } },
			options: [{ displayName: 'Action', name: 'actions', values: actionFields }],
		},
		{
			displayName: 'Pipeline (JSON)',
			name: 'pipelineJson',
			type: 'json',
			default: '[]',
			description:
				'An array of PCMO actions, e.g. [{"action": "play", "file_name": "welcome.mp3"}, {"action": "hangup"}]. Checked like the builder before anything is sent.',
			displayOptions: { ...displayOptions, show: { ...show, pipelineInput: ['json'] } },
		},
	];
}
