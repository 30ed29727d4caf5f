import { createHash } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

import type { RequestEffect } from './effect';

/**
 * Pure rules for runs that would act a second time: n8n's Retry On Fail, n8n's Retry of a failed
 * execution, and an AI Agent that calls this node as a tool twice with the same call.
 */

/**
 * What the node remembers, in n8n's node context of the execution, about its latest run. It is
 * written before the run sends anything and again when the run stops, so a run that ended any other
 * way (cancelled, n8n or its worker stopped) is remembered as one that may have acted.
 */
export interface RunMemory {
	/** n8n's index of the run (0 unless the node runs more than once in the execution, e.g. in a loop). */
	runIndex: number;
	/** Whether any item was placed or may have been (true while the run is still sending). */
	acted: boolean;
	/** How the run stopped, in words: "1 call placed, 1 with unknown outcome, 0 refused, 1 not sent (of 3 items)". */
	summary?: string;
}

/**
 * Whether n8n's Retry of an execution may run this node's run again, from what the failed execution
 * kept: the node's memory of that run (go ahead only if nothing in it acted); without one, whether
 * the run is in the execution's data (n8n keeps the entry of a failed or crashed run: it may have
 * acted) or the node never ran (the failure was upstream: go ahead).
 */
export function retryMayGoAhead(memory: RunMemory | undefined, runIndex: number, nodeRanBefore: boolean): boolean {
	if (memory && memory.runIndex === runIndex) return !memory.acted;
	return !nodeRanBefore;
}

const HOW_TO_RERUN =
	'To carry on, run only the items whose outcome was "refused" or "notSent" (see "Re-running a failed campaign" in the README of n8n-nodes-piopiy).';

function acted(effect: RequestEffect): string {
	return effect === 'placesCall' ? 'placed calls' : 'changed live calls';
}

/** The refusal of a run with n8n's Retry On Fail on: every failed run would be sent again whole. */
export function retryOnFailRefusal(effect: RequestEffect): { message: string; description: string } {
	const twice = effect === 'placesCall' ? 'place calls twice' : 'change live calls twice';
	return {
		message: `"Retry On Fail" is on, and it would ${twice}: nothing was sent`,
		description: `n8n's Retry On Fail runs the whole node again after a failure, so every item already sent in the failed try would be sent again. Turn it off in the node's Settings. The node already re-sends by itself what is certain not to have acted (HTTP 429, a refused connection). ${HOW_TO_RERUN}`,
	};
}

/**
 * The refusal of n8n's Retry of an execution in which this node may have acted, worded by what the
 * failed execution kept: the memory of this very run (how it stopped, or that it was still sending),
 * the memory of an earlier run only (a loop: this pass is the one n8n has no record of), or none.
 */
export function executionRetryRefusal(
	effect: RequestEffect,
	memory: RunMemory | undefined,
	runIndex: number,
): { message: string; description: string } {
	let what: string;
	let again = 'Retry would send all of its input items again, including those.';
	if (memory?.runIndex === runIndex && memory.summary) {
		what = `In that execution this node stopped after ${memory.summary}. The failed execution's error lists which items were sent.`;
	} else if (memory && memory.runIndex < runIndex) {
		// n8n keeps the node's record as of its last saved state: a pass that began after it (a crash
		// mid-pass) leaves no trace, and a Retry cannot show whether this pass's items were sent.
		what = `This node runs more than once in that execution (a loop, run ${runIndex + 1}), and n8n kept no record of this run: it may have been sending these items when the execution stopped.`;
		again = 'Retry would send this run\'s input items again.';
	} else {
		what =
			'In that execution this node was sending its items when its run ended without its own record (cancelled, or n8n or its worker stopped mid-run), so some of them may have been sent.';
	}
	return {
		message: `This node may have ${acted(effect)} in the execution being retried: nothing was sent`,
		description: `${what} ${again} ${HOW_TO_RERUN}`,
	};
}

/**
 * Who a request rings, and with what: the endpoint, the number, and the agent, pipeline, flow or live
 * call it acts on. Variables and options are left out: a model that asks again with a name spelled
 * differently still rings the same person. Hashed, so phone numbers are not kept in the execution.
 */
export function callIdentity(path: string, body: IDataObject): string {
	return createHash('sha256').update(callIdentityText(path, body)).digest('hex').slice(0, 32);
}

/** The text `callIdentity` hashes; the process's call memory hashes it with its own key. */
export function callIdentityText(path: string, body: IDataObject): string {
	const { to_number, agent_id, pipeline, flow_id, call_id } = body;
	return JSON.stringify([path, to_number, agent_id, pipeline, flow_id, call_id]);
}

