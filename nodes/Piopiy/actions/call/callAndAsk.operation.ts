import { SEND_AND_WAIT_OPERATION, type INodeProperties } from 'n8n-workflow';

import { appCallFields } from '../../descriptions/appCall.description';
import { approvalFields, waitFields } from '../../descriptions/interactive.description';
import { CALL_AND_ASK_NAME, buildCallAndAskRequest, type ApprovalUi } from '../../mapping/interactive';
import { readParameters, type PiopiyOperation } from '../types';
import { resumeUrlFor } from '../resumeUrl';

// The value `sendAndWait` is what makes n8n offer the node to its AI Agent as a human-review tool.
const show = { resource: ['call'], operation: [SEND_AND_WAIT_OPERATION] };

const description: INodeProperties[] = [...appCallFields({ show }), ...approvalFields(show), ...waitFields(show)];

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
		const ui = readParameters(this, itemIndex, {
			callerId: '',
			toNumber: '',
			appId: '',
			message: '',
			promptLanguage: '',
			promptVoiceId: '',
			promptSpeed: 1,
			answerType: 'approval',
			approveKey: '1',
			declineKey: '2',
			sayKeys: true,
		});
		const { url } = resumeUrlFor(this, credentials);
		return buildCallAndAskRequest(ui as unknown as ApprovalUi, url, credentials.appId);
	},
};
