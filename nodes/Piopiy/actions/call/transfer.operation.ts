import type { INodeProperties } from 'n8n-workflow';

import { callIdField } from '../../descriptions/appCall.description';
import { pipelineFields } from '../../descriptions/pipeline.description';
import { buildTransferRequest, type TransferUi } from '../../mapping/callControl';
import { pipelineParameters } from '../pipelineParameters';
import { readParameters, type PiopiyOperation } from '../types';

const show = { resource: ['call'], operation: ['transfer'] };

const description: INodeProperties[] = [
	callIdField({ show }, 'The ID of the live call, as Piopiy reported it when the call was placed or in its call events'),
	...pipelineFields({ show }),
];

export const callTransfer: PiopiyOperation = {
	summary: {
		name: 'Transfer',
		action: 'Transfer a call',
		description: 'Run a pipeline on a live call, e.g. connect the caller to a person',
	},
	effect: 'changesCall',
	description,
	prepare(itemIndex) {
		const ui = { ...readParameters(this, itemIndex, { callId: '' }), ...pipelineParameters(this, itemIndex) };
		return buildTransferRequest(ui as unknown as TransferUi);
	},
};
