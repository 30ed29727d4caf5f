import { randomUUID } from 'crypto';

import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { RequestEffect } from '../helpers/effect';
import { InvalidFieldError } from '../helpers/errors';
import {
	callIdentity,
	callIdentityText,
	earlierCallRefusal,
	executionRetryRefusal,
	retryMayGoAhead,
	retryOnFailRefusal,
	toolRepeatRefusal,
	type RunMemory,
} from '../helpers/repeatGuard';
import type { CallClaim, CallMemory } from '../transport/callMemory';
import type { PiopiyRequest } from '../transport/types';

/**
 * Where the node keeps what it must remember within one execution: n8n's node context, which is part
 * of the execution's data. It is stored with a failed execution and handed back to the node by n8n's
 * Retry, and it is shared by every run of the node in one execution (an AI Agent's tool calls).
 */
const RUN_MEMORY_KEY = 'piopiyRun';
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
	if (context.getMode() !== 'retry') return undefined;
	const memory = context.getContext('node')[RUN_MEMORY_KEY] as RunMemory | undefined;
	const proxy = context.getWorkflowDataProxy(0);
	// n8n's Retry drops the failed run of the node it restarts at, but keeps the node's entry.
	const ranBefore = (proxy.$(node.name) as { isExecuted: boolean }).isExecuted;
	const runIndex = proxy.$runIndex as number;
	if (retryMayGoAhead(memory, runIndex, ranBefore)) return undefined;
	const { message, description } = executionRetryRefusal(effect, memory, runIndex);
	return new NodeOperationError(node, message, { description });
}

/** Remembers where this run stands, for a Retry of the execution (see `RunMemory`). */
export function rememberRun(context: IExecuteFunctions, acted: boolean, summary?: string): void {
	const memory: RunMemory = { runIndex: context.getWorkflowDataProxy(0).$runIndex as number, acted, summary };
	context.getContext('node')[RUN_MEMORY_KEY] = memory as unknown as IDataObject;
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
		if (allowRepeats || effect === 'repeatable' || !runsAsTool(context)) return undefined;
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

/**
 * Whether this run is an AI Agent's or an MCP client's tool call: n8n names the tool variant of a
 * node `<name>Tool` (n8n-nodes-piopiy.piopiyTool), on 1.x and 2.x.
 */
export function runsAsTool(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}

/**
 * The calls this Piopiy account placed from this n8n process, across executions: a call about to be
 * placed that matches one sent within the window (the same number with the same agent, pipeline or
 * flow, or the same Idempotency Key) is not sent. Claimed before sending, settled by what came of it.
 */
export class RecentCallGuard {
	private readonly keys = new Map<number, string>();

	private constructor(
		private readonly context: IExecuteFunctions,
		private readonly windowMin: number,
		private readonly run: string,
	) {}

	/** The guard when this run places calls and repeats are not allowed for it, else undefined. */
	static forRun(
		context: IExecuteFunctions,
		effect: RequestEffect,
		settings: { repeatWindowMin: number; allowToolRepeats: boolean },
	): RecentCallGuard | undefined {
		if (effect !== 'placesCall') return undefined;
		// "Allow Repeated Calls From AI Agent" lets a tool call repeat whatever the window.
		if (settings.allowToolRepeats && runsAsTool(context)) return undefined;
		// n8n's server always sets the execution's ID; without one (a bare engine), the run stands alone.
		const run = context.getExecutionId() ?? randomUUID();
		return new RecentCallGuard(context, settings.repeatWindowMin, run);
	}

	/** The item's Idempotency Key, checked before anything is sent; InvalidFieldError when it is not text or a number. */
	readKey(itemIndex: number): void {
		const key = this.context.getNodeParameter('requestOptions.idempotencyKey', itemIndex, '') as unknown;
		if (typeof key !== 'string' && typeof key !== 'number') {
			throw new InvalidFieldError('Idempotency Key', key, 'text or a number (e.g. {{ $json.submissionId }}), or nothing');
		}
		this.keys.set(itemIndex, String(key).trim());
	}

	/**
	 * Claims the item's call for sending in `memory` (its account's), or refuses it (the item's
	 * failure) when an earlier call matches.
	 */
	claim(request: PiopiyRequest, itemIndex: number, memory: CallMemory): CallClaim | NodeOperationError {
		const call = { identity: callIdentityText(request.path, request.body), idempotencyKey: this.keys.get(itemIndex) };
		const found = memory.claim(call, this.windowMin * 60_000, this.run);
		if ('claim' in found) return found.claim;
		const { message, description } = earlierCallRefusal(found.earlier, {
			path: request.path,
			windowMin: this.windowMin,
			asTool: runsAsTool(this.context),
			nowEpochMs: Date.now(),
		});
		return new NodeOperationError(this.context.getNode(), message, { description, itemIndex });
	}
}
