import { SEND_AND_WAIT_OPERATION, type INodeProperties } from 'n8n-workflow';

import { appCallFields } from '../../descriptions/appCall.description';
import { approvalFields, waitFields } from '../../descriptions/interactive.description';
import { askFor } from '../../interactive/asking';
import { CALL_AND_ASK_NAME } from '../../interactive/request';
import type { PiopiyOperation } from '../types';

// The value `sendAndWait` is what makes n8n offer the node to its AI Agent as a human-review tool.
const show = { resource: ['call'], operation: [SEND_AND_WAIT_OPERATION] };

const description: INodeProperties[] = [...appCallFields({ show }), ...approvalFields(show), ...waitFields(show)];

/** The entry in the registry; asking and waiting are the interactive feature's (nodes/Piopiy/interactive). */
export const callCallAndAsk: PiopiyOperation = {
	summary: {
		name: CALL_AND_ASK_NAME,
		action: 'Call and ask',
		description: 'Call a number, speak a message and wait in this execution for the key that approves or declines, or for the words the person says',
	},
	// It places a call: never sent twice.
	effect: 'placesCall',
	description,
	waitsForAnswer: true,
	prepare(itemIndex, credentials) {
		return askFor(this, itemIndex, credentials).request;
	},
};
