import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { RequestEffect } from '../helpers/effect';
import {
	callIdentity,
	executionRetryRefusal,
	retryOnFailRefusal,
	toolRepeatRefusal,
	type StoppedRunMemory,
} from '../helpers/repeatGuard';
import type { PiopiyRequest } from '../transport/types';

/**
 * Where the node keeps what it must remember within one execution: n8n's node context, which is part
 * of the execution's data. It is stored with a failed execution and handed back to the node by n8n's
 * Retry, and it is shared by every run of the node in one execution (an AI Agent's tool calls).
 */
const STOPPED_RUN_KEY = 'piopiyStoppedRun';
const TOOL_CALLS_KEY = 'piopiyToolCalls';

/**
 * Refuses a run that would act twice, before anything is sent: with n8n's Retry On Fail on (every
 * failed try is sent again whole), and n8n's Retry of an execution in which this node stopped after
 * it may have acted. A Retry after a failure elsewhere, or after this node sent nothing, goes ahead.
 */
export function repeatedRunRefusal(context: IExecuteFunctions, effect: RequestEffect): NodeOperationError | undefined {
	if (effect === 'repeatable') return undefined;
	const node = context.getNode();
	if (node.retryOnFail) {
		const { message, description } = retryOnFailRefusal(effect);
		return new NodeOperationError(node, message, { description });
	}
	const stopped = context.getContext('node')[STOPPED_RUN_KEY] as StoppedRunMemory | undefined;
	if (context.getMode() === 'retry' && stopped) {
		const { message, description } = executionRetryRefusal(effect, stopped);
		return new NodeOperationError(node, message, { description });
	}
	return undefined;
}

/** Remembers that this run stopped after it may have acted, for a Retry of the execution. */
export function rememberStoppedRun(context: IExecuteFunctions, summary: string): void {
	const memory: StoppedRunMemory = { summary };
	context.getContext('node')[STOPPED_RUN_KEY] = memory as unknown as IDataObject;
}

/** A run that goes ahead starts with a clean slate. */
export function forgetStoppedRun(context: IExecuteFunctions): void {
	delete context.getContext('node')[STOPPED_RUN_KEY];
}

/**
 * The calls this node made as an AI Agent's tool in the current execution. A model may ask for the
 * same tool call twice; a person must not be rung twice for it.
 */
export class ToolCallLedger {
	private constructor(
		private readonly context: IExecuteFunctions,
		private readonly effect: RequestEffect,
		private readonly made: Record<string, string>,
	) {}

	/** The ledger when this run is a tool call that could ring someone twice, else undefined. */
	static forRun(context: IExecuteFunctions, effect: RequestEffect, allowRepeats: boolean): ToolCallLedger | undefined {
		// n8n names the tool variant of a node `<name>Tool` (n8n-nodes-piopiy.piopiyTool), on 1.x and 2.x.
		if (allowRepeats || effect === 'repeatable' || !context.getNode().type.endsWith('Tool')) return undefined;
		const nodeContext = context.getContext('node');
		nodeContext[TOOL_CALLS_KEY] ??= {};
		return new ToolCallLedger(context, effect, nodeContext[TOOL_CALLS_KEY] as Record<string, string>);
	}

	/** The refusal when this request was already made in this execution. */
	refusalFor(request: PiopiyRequest, itemIndex: number): NodeOperationError | undefined {
		const previous = this.made[callIdentity(request.path, request.body)];
		if (previous === undefined) return undefined;
		const { message, description } = toolRepeatRefusal(this.effect, previous || undefined);
		return new NodeOperationError(this.context.getNode(), message, { description, itemIndex });
	}

	/** Records a request that was made or may have been; `id` is Piopiy's id for it, when known. */
	record(request: PiopiyRequest, id: string | undefined): void {
		this.made[callIdentity(request.path, request.body)] = id ?? '';
	}
}
