import type { INodeProperties } from 'n8n-workflow';

import { callPartiesFields } from '../../descriptions/appCall.description';
import { callOptionsCollection } from '../../descriptions/callOptions.description';
import { connectOptionsFields, connectStrategyField } from '../../descriptions/connect.description';
import { variablesFields } from '../../descriptions/variables.description';
import { buildAiCallRequest, type AiCallUi } from '../../mapping/aiCall';
import { placedCallParameters, readParameters, type PiopiyOperation } from '../types';

const show = { resource: ['aiAgent'], operation: ['call'] };
const showFailover = { ...show, useFailover: [true] };

const description: INodeProperties[] = [
	...callPartiesFields({ show }),
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c',
		description: 'The ID of the Piopiy AI agent that handles the call (Piopiy dashboard → AI Agents)',
		displayOptions: { show },
	},
	...variablesFields({ show }),
	callOptionsCollection({ show }),
	{
		displayName: 'Use Backup Agent',
		name: 'useFailover',
		type: 'boolean',
		default: false,
		description:
			'Whether a second agent takes the call when the first cannot. The call is then sent as a PCMO call and needs your App ID.',
		displayOptions: { show },
	},
	{
		displayName: 'Backup Agent ID',
		name: 'backupAgentId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
		description: 'The agent that takes the call when the first one cannot; must differ from Agent ID',
		displayOptions: { show: showFailover },
	},
	{
		displayName: 'App ID',
		name: 'failoverAppId',
		type: 'string',
		default: '',
		placeholder: 'Leave empty to use the App ID of the credential',
		description: 'The Piopiy app that places the failover call',
		displayOptions: { show: showFailover },
	},
	{ ...connectStrategyField, name: 'failoverStrategy', displayOptions: { show: showFailover } },
	{
		displayName: 'Backup Options',
		name: 'failoverOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: showFailover },
		options: connectOptionsFields,
	},
];

export const aiAgentCall: PiopiyOperation = {
	summary: {
		name: 'Call',
		action: 'Call with an AI agent',
		description: 'Place an outbound call handled by a Piopiy AI agent, with an optional backup agent',
	},
	effect: 'placesCall',
	description,
	prepare(itemIndex, credentials) {
		const ui = placedCallParameters(this, itemIndex, { agentId: '', useFailover: false });
		if (ui.useFailover === true) {
			Object.assign(
				ui,
				readParameters(this, itemIndex, {
					backupAgentId: '',
					failoverAppId: '',
					failoverStrategy: 'sequential',
					failoverOptions: {},
				}),
			);
		}
		return buildAiCallRequest(ui as unknown as AiCallUi, credentials.appId);
	},
};
