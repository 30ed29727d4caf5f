import type { IDataObject } from 'n8n-workflow';

import { InvalidFieldError } from '../helpers/errors';
import { requireText, requireUuid } from '../helpers/validate';
import type { PiopiyRequest } from '../transport/types';
import { buildPipeline, pipelineBody, type PipelineUi } from './pipeline';

/** Requests that act on a live call: transfer (run a pipeline on it) and hang up. */

export interface TransferUi extends PipelineUi {
	callId: unknown;
}

export function buildTransferRequest(ui: TransferUi): PiopiyRequest {
	const body: IDataObject = { call_id: requireUuid('Call ID', ui.callId), pipeline: pipelineBody(buildPipeline(ui)) };
	// Repeating a transfer would run its pipeline twice on the live call.
	return { api: 'voice', path: '/voice/pcmo/transfer', body, effect: 'changesCall' };
}

export const OTHER_CAUSE = 'other';
/** SIP/Q.850 cause names as Piopiy spells them: upper case, digits and underscores, 1 to 64 characters. */
const CAUSE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
const CAUSE_EXPECTATION =
	'a SIP cause name of 1 to 64 letters, digits and underscores that starts with a letter, e.g. NORMAL_CLEARING or USER_BUSY (lower case, spaces and hyphens are accepted: "user busy" is sent as USER_BUSY)';

/**
 * `user_busy`, ` User Busy `, `user-busy` → `USER_BUSY`: a cause that differs from Piopiy's spelling
 * only in form is repaired, as phone numbers are; anything else is refused.
 */
export function normalizeCause(field: string, value: unknown): string {
	const repaired = typeof value === 'string' ? value.trim().toUpperCase().replace(/[\s-]+/g, '_') : value;
	if (typeof repaired !== 'string' || !CAUSE_PATTERN.test(repaired)) throw new InvalidFieldError(field, value, CAUSE_EXPECTATION);
	return repaired;
}

export interface HangupUi {
	callId: unknown;
	cause?: unknown;
	customCause?: unknown;
	reason?: unknown;
}

export function buildHangupRequest(ui: HangupUi): PiopiyRequest {
	const body: IDataObject = { call_id: requireUuid('Call ID', ui.callId) };
	const custom = ui.cause === OTHER_CAUSE;
	body.cause = normalizeCause(custom ? 'Custom Cause' : 'Cause', custom ? ui.customCause : (ui.cause ?? 'NORMAL_CLEARING'));
	if (ui.reason !== undefined && ui.reason !== '') body.reason = requireText('Reason', ui.reason, 256);
	// Hanging up a call twice ends it once: safe to repeat.
	return { api: 'voice', path: '/voice/call/hangup', body, effect: 'repeatable' };
}
