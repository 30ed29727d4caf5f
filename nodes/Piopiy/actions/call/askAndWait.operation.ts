import type { INodeProperties } from 'n8n-workflow';

import { callIdField } from '../../descriptions/appCall.description';
import { questionFields, waitFields } from '../../descriptions/interactive.description';
import { askFor } from '../../interactive/asking';
import { ASK_AND_WAIT_OPERATION } from '../../interactive/question';
import { ASK_AND_WAIT_NAME } from '../../interactive/request';
import type { PiopiyOperation } from '../types';

const show = { resource: ['call'], operation: [ASK_AND_WAIT_OPERATION] };

const description: INodeProperties[] = [
	callIdField({ show }, 'The ID of the live call to ask, as Piopiy reported it when the call was placed or in its call events'),
	...questionFields(show),
	...waitFields(show),
];

/** The entry in the registry; asking and waiting are the interactive feature's (nodes/Piopiy/interactive). */
export const callAskAndWait: PiopiyOperation = {
	summary: {
		name: ASK_AND_WAIT_NAME,
		action: 'Ask and wait for input',
		description: 'Play a question on a live call and wait in this execution for the keys pressed or the words said',
	},
	// A Play and Get Input sent onto the live call: repeating it would ask twice.
	effect: 'changesCall',
	description,
	waitsForAnswer: true,
	prepare(itemIndex, credentials) {
		return askFor(this, itemIndex, credentials).request;
	},
};
