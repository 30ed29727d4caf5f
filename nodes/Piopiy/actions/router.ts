import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IPairedItemData,
} from 'n8n-workflow';

import { InvalidCredentialError, InvalidFieldError, describeReceived, joinSentences } from '../helpers/errors';
import { dataRedactor, redactSecrets } from '../../shared/redact';
import { describeStoppedRun, replyId, type ItemOutcome, type StoppedRunReport } from '../helpers/runRecord';
import { ACCOUNTS } from '../transport/accounts';
import { RateLimiter } from '../transport/rateLimiter';
import { PiopiyRequestError, sendPiopiyRequest } from '../transport/request';
import type { PiopiyCredentials, PiopiyRequest } from '../transport/types';
import { findOperation } from './operations';
import { RecentCallGuard, rememberRun, repeatedRunRefusal, runsAsTool, ToolCallLedger } from './runGuards';
import type { PiopiyOperation } from './types';
import { readExecutionSettings } from './settings';

type FailedOutcome = Exclude<ItemOutcome['kind'], 'succeeded'>;
/** A sent item's output item, made once and returned as it is, or the item's failure. */
type ItemResult = { json: IDataObject; pairedItem: IPairedItemData } | { error: Error; outcome: FailedOutcome };

/** A failure's outcome: only the transport's own errors prove a refusal; anything else may have acted. */
function failedOutcome(error: unknown): FailedOutcome {
	return error instanceof PiopiyRequestError && !error.mayHaveActed ? 'refused' : 'unknownOutcome';
}

function invalidFieldToNodeError(context: IExecuteFunctions, error: InvalidFieldError, itemIndex: number) {
	if (error instanceof InvalidCredentialError) {
		return new NodeOperationError(context.getNode(), error.message, { itemIndex, description: `Expected ${error.expected}. Nothing was sent.` });
	}
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
 * its input. `prepare`, when given, builds the items' requests in place of the operation's own (the
 * waiting operations keep what they asked: interactive/waiting.ts).
 */
export async function router(this: IExecuteFunctions, prepare?: PiopiyOperation['prepare']): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = findOperation(resource, operationName);
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" of "${resource}" is not known`);
	}

	const credentials = (await this.getCredentials('piopiyApi')) as unknown as PiopiyCredentials;
	const continueOnFail = failuresAreItems(this);
	const settings = readExecutionSettings(this);
	const secrets = [credentials.apiToken, credentials.appSecret];
	const redactReply = dataRedactor(secrets);

	// Decided once for the whole run, before any item is prepared or sent. With an On Error setting
	// that continues, every item comes out failed ("notSent"): n8n would otherwise pass the input items
	// on to the success output, and downstream every lead would look called.
	const refusal = repeatedRunRefusal(this, operation.effect);
	if (refusal) return refuseRun(this, refusal, secrets);
	const toolCalls = ToolCallLedger.forRun(this, operation.effect, settings.allowToolRepeats);
	const recentCalls = RecentCallGuard.forRun(this, operation.effect, settings);
	rememberRun(this, false);

	const results: ItemResult[] = new Array(items.length);
	/** The item's request, or undefined when its input is bad (recorded in `results`, or thrown). */
	const prepareItem = (itemIndex: number): PiopiyRequest | undefined => {
		try {
			const request = (prepare ?? operation.prepare).call(this, itemIndex, credentials);
			recentCalls?.readKey(itemIndex);
			// The run guards above judged by the operation's effect; a request that acts otherwise would
			// slip past them (a mapping changed without its operation).
			if (request.effect !== operation.effect) {
				throw new NodeOperationError(
					this.getNode(),
					`Internal error: the ${operationName} operation built a "${request.effect}" request but declares "${operation.effect}"`,
					{ itemIndex, description: 'Nothing was sent for this item. Please report this to the node\'s maintainers.' },
				);
			}
			return request;
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

	// Until the run ends by itself, it counts as one that may have acted (it may be cancelled or crash).
	rememberRun(this, operation.effect !== 'repeatable');

	// The account's lease: held until every item has settled, given back however the run ends. What
	// the account has taught (Piopiy's limit) is shared with every run on it; the cap and the pace
	// are this run's own.
	const lease = ACCOUNTS.lease(credentials);
	const rateLimiter = new RateLimiter({
		capPerSecond: settings.capPerSecond,
		concurrency: settings.concurrency,
		account: lease.account.limiter,
	});
	const transport = { ...settings, rateLimiter };
	try {
		await forEachConcurrently(items.length, settings.concurrency, async (itemIndex) => {
			// A stopped execution does not stop the node's code: start nothing more, and say so.
			if (settings.stopSignal?.aborted) {
				results[itemIndex] = { error: stoppedBeforeSending(this, itemIndex), outcome: 'notSent' };
				return true;
			}
			const request = checkedFirst ? checkedFirst[itemIndex] : prepareItem(itemIndex);
			if (!request) return true;
			const repeated = toolCalls?.refusalFor(request, itemIndex);
			if (repeated) {
				results[itemIndex] = { error: repeated, outcome: 'notSent' };
				return continueOnFail;
			}
			const claim = recentCalls?.claim(request, itemIndex, lease.account.calls);
			if (claim instanceof Error) {
				results[itemIndex] = { error: claim, outcome: 'notSent' };
				return continueOnFail;
			}
			try {
				const reply = await sendPiopiyRequest(this, request, credentials, transport, itemIndex);
				const json = redactReply(operation.toOutput ? operation.toOutput(reply) : reply);
				results[itemIndex] = { json, pairedItem: { item: itemIndex } };
				toolCalls?.record(request, replyId(reply));
				claim?.placed(replyId(reply));
				return true;
			} catch (error) {
				const outcome = failedOutcome(error);
				if (outcome === 'unknownOutcome') {
					toolCalls?.record(request, undefined);
					claim?.unknownOutcome();
				} else {
					claim?.notPlaced();
				}
				results[itemIndex] = { error: error as Error, outcome };
				return continueOnFail;
			}
		});
	} finally {
		rateLimiter.close();
		lease.release();
	}

	if (!continueOnFail) {
		const failedIndex = results.findIndex((result) => result !== undefined && 'error' in result);
		if (failedIndex >= 0) {
			const outcomes = itemOutcomes(results);
			const report = describeStoppedRun(outcomes, failedIndex, errorText(results[failedIndex]), operation.effect);
			const acted = outcomes.some(({ kind }) => kind === 'succeeded' || kind === 'unknownOutcome');
			rememberRun(this, acted, report.summary);
			throw stoppedRunError(this, results, failedIndex, report, secrets);
		}
	}

	// With Continue On Fail every item has a result; without it, no item failed.
	return [
		results.map((result, itemIndex): INodeExecutionData =>
			'json' in result ? result : failedItem(result, itemIndex, secrets),
		),
	];
}

/**
 * Whether a failed item comes out as an item rather than stopping the node: the On Error setting
 * continues, or the node runs as an AI Agent's tool (n8n's `<name>Tool` variants), whose output is
 * what the model reads. AI Agent 2.x (LangChain's AgentExecutor) gives the model an empty result for
 * a tool that throws, so there every failure says what happened, whatever On Error says.
 */
function failuresAreItems(context: IExecuteFunctions): boolean {
	return context.continueOnFail() || runsAsTool(context);
}

/**
 * A run refused as a whole, before anything is sent. Stop Workflow: the refusal is thrown. An On Error
 * setting that continues, or a tool: every input item comes out failed ("notSent"), on the error output where
 * there is one; n8n would otherwise pass the input items on as if each had been acted on.
 */
export function refuseRun(context: IExecuteFunctions, refusal: Error, secrets: Array<string | undefined> = []): INodeExecutionData[][] {
	if (!failuresAreItems(context)) throw refusal;
	return [context.getInputData().map((_, itemIndex) => failedItem({ error: refusal, outcome: 'notSent' }, itemIndex, secrets))];
}

function stoppedBeforeSending(context: IExecuteFunctions, itemIndex: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'Not sent: the execution was stopped', {
		itemIndex,
		description: 'The execution was stopped before this item\'s turn, so nothing was sent for it. It is safe to run this item again.',
	});
}

