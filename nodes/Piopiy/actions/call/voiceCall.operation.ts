import type { INodeProperties } from 'n8n-workflow';

import { appCallFields } from '../../descriptions/appCall.description';
import { callOptionsCollection } from '../../descriptions/callOptions.description';
import { connectOptionsFields, connectStrategyField } from '../../descriptions/connect.description';
import { variablesFields } from '../../descriptions/variables.description';
import { buildVoiceCallRequest, type VoiceCallUi } from '../../mapping/appCalls';
import { placedCallParameters, type PiopiyOperation } from '../types';

const show = { resource: ['call'], operation: ['voiceCall'] };

const description: INodeProperties[] = [
	...appCallFields({ show }),
	{
		displayName: 'Connect To',
		name: 'connectTo',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. +91 99887 76655',
		description: 'The number the call is bridged to once the person answers, with country code',
		displayOptions: { show },
	},
	{ ...connectStrategyField, displayOptions: { show } },
	{
		displayName: 'Connect Options',
		name: 'connectOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: connectOptionsFields,
	},
	callOptionsCollection({ show }),
	...variablesFields({ show }),
];

export const callVoiceCall: PiopiyOperation = {
	summary: {
		name: 'Make Voice Call',
		action: 'Make voice call',
		description: 'Call a number and bridge it to another number when answered',
	},
	effect: 'placesCall',
	description,
	prepare(itemIndex, credentials) {
		const ui = placedCallParameters(this, itemIndex, {
			appId: '',
			connectTo: '',
			strategy: 'sequential',
			connectOptions: {},
		});
		return buildVoiceCallRequest(ui as unknown as VoiceCallUi, credentials.appId);
	},
};
