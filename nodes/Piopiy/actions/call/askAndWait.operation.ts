import type { INodeProperties } from 'n8n-workflow';

import { callIdField } from '../../descriptions/appCall.description';
import { questionFields, waitFields } from '../../descriptions/interactive.description';
import { ASK_AND_WAIT_NAME, buildAskRequest, type QuestionUi } from '../../mapping/interactive';
import { readParameters, type PiopiyOperation } from '../types';
import { ASK_AND_WAIT_OPERATION, resumeUrlFor } from '../resumeUrl';

const show = { resource: ['call'], operation: [ASK_AND_WAIT_OPERATION] };

const description: INodeProperties[] = [
	callIdField({ show }, 'The ID of the live call to ask, as Piopiy reported it when the call was placed or in its call events'),
	...questionFields(show),
	...waitFields(show),
];

export const callAskAndWait: PiopiyOperation = {
	summary: {
		name: ASK_AND_WAIT_NAME,
		action: 'Ask and wait for input',
		description: 'Play a question on a live call and wait in this execution for the keys pressed or the words said',
	},
	// A Play and Get Input sent onto the live call: repeating it would ask twice.
	effect: 'changesCall',
	description,
	waitsForAnswer: true,
	prepare(itemIndex, credentials) {
		const ui = readParameters(this, itemIndex, {
			callId: '',
			promptType: 'file',
			promptFileName: '',
			promptText: '',
			promptLanguage: '',
			promptVoiceId: '',
			promptSpeed: 1,
			inputModes: ['dtmf'],
			dtmfSettings: {},
			retries: {},
		});
		const { url } = resumeUrlFor(this, credentials);
		return buildAskRequest(ui as QuestionUi & { callId: unknown }, url);
	},
};
