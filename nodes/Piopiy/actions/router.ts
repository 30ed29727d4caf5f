import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { InvalidFieldError, describeReceived } from '../helpers/errors';
import { redactSecrets, redactSecretsInData } from '../../shared/redact';
import { describeStoppedRun, replyId, type ItemOutcome } from '../helpers/runRecord';
import { PiopiyRequestError, sendPiopiyRequest, type TransportSettings } from '../transport/request';
import type { PiopiyCredentials, PiopiyRequest, RequestEffect } from '../transport/types';
import { findOperation } from './operations';
import { readExecutionSettings } from './settings';

type FailedOutcome = Exclude<ItemOutcome['kind'], 'succeeded'>;
type ItemResult = { json: IDataObject } | { error: Error; outcome: FailedOutcome };

/** A failure's outcome: only the transport's own errors prove a refusal; anything else may have acted. */
function failedOutcome(error: unknown): FailedOutcome {
	return error instanceof PiopiyRequestError && !error.mayHaveActed ? 'refused' : 'unknownOutcome';
}

/**
 * Two n8n features run the whole node again after it failed: "Retry On Fail" (the node's setting) and
 * "Retry" on a failed execution (mode `retry`). Both send every item again, so every call already
 * placed in the failed run would be placed again. For requests that place or change calls they are
 * refused before anything is sent; the node re-sends by itself what is certain not to have acted.
 */
function refuseRepeatedRun(context: IExecuteFunctions, effect: RequestEffect): void {
	if (effect === 'repeatable') return;
	const howToRerun =
		'To carry on, run only the items whose outcome was "refused" or "notSent" (see "Re-running a failed campaign" in the README of n8n-nodes-piopiy).';
	if (context.getNode().retryOnFail) {
		throw new NodeOperationError(context.getNode(), '"Retry On Fail" is on, and it would place calls twice: nothing was sent', {
			description: `n8n's Retry On Fail runs the whole node again after a failure, so every call already placed in the run would be placed again. Turn it off in the node's Settings. The node already re-sends by itself what is certain not to have acted (HTTP 429, a refused connection). ${howToRerun}`,
		});
	}
	if (context.getMode() === 'retry') {
		throw new NodeOperationError(context.getNode(), 'Retrying this execution would place its calls again: nothing was sent', {
			description: `Retry runs this node again with all of its input items, including the ones whose calls were placed before it failed. The failed execution's error lists which items were placed. ${howToRerun}`,
		});
	}
}

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
	const operation = findOperation(resource, operationName);
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
			results[itemIndex] = { error: failure, outcome: 'notSent' };
			return undefined;
		}
	};
	// Without Continue On Fail, bad input in any item stops the node before anything is sent, so every
	// item is checked first. With it, a bad item fails alone, so each item is checked just before it
	// is sent and the checking overlaps the wait for Piopiy's replies.
	const checkedFirst = continueOnFail ? undefined : items.map((_, itemIndex) => prepareItem(itemIndex));

	let effect: RequestEffect | undefined;
	await forEachConcurrently(items.length, settings.concurrency, async (itemIndex) => {
		const request = checkedFirst ? checkedFirst[itemIndex] : prepareItem(itemIndex);
		if (!request) return true;
		// Every item of an operation has the same effect, so this stops the run before its first send.
		refuseRepeatedRun(this, request.effect);
		effect = request.effect;
		try {
			const reply = await sendPiopiyRequest(this, request, credentials, settings, itemIndex);
			results[itemIndex] = { json: redactSecretsInData(operation.toOutput ? operation.toOutput(reply) : reply, secrets) };
			return true;
		} catch (error) {
			results[itemIndex] = { error: error as Error, outcome: failedOutcome(error) };
			return continueOnFail;
		}
	});

	if (!continueOnFail) {
		const failedIndex = results.findIndex((result) => result !== undefined && 'error' in result);
		if (failedIndex >= 0) throw stoppedRunError(this, results, failedIndex, effect ?? 'placesCall', secrets);
	}

	// With Continue On Fail every item has a result; without it, no item failed.
	return [
		results.map((result, itemIndex): INodeExecutionData => {
			if ('json' in result) return { json: result.json, pairedItem: { item: itemIndex } };
			// n8n sends an item to the error output only when its json holds `error` and at most `message`
			// (n8n 1.x; 2.x also allows `details`). So the failure's explanation joins its message in
			// `error`, and `message` says what the failure means for the lead: "refused" or "notSent"
			// (nothing happened, safe to send again) or "unknownOutcome" (it may have acted).
			const { message, description } = result.error as Error & { description?: string };
			return {
				json: { error: redactSecrets(joinSentences(message, description), secrets), message: result.outcome },
				pairedItem: { item: itemIndex },
			};
		}),
	];
}

/** "A failed", "Do B." → "A failed. Do B." */
function joinSentences(first: string, second: string | undefined): string {
	if (!second) return first;
	return /[.!?]$/.test(first) ? `${first} ${second}` : `${first}. ${second}`;
}

/**
 * The error that ends a run stopped by a failed item. A run of one item fails with that item's own
 * error; a longer one with the record of what became of every item, so the calls already placed stay
 * in view and a re-run can skip them.
 */
function stoppedRunError(
	context: IExecuteFunctions,
	results: Array<ItemResult | undefined>,
	failedIndex: number,
	effect: RequestEffect,
	secrets: Array<string | undefined>,
): Error {
	const failed = results[failedIndex] as { error: Error & { description?: string } };
	if (results.length === 1) return failed.error;
	const outcomes = Array.from(results, (result): ItemOutcome => {
		if (result === undefined) return { kind: 'notSent' };
		if ('json' in result) return { kind: 'succeeded', id: replyId(result.json) };
		return { kind: result.outcome };
	});
	const report = describeStoppedRun(
		outcomes,
		failedIndex,
		{ message: failed.error.message, description: failed.error.description },
		effect,
	);
	const error = new NodeOperationError(context.getNode(), redactSecrets(report.message, secrets), {
		description: redactSecrets(report.description, secrets),
		itemIndex: failedIndex,
	});
	error.context.record = report.record;
	return error;
}
