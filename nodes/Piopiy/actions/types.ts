import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PiopiyCredentials, PiopiyRequest, RequestEffect } from '../transport/types';

/**
 * One operation: its UI, and how one item's parameters become one request. Sending, retrying and
 * error handling are the router's and the transport's, so every operation gets them the same way.
 */
export interface PiopiyOperation {
	/** The operation's entry in the editor's Operation list. */
	summary: { name: string; action: string; description: string };
	/**
	 * What sending its request twice would do. The router decides from it, before anything is sent,
	 * whether a repeated run may go ahead; it equals the `effect` of every request `prepare` builds.
	 */
	effect: RequestEffect;
	description: INodeProperties[];
	/** Reads and checks the item's parameters; throws InvalidFieldError before anything is sent. */
	prepare(this: IExecuteFunctions, itemIndex: number, credentials: PiopiyCredentials): PiopiyRequest;
	/**
	 * The operation asks the caller and waits for the answer in the same execution (actions/waiting.ts):
	 * the request is sent as any other, then the execution waits.
	 */
	waitsForAnswer?: boolean;
	/** Shapes a successful reply into the output item; the reply as it came when absent. */
	toOutput?(reply: IDataObject): IDataObject;
}

/** Reads the listed parameters of one item into a plain object for a pure mapping function. */
export function readParameters<T extends string>(
	context: IExecuteFunctions,
	itemIndex: number,
	names: Record<T, unknown>,
): Record<T, unknown> {
	const values = {} as Record<T, unknown>;
	for (const [name, fallback] of Object.entries(names) as Array<[T, unknown]>) {
		values[name] = context.getNodeParameter(name, itemIndex, fallback);
	}
	return values;
}

/** The variables parameters of one item: only the input the user chose is read (each read costs). */
export function variablesParameters(context: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const variablesInput = context.getNodeParameter('variablesInput', itemIndex, 'fields');
	return variablesInput === 'json'
		? { variablesInput, variablesJson: context.getNodeParameter('variablesJson', itemIndex, '{}') }
		: { variablesInput, variables: context.getNodeParameter('variables', itemIndex, {}) };
}

/**
 * One item's parameters of an operation that places a call: who calls whom, the call options and the
 * variables, with the operation's own parameters (`own`, by name with their defaults).
 */
export function placedCallParameters(
	context: IExecuteFunctions,
	itemIndex: number,
	own: Record<string, unknown>,
): Record<string, unknown> {
	return {
		...readParameters(context, itemIndex, { callerId: '', toNumber: '', callOptions: {}, ...own }),
		...variablesParameters(context, itemIndex),
	};
}
