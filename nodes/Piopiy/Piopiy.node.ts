import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { findOperation, operationProperties, operationSubtitle } from './actions/operations';
import { router } from './actions/router';
import { answerWebhooks, receiveAnswer, runWaitingOperation } from './interactive/waiting';
import { requestOptionsField } from './descriptions/requestOptions.description';

export class Piopiy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Piopiy',
		name: 'piopiy',
		icon: { light: 'file:piopiy.svg', dark: 'file:piopiy.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: operationSubtitle(),
		description: 'Place AI agent calls and control live calls with Piopiy by TeleCMI',
		defaults: { name: 'Piopiy' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'piopiyApi', required: true }],
		// Where Piopiy posts the caller's answer to a waiting execution (Ask and Wait, Call and Ask).
		webhooks: answerWebhooks,
		properties: [...operationProperties(), requestOptionsField],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = findOperation(this.getNodeParameter('resource', 0) as string, this.getNodeParameter('operation', 0) as string);
		if (operation?.waitsForAnswer) return await runWaitingOperation.call(this);
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveAnswer.call(this);
	}
}
