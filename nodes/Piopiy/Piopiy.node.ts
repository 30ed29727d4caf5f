import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { operationProperties } from './actions/operations';
import { router } from './actions/router';
import { requestOptionsField } from './descriptions/requestOptions.description';

export class Piopiy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Piopiy',
		name: 'piopiy',
		icon: { light: 'file:piopiy.svg', dark: 'file:piopiy.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Place AI agent calls and control live calls with Piopiy by TeleCMI',
		defaults: { name: 'Piopiy' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'piopiyApi', required: true }],
		properties: [...operationProperties(), requestOptionsField],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
