import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { InvalidFieldError, describeReceived } from '../helpers/errors';
import { redactSecrets } from '../helpers/redact';
import { sendPiopiyRequest, type TransportSettings } from '../transport/request';
import type { PiopiyCredentials, PiopiyRequest } from '../transport/types';
import { operations } from './operations';
import { readExecutionSettings } from './settings';

type ItemResult = { json: IDataObject } | { error: Error };

function invalidFieldToNodeError(context: IExecuteFunctions, error: InvalidFieldError, itemIndex: number) {
	return new NodeOperationError(
		context.getNode(),
		`${error.field} in item ${itemIndex} is not valid: received ${describeReceived(error.received)}`,
		{ itemIndex, description: `Expected ${error.expected}. Nothing was sent for this item.` },
	);
}

/** Runs `worker` over `count` indexes with at most `limit` running at once; results keep index order. */
async function forEachConcurrently(
	count: number,
	limit: number,
	worker: (index: number) => Promise<boolean>,
): Promise<void> {
	let next = 0;
	let stopped = false;
	const lane = async () => {
		while (!stopped && next < count) {
			const index = next++;
			// A worker returns false to stop new work (an item failed and the node will stop).
			if (!(await worker(index))) stopped = true;
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, lane));
}

/**
 * Runs the chosen operation for every input item. Bad input in any item sends nothing unless
 * "Continue On Fail" is on; then each item gets exactly one output item, in input order, paired to
 * its input.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = operations[resource]?.[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" of "${resource}" is not known`);
	}

	const credentials = (await this.getCredentials('piopiyApi')) as unknown as PiopiyCredentials;
	const continueOnFail = this.continueOnFail();
	const settings: TransportSettings & { concurrency: number } = readExecutionSettings(this);
	const secrets = [credentials.apiToken, credentials.appSecret];

	const results: ItemResult[] = new Array(items.length);
	/** The item's request, or undefined when its input is bad (recorded in `results`, or thrown). */
	const prepareItem = (itemIndex: number): PiopiyRequest | undefined => {
		try {
			return operation.prepare.call(this, itemIndex, credentials);
		} catch (error) {
			const failure =
				error instanceof InvalidFieldError ? invalidFieldToNodeError(this, error, itemIndex) : (error as Error);
			if (!continueOnFail) throw failure;
			results[itemIndex] = { error: failure };
			return undefined;
		}
	};
	// Without Continue On Fail, bad input in any item stops the node before anything is sent, so every
	// item is checked first. With it, a bad item fails alone, so each item is checked just before it
	// is sent and the checking overlaps the wait for Piopiy's replies.
	const checkedFirst = continueOnFail ? undefined : items.map((_, itemIndex) => prepareItem(itemIndex));

	await forEachConcurrently(items.length, settings.concurrency, async (itemIndex) => {
		const request = checkedFirst ? checkedFirst[itemIndex] : prepareItem(itemIndex);
		if (!request) return true;
		try {
			const reply = await sendPiopiyRequest(this, request, credentials, settings, itemIndex);
			results[itemIndex] = { json: operation.toOutput ? operation.toOutput(reply) : reply };
			return true;
		} catch (error) {
			results[itemIndex] = { error: error as Error };
			return continueOnFail;
		}
	});

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const result = results[itemIndex];
		if (result === undefined) continue; // not reached: an earlier item stopped the run
		if ('json' in result) {
			output.push({ json: result.json, pairedItem: { item: itemIndex } });
			continue;
		}
		if (!continueOnFail) throw result.error;
		// `error` and `details` only: n8n then routes the item to the error output when "On Error" says so.
		const { message, description } = result.error as Error & { description?: string };
		output.push({
			json: {
				error: redactSecrets(message, secrets),
				...(description ? { details: redactSecrets(String(description), secrets) } : {}),
			},
			pairedItem: { item: itemIndex },
		});
	}
	return [output];
}
