import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PiopiyCredentials, PiopiyRequest, RequestEffect } from '../transport/types';

/**
 * One operation: its UI, and how one item's parameters become one request. Sending, retrying and
 * error handling are the router's and the transport's, so every operation gets them the same way.
 */
export interface PiopiyOperation {
	/**
	 * The operation's entry in the editor's Operation list. `action` is its entry in n8n's node picker
	 * and the default name of a node added from there: it starts with `name`, so the picker, the
	 * Operation list and the README's headings use the same words.
	 */
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
	 * The operation asks the caller and waits for the answer in the same execution (interactive/waiting.ts):
	 * the request is sent as any other, then the execution waits.
	 */
	waitsForAnswer?: boolean;
	/** Shapes a successful reply into the output item; the reply as it came when absent. */
	toOutput?(reply: IDataObject): IDataObject;
}

/** n8n's test for an expression: a string that starts with `=`, anywhere in a parameter's value. */
function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	return typeof value === 'object' && value !== null && Object.values(value).some(holdsExpression);
}

function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
		Object.freeze(value);
		for (const entry of Object.values(value)) deepFreeze(entry);
	}
	return value;
}

/** Marks a parameter of the run that holds an expression: read for each item. */
const READ_PER_ITEM = Symbol('read per item');

/**
 * The values, per run (n8n's context object), of the parameters that hold no expression. Such a value
 * is the same for every item, and n8n's getNodeParameter copies and checks it again on every read:
 * most of an AI call's seven reads an item, and most of the garbage the node itself made on a
 * 100,000-lead campaign (docs/measurements.md). Frozen, so no item's mapping can change what the
 * next item reads.
 */
const valuesOfRun = new WeakMap<IExecuteFunctions, Map<string, unknown>>();

/** One item's value of a parameter, as `context.getNodeParameter(name, itemIndex, fallback)` gives it. */
export function itemParameter(context: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown): unknown {
	let known = valuesOfRun.get(context);
	if (!known) valuesOfRun.set(context, (known = new Map()));
	const sameForEveryItem = known.get(name);
	if (sameForEveryItem !== undefined && sameForEveryItem !== READ_PER_ITEM) return sameForEveryItem;
	const value = context.getNodeParameter(name, itemIndex, fallback);
	// Decided on the first read that succeeds: a read that throws is thrown again for each item.
	if (sameForEveryItem === undefined) {
		known.set(name, holdsExpression(context.getNode().parameters[name]) ? READ_PER_ITEM : deepFreeze(value));
	}
	return value;
}

/** Reads the listed parameters of one item into a plain object for a pure mapping function. */
export function readParameters<T extends string>(
	context: IExecuteFunctions,
	itemIndex: number,
	names: Record<T, unknown>,
): Record<T, unknown> {
	const values = {} as Record<T, unknown>;
	for (const [name, fallback] of Object.entries(names) as Array<[T, unknown]>) {
		values[name] = itemParameter(context, name, itemIndex, fallback);
	}
	return values;
}

/** The variables parameters of one item: only the input the user chose is read (each read costs). */
export function variablesParameters(context: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const variablesInput = itemParameter(context, 'variablesInput', itemIndex, 'fields');
	return variablesInput === 'json'
		? { variablesInput, variablesJson: itemParameter(context, 'variablesJson', itemIndex, '{}') }
		: { variablesInput, variables: itemParameter(context, 'variables', itemIndex, {}) };
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
