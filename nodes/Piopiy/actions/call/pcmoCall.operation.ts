import type { INodeProperties } from 'n8n-workflow';

import { appCallFields } from '../../descriptions/appCall.description';
import { callOptionsCollection } from '../../descriptions/callOptions.description';
import { pipelineFields } from '../../descriptions/pipeline.description';
import { variablesFields } from '../../descriptions/variables.description';
import { buildPcmoCallRequest, type PcmoCallUi } from '../../mapping/appCalls';
import { pipelineParameters } from '../pipelineParameters';
import { placedCallParameters, type PiopiyOperation } from '../types';

const show = { resource: ['call'], operation: ['pcmoCall'] };

const description: INodeProperties[] = [
	...appCallFields({ show }),
	...pipelineFields({ show }),
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c',
		description: 'Optional: a Piopiy AI agent attached to the call (Piopiy dashboard → AI Agents)',
		displayOptions: { show },
	},
	callOptionsCollection({ show }),
	...variablesFields({ show }),
];

export const callPcmoCall: PiopiyOperation = {
	summary: {
		name: 'Make PCMO Call',
		action: 'Make PCMO call',
		description: 'Call a number and run a pipeline of actions: play, connect, get input, record and more',
	},
	effect: 'placesCall',
	description,
	prepare(itemIndex, credentials) {
		const ui = {
			...placedCallParameters(this, itemIndex, { appId: '', agentId: '' }),
			// Only the inputs the user chose are read: each read resolves expressions.
			...pipelineParameters(this, itemIndex),
		};
		return buildPcmoCallRequest(ui as unknown as PcmoCallUi, credentials.appId);
	},
};
