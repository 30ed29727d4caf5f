import type { IDataObject } from 'n8n-workflow';

import { InvalidFieldError } from '../../nodes/Piopiy/helpers/errors';

import type { RecordedRequest } from './piopiyServer';

export const AGENT_ID = '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c';
export const BACKUP_AGENT_ID = '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const CALL_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

/** The two operations that ask and wait, by their names in the editor, each with a spoken question. */
export const WAITING_OPERATIONS = {
	'Ask and Wait for Input': {
		resource: 'call',
		operation: 'askAndWait',
		callId: CALL_ID,
		promptType: 'say',
		promptText: 'Press 1 to confirm',
		promptLanguage: 'en-IN',
		promptVoiceId: 'anika',
	},
	'Call and Ask': {
		resource: 'call',
		operation: 'sendAndWait',
		callerId: '+91 80 4567 8900',
		toNumber: '+91 98765 43210',
		message: 'Refund 120 euros?',
		promptLanguage: 'en-IN',
		promptVoiceId: 'anika',
	},
} as const;

/** Parameters of a minimal AI Agent → Call, as the n8n UI stores them. */
export function aiCallParameters(overrides: IDataObject = {}): IDataObject {
	return {
		resource: 'aiAgent',
		operation: 'call',
		callerId: '+91 80 4567 8900',
		toNumber: '+91 98765-43210',
		agentId: AGENT_ID,
		...overrides,
	};
}

/** Everything a run produced that a person or a log could see, as one string to search. */
export function everythingSeen(...parts: unknown[]): string {
	return parts
		.map((part) => {
			if (part instanceof Error) {
				const { message, description, stack } = part as Error & { description?: string };
				return [message, description, stack, JSON.stringify(part)].join('\n');
			}
			return typeof part === 'string' ? part : JSON.stringify(part);
		})
		.join('\n');
}

export function bodies(requests: RecordedRequest[]): unknown[] {
	return requests.map((request) => request.body);
}

/** Runs a pure mapping or validation function that must refuse its input; returns the refusal. */
export function refusal(run: () => unknown): InvalidFieldError {
	try {
		run();
	} catch (error) {
		if (error instanceof InvalidFieldError) return error;
		throw error;
	}
	throw new Error('expected a refusal');
}
