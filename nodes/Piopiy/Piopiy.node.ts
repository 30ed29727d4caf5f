import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { accountGetBalance } from './actions/account/getBalance.operation';
import { aiAgentCall } from './actions/aiAgent/call.operation';
import { callFlowCall } from './actions/call/flowCall.operation';
import { callHangup } from './actions/call/hangup.operation';
import { callPcmoCall } from './actions/call/pcmoCall.operation';
import { callTransfer } from './actions/call/transfer.operation';
import { callVoiceCall } from './actions/call/voiceCall.operation';
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
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				default: 'aiAgent',
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'AI Agent', value: 'aiAgent' },
					{ name: 'Call', value: 'call' },
				],
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
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['call'] } },
				default: 'voiceCall',
				options: [
					{
						name: 'Hang Up',
						value: 'hangup',
						action: 'Hang up a call',
						description: 'End a live call with a SIP cause and an optional reason',
					},
					{
						name: 'Make Flow Call',
						value: 'flowCall',
						action: 'Make a flow call',
						description: 'Call a number and run a call flow built in Piopiy',
					},
					{
						name: 'Make PCMO Call',
						value: 'pcmoCall',
						action: 'Make a PCMO call',
						description: 'Call a number and run a pipeline of actions: play, connect, get input, record and more',
					},
					{
						name: 'Make Voice Call',
						value: 'voiceCall',
						action: 'Make a voice call',
						description: 'Call a number and bridge it to another number when answered',
					},
					{
						name: 'Transfer',
						value: 'transfer',
						action: 'Transfer a call',
						description: 'Run a pipeline on a live call, e.g. connect the caller to a person',
					},
				],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['account'] } },
				default: 'getBalance',
				options: [
					{
						name: 'Get Balance',
						value: 'getBalance',
						action: 'Get the account balance',
						description: 'Read the call credit, SMS credit and expiry of the account',
					},
				],
			},
			...aiAgentCall.description,
			...callVoiceCall.description,
			...callPcmoCall.description,
			...callFlowCall.description,
			...callTransfer.description,
			...callHangup.description,
			...accountGetBalance.description,
			requestOptionsField,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
