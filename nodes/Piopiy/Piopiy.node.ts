import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { aiAgentCall } from './actions/aiAgent/call.operation';
import { router } from './actions/router';
import { requestOptionsField } from './descriptions/requestOptions.description';
import { testPiopiyToken } from './transport/credentialTest';

export class Piopiy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Piopiy',
		name: 'piopiy',
		icon: 'file:piopiy.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Place AI agent calls and control live calls with Piopiy by TeleCMI',
		defaults: { name: 'Piopiy' },
		usableAsTool: true,
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'piopiyApi', required: true, testedBy: 'piopiyApiTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				default: 'aiAgent',
				options: [{ name: 'AI Agent', value: 'aiAgent' }],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['aiAgent'] } },
				default: 'call',
				options: [
					{
						name: 'Call',
						value: 'call',
						action: 'Call a number with an AI agent',
						description: 'Place an outbound call handled by a Piopiy AI agent, with an optional backup agent',
					},
				],
			},
			...aiAgentCall.description,
			requestOptionsField,
		],
	};

	methods = { credentialTest: { piopiyApiTest: testPiopiyToken } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
