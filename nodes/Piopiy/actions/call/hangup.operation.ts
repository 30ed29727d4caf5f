import type { INodeProperties } from 'n8n-workflow';

import { callIdField } from '../../descriptions/appCall.description';
import { buildHangupRequest, OTHER_CAUSE, type HangupUi } from '../../mapping/callControl';
import { readParameters, type PiopiyOperation } from '../types';

const show = { resource: ['call'], operation: ['hangup'] };

const description: INodeProperties[] = [
	callIdField({ show }, 'The ID of the live call to end'),
	{
		displayName: 'Cause',
		name: 'cause',
		type: 'options',
		default: 'NORMAL_CLEARING',
		description: 'The SIP cause reported for the hangup',
		displayOptions: { show },
		options: [
			{ name: 'Call Rejected', value: 'CALL_REJECTED', description: 'CALL_REJECTED' },
			{ name: 'No Answer', value: 'NO_ANSWER', description: 'NO_ANSWER' },
			{ name: 'No User Response', value: 'NO_USER_RESPONSE', description: 'NO_USER_RESPONSE' },
			{ name: 'Normal Clearing', value: 'NORMAL_CLEARING', description: 'NORMAL_CLEARING: an ordinary end of call' },
			{ name: 'Normal Temporary Failure', value: 'NORMAL_TEMPORARY_FAILURE', description: 'NORMAL_TEMPORARY_FAILURE' },
			{ name: 'Originator Cancel', value: 'ORIGINATOR_CANCEL', description: 'ORIGINATOR_CANCEL' },
			{ name: 'Other (Enter Below)', value: OTHER_CAUSE, description: 'Any other SIP cause name' },
			{ name: 'User Busy', value: 'USER_BUSY', description: 'USER_BUSY' },
		],
	},
	{
		displayName: 'Custom Cause',
		name: 'customCause',
		type: 'string',
		// Not `required`: n8n would then demand it whenever Cause is an expression; the mapping checks it.
		default: '',
		placeholder: 'e.g. UNALLOCATED_NUMBER',
		description:
			'A SIP cause name of up to 64 characters, e.g. UNALLOCATED_NUMBER. Lower case, spaces and hyphens are accepted and sent in upper case with underscores: "user busy" or "user-busy" is sent as USER_BUSY.',
		displayOptions: { show: { ...show, cause: [OTHER_CAUSE] } },
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'e.g. Time limit reached',
		description: 'Optional free text kept with the call, up to 256 characters',
		displayOptions: { show },
	},
];

export const callHangup: PiopiyOperation = {
	summary: {
		name: 'Hang Up',
		action: 'Hang up a call',
		description: 'End a live call with a SIP cause and an optional reason',
	},
	effect: 'repeatable',
	description,
	prepare(itemIndex) {
		const ui = readParameters(this, itemIndex, { callId: '', cause: 'NORMAL_CLEARING', customCause: '', reason: '' });
		return buildHangupRequest(ui as unknown as HangupUi);
	},
};