/** The refusal an AI Agent's model reads when it asks for the same call again in one execution. */
export function toolRepeatRefusal(
	effect: RequestEffect,
	previousId: string | undefined,
): { message: string; description: string } {
	const [what, consequence] =
		effect === 'placesCall' ? ['call', 'ring the same person again'] : ['request', 'act on the live call again'];
	const earlier = previousId ? ` (its id: ${previousId})` : '';
	return {
		message: `Not sent: this exact ${what} was already made earlier in this run${earlier}. Repeating it would ${consequence}.`,
		description:
			'Tell the user it was already done; do not call this tool again with the same number and agent, pipeline or flow. The workflow builder can allow repeats in the node\'s Request Options ("Allow Repeated Calls From AI Agent").',
	};
}

/** An earlier call that matches one about to be sent, as the process's call memory holds it (transport/callMemory). */
export interface EarlierCall {
	/** `sending`: its request has not been answered yet; `unknownOutcome`: it may have been placed. */
	state: 'sending' | 'placed' | 'unknownOutcome';
	/** Whether it matched by the Idempotency Key rather than by who it rings. */
	matchedBy: 'call' | 'idempotencyKey';
	/** When its request was sent (epoch ms). */
	sentAtEpochMs: number;
	/** Piopiy's call_id (or request_id), when it answered with one. */
	callId?: string;
}

/** "2026-12-08 01:40:12 UTC, 3 minutes ago": when, for a person and for a model. */
export function whenSent(sentAtEpochMs: number, nowEpochMs: number): string {
	const at = new Date(sentAtEpochMs).toISOString().slice(0, 19).replace('T', ' ');
	const seconds = Math.max(0, Math.round((nowEpochMs - sentAtEpochMs) / 1000));
	const ago = seconds < 90 ? `${seconds} ${seconds === 1 ? 'second' : 'seconds'} ago` : `${Math.round(seconds / 60)} minutes ago`;
	return `${at} UTC, ${ago}`;
}

/** "agent", "pipeline" or "flow": what the call runs, by its endpoint. */
function callKind(path: string): string {
	if (path.includes('/ai/')) return 'the same AI agent';
	if (path.includes('/flow/')) return 'the same flow';
	return 'the same pipeline';
}

/**
 * The refusal of a call that this Piopiy account already placed (or may have, or is placing) from
 * this n8n process within the window, in another execution or earlier in this one. `asTool`: the
 * reader is a model (an AI Agent's or an MCP client's tool call), told what to tell the user.
 */
export function earlierCallRefusal(
	earlier: EarlierCall,
	context: { path: string; windowMin: number; asTool: boolean; nowEpochMs: number },
): { message: string; description: string } {
	const what =
		earlier.matchedBy === 'idempotencyKey'
			? 'a call with the same Idempotency Key'
			: `a call to this number with ${callKind(context.path)}`;
	const when = whenSent(earlier.sentAtEpochMs, context.nowEpochMs);
	const id = earlier.callId ? `, call_id ${earlier.callId}` : '';
	const message =
		earlier.state === 'placed'
			? `Not sent: ${what} was already placed (${when}${id})`
			: earlier.state === 'unknownOutcome'
				? `Not sent: ${what} was sent (${when}) and its outcome is unknown: it may have been placed`
				: `Not sent: ${what} was sent (${when}) by another run and has had no answer yet: it may be placed`;
	const window = `${context.windowMin} ${context.windowMin === 1 ? 'minute' : 'minutes'}`;
	const consequence = `Sending it again within ${window} would ring the same person twice.`;
	if (context.asTool) {
		const told =
			earlier.state === 'placed'
				? `Tell the user the call was already placed${id ? ` (${id.slice(2)})` : ''}; do not call this tool again for this number.`
				: 'Tell the user a call to this number was already started and may have gone through; do not call this tool again for this number.';
		return {
			message: `${message}. ${consequence}`,
			description: `${told} The workflow builder can allow repeats in the node's Request Options ("Allow Repeated Calls After (Minutes)" set to 0, or "Allow Repeated Calls From AI Agent").`,
		};
	}
	const check = earlier.state === 'placed' ? '' : ' Check the Piopiy call log before calling this person again.';
	return {
		message,
		description: `This Piopiy account sent it from this n8n process within the last ${window}. ${consequence}${check} To allow it, set "Allow Repeated Calls After (Minutes)" in the node's Request Options to 0 (or to fewer minutes).`,
	};
}
