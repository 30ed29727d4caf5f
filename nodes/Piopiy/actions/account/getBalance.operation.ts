import type { INodeProperties } from 'n8n-workflow';

import { balanceOutput, buildBalanceRequest } from '../../mapping/balance';
import type { PiopiyOperation } from '../types';

const description: INodeProperties[] = [
	{
		displayName:
			'Uses the App ID and App Secret of the Piopiy API credential, not the API token. Set both there before running.',
		name: 'balanceNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['account'], operation: ['getBalance'] } },
	},
];

export const accountGetBalance: PiopiyOperation = {
	summary: {
		name: 'Get Balance',
		action: 'Get balance',
		description: 'Read the call credit, SMS credit and expiry of the account',
	},
	effect: 'repeatable',
	description,
	prepare(_itemIndex, credentials) {
		return buildBalanceRequest(credentials);
	},
	toOutput: balanceOutput,
};