/**
 * A failed item. n8n sends an item to the error output only when its json holds `error` and at most
 * `message` (n8n 1.x; 2.x also allows `details`). So the failure's explanation joins its message in
 * `error`, and `message` says what the failure means for the lead: "refused" or "notSent" (nothing
 * happened, safe to send again) or "unknownOutcome" (it may have acted).
 */
function failedItem(
	result: { error: Error; outcome: FailedOutcome },
	itemIndex: number,
	secrets: Array<string | undefined>,
): INodeExecutionData {
	const { message, description } = result.error as Error & { description?: string };
	return {
		json: { error: redactSecrets(joinSentences(message, description), secrets), message: result.outcome },
		pairedItem: { item: itemIndex },
	};
}

function itemOutcomes(results: Array<ItemResult | undefined>): ItemOutcome[] {
	return Array.from(results, (result): ItemOutcome => {
		if (result === undefined) return { kind: 'notSent' };
		if ('json' in result) return { kind: 'succeeded', id: replyId(result.json) };
		return { kind: result.outcome };
	});
}

function errorText(result: ItemResult | undefined): { message: string; description?: string } {
	const { message, description } = (result as { error: Error & { description?: string } }).error;
	return { message, description };
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
	report: StoppedRunReport,
	secrets: Array<string | undefined>,
): Error {
	const failed = results[failedIndex] as { error: Error };
	if (results.length === 1) return failed.error;
	const error = new NodeOperationError(context.getNode(), redactSecrets(report.message, secrets), {
		description: redactSecrets(report.description, secrets),
		itemIndex: failedIndex,
	});
	error.context.record = report.record;
	return error;
}
