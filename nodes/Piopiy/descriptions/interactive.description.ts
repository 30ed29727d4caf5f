import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { dtmfSettingsField, inputModesField, promptFields, retriesField } from './pipeline.description';

/**
 * Fields of the operations that ask the caller and wait for the answer in the same execution
 * (Ask and Wait for Input, Call and Ask). The question is a Play and Get Input, so its fields are the
 * pipeline builder's own; only the result URL is missing: it is always this execution's resume URL.
 */

type Show = NonNullable<IDisplayOptions['show']>;

export const DEFAULT_WAIT_LIMIT_MINUTES = 5;

/** The question of Ask and Wait for Input: a Play and Get Input without its result URL. */
export function questionFields(show: Show): INodeProperties[] {
	return [...promptFields(show), inputModesField(show), dtmfSettingsField(show), retriesField(show)];
}

/**
 * Call and Ask's Response Type. Not named `responseType`: n8n's human-review tool variant
 * (`piopiyHitlTool`) hides a field of that name and forces "approval", and Free Text must stay
 * available there so that the person's words reach the AI Agent.
 */
export const RESPONSE_TYPE_PARAMETER = 'answerType';
export const APPROVAL_RESPONSE = 'approval';
export const FREE_TEXT_RESPONSE = 'freeText';

/** The question of Call and Ask: a spoken message, answered with one key (Approval) or in words (Free Text). */
export function approvalFields(show: Show): INodeProperties[] {
	const approvalOnly = { show: { ...show, [RESPONSE_TYPE_PARAMETER]: [APPROVAL_RESPONSE] } };
	// The message is named `message`: n8n's human-review tools (AI Agent) fill that field themselves.
	const voiceFields = promptFields(show)
		.filter((field) => ['promptLanguage', 'promptVoiceId', 'promptSpeed'].includes(field.name))
		.map((field) => ({ ...field, displayOptions: { show } }));
	return [
		{
			displayName: 'Message',
			name: 'message',
			type: 'string',
			typeOptions: { rows: 3 },
			required: true,
			default: '',
			placeholder: 'e.g. Your refund of 120 euros is ready to be sent.',
			description: 'What the person hears when they pick up (text to speech)',
			displayOptions: { show },
		},
		...voiceFields,
		{
			displayName: 'Response Type',
			name: RESPONSE_TYPE_PARAMETER,
			type: 'options',
			default: APPROVAL_RESPONSE,
			description: 'How the person answers',
			displayOptions: { show },
			options: [
				{
					name: 'Approval',
					value: APPROVAL_RESPONSE,
					description: 'One key approves, another declines (approved: true or false)',
				},
				{
					name: 'Free Text',
					value: FREE_TEXT_RESPONSE,
					description: 'The person says the answer (speech), or keys it in and presses #; the output has it as text',
				},
			],
		},
		{
			displayName: 'Approve Key',
			name: 'approveKey',
			type: 'string',
			default: '1',
			description: 'The one key that approves: 0-9 or * (# is the finish key, which ends the input)',
			displayOptions: approvalOnly,
		},
		{
			displayName: 'Decline Key',
			name: 'declineKey',
			type: 'string',
			default: '2',
			description: 'The one key that declines: 0-9 or *, not the Approve Key',
			displayOptions: approvalOnly,
		},
		{
			displayName: 'Say Which Keys to Press',
			name: 'sayKeys',
			type: 'boolean',
			default: true,
			description: 'Whether "Press 1 to approve, or 2 to decline." is spoken after the message',
			displayOptions: approvalOnly,
		},
	];
}

/** How long to wait, and what the item says when nobody answers in time. */
export function waitFields(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Wait Limit (Minutes)',
			name: 'waitLimit',
			type: 'number',
			typeOptions: { minValue: 0.5, numberPrecision: 1 },
			default: DEFAULT_WAIT_LIMIT_MINUTES,
			description:
				'How long the execution waits for the answer. A caller who hangs up sends nothing, so the wait always ends: with the answer, or after this limit with "noAnswer".',
			displayOptions: { show },
		},
		{
			displayName: 'When Nobody Answers',
			name: 'noAnswer',
			type: 'options',
			default: 'output',
			description: 'What the output item is when the wait limit passes without an answer',
			displayOptions: { show },
			options: [
				{
					name: 'Output an Item Saying So',
					value: 'output',
					description: 'The item has answered: false and outcome "noAnswer"; the workflow goes on',
				},
				{
					name: 'Output an Error Item',
					value: 'error',
					description:
						'The item is an error ("noAnswer"): with On Error set to "Continue (using error output)" it leaves by the error output',
				},
			],
		},
	];
}
