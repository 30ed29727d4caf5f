import type { IDataObject } from 'n8n-workflow';

import type { RequestEffect } from './effect';

/**
 * The record a node run leaves when it stops part-way (an item failed with "On Error → Stop
 * Workflow"). n8n keeps no output of a node that throws, so without it the calls already placed
 * would vanish from view and a re-run would ring those people again. Pure, so every wording is tested.
 */

/** What became of one input item. */
export type ItemOutcome =
	/** Piopiy accepted it; `id` is the call_id (or request_id) it answered with, when it gave one. */
	| { kind: 'succeeded'; id?: string }
	/** It reached Piopiy or may have, and no clear answer came (timeout, reset, 5xx): it may have acted. */
	| { kind: 'unknownOutcome' }
	/** Piopiy refused it (4xx, 429 past the wait budget, a failure body) or it never left n8n. */
	| { kind: 'refused' }
	/** The node stopped before sending it. */
	| { kind: 'notSent' };

/** The machine-readable name of each outcome; `succeeded` is named by what the request does. */
function outcomeName(kind: ItemOutcome['kind'], effect: RequestEffect): string {
	if (kind !== 'succeeded') return kind;
	return effect === 'placesCall' ? 'placed' : effect === 'changesCall' ? 'applied' : 'done';
}

/** `[0,1,2,5,7,8]` → `"0-2, 5, 7-8"`: 10,000 indexes in a few characters when they run in order. */
export function indexRanges(indexes: number[]): string {
	const parts: string[] = [];
	for (let i = 0; i < indexes.length; i++) {
		const start = indexes[i];
		while (i + 1 < indexes.length && indexes[i + 1] === indexes[i] + 1) i++;
		parts.push(start === indexes[i] ? String(start) : `${start}-${indexes[i]}`);
	}
	return parts.join(', ');
}

/** Piopiy's id for an accepted request: `call_id`, else `request_id`, at the top or under `data`. */
export function replyId(reply: IDataObject): string | undefined {
	const data = (typeof reply.data === 'object' && reply.data !== null ? reply.data : {}) as IDataObject;
	for (const value of [reply.call_id, data.call_id, reply.request_id, data.request_id]) {
		if (typeof value === 'string' && value !== '') return value;
	}
	return undefined;
}

export interface StoppedRunReport {
	message: string;
	/** The counts in words, e.g. "2 calls placed, 1 with unknown outcome, 0 refused, 3 not sent (of 6 items)". */
	summary: string;
	description: string;
	/** For the error's context: input indexes by outcome, as ranges, and the ids of the succeeded ones. */
	record: IDataObject;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * Describes a run that stopped at `failedIndex`. `failure` is that item's own error text; the others
 * that failed while in flight are in the record.
 */
export function describeStoppedRun(
	outcomes: ItemOutcome[],
	failedIndex: number,
	failure: { message: string; description?: string },
	effect: RequestEffect,
): StoppedRunReport {
	const byKind: Record<ItemOutcome['kind'], number[]> = { succeeded: [], unknownOutcome: [], refused: [], notSent: [] };
	const ids: string[] = [];
	outcomes.forEach((outcome, index) => {
		byKind[outcome.kind].push(index);
		if (outcome.kind === 'succeeded') ids.push(outcome.id ?? '');
	});
	const succeeded = outcomeName('succeeded', effect);
	const things = effect === 'placesCall' ? ['call', 'calls'] : ['request', 'requests'];
	const count = (kind: ItemOutcome['kind']) => byKind[kind].length;

	const summary =
		`${plural(count('succeeded'), things[0], things[1])} ${succeeded}, ` +
		`${count('unknownOutcome')} with unknown outcome, ${count('refused')} refused, ` +
		`${count('notSent')} not sent (of ${plural(outcomes.length, 'item', 'items')})`;
	const message = `Stopped at item ${failedIndex}: ${summary}`;

	const line = (kind: ItemOutcome['kind'], label: string, advice: string) =>
		count(kind) > 0
			? `${label} (${count(kind)}): ${count(kind) === 1 ? 'item' : 'items'} ${indexRanges(byKind[kind])}. ${advice}`
			: undefined;
	const mayHaveActed =
		effect === 'placesCall'
			? 'These calls may have been placed: check the Piopiy call log before calling these leads again.'
			: effect === 'changesCall'
				? 'These changes may have been applied: check the calls in the Piopiy dashboard before retrying.'
				: 'These are safe to run again.';
	const description = [
		`Item ${failedIndex} failed: ${failure.message}${failure.description ? ` (${failure.description})` : ''}`,
		'The node started no new items after that and let the requests already in flight finish:',
		line(
			'succeeded',
			succeeded[0].toUpperCase() + succeeded.slice(1),
			effect === 'placesCall' ? 'Do not call these again; their call_ids are in this error\'s context (record.ids).' : 'Done; do not send these again.',
		),
		line('unknownOutcome', 'Unknown outcome', mayHaveActed),
		line('refused', 'Refused', 'Nothing happened for these; they are safe to run again once the cause is fixed.'),
		line('notSent', 'Not sent', 'Safe to run.'),
		'To carry on, run only the refused and not-sent items (see "Re-running a failed campaign" in the node\'s README). Do not retry the whole execution: that would send the succeeded items again.',
	]
		.filter((text): text is string => text !== undefined)
		.join('\n');

	const record: IDataObject = {
		failedItem: failedIndex,
		[succeeded]: indexRanges(byKind.succeeded),
		unknownOutcome: indexRanges(byKind.unknownOutcome),
		refused: indexRanges(byKind.refused),
		notSent: indexRanges(byKind.notSent),
		// In the order of the succeeded indexes, so the list stays compact for 10,000 items.
		ids,
	};
	return { message, summary, description, record };
}
