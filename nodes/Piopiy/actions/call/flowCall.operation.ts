import type { INodeProperties } from 'n8n-workflow';

import { appCallFields } from '../../descriptions/appCall.description';
import { callOptionsCollection } from '../../descriptions/callOptions.description';
import { variablesFields } from '../../descriptions/variables.description';
import { buildFlowCallRequest, type FlowCallUi } from '../../mapping/appCalls';
import { placedCallParameters, type PiopiyOperation } from '../types';

const show = { resource: ['call'], operation: ['flowCall'] };

const description: INodeProperties[] = [
	{
		displayName: 'Flow ID',
		name: 'flowId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 7d1e2f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a',
		description: 'The ID of the call flow to run (Piopiy dashboard → Flows)',
		displayOptions: { show },
	},
	{
		displayName: 'Organization ID',
		name: 'orgId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
		description: 'The ID of your Piopiy organization that owns the flow',
		displayOptions: { show },
	},
	...appCallFields({ show }),
	callOptionsCollection({ show }),
	...variablesFields({ show }),
];

export const callFlowCall: PiopiyOperation = {
	summary: {
		name: 'Make Flow Call',
		action: 'Make flow call',
		description: 'Call a number and run a call flow built in Piopiy',
	},
	effect: 'placesCall',
	description,
	prepare(itemIndex, credentials) {
		const ui = placedCallParameters(this, itemIndex, { flowId: '', orgId: '', appId: '' });
		return buildFlowCallRequest(ui as unknown as FlowCallUi, credentials.appId);
	},
};
