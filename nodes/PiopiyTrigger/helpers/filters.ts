import type { IDataObject } from 'n8n-workflow';

/** The "Filters" collection of the node, as n8n hands it over. */
export interface TriggerFilters {
	statuses?: string[];
	/** Comma-separated statuses not in the list, e.g. `no_answer, cancelled`. */
	otherStatuses?: string;
	/** Seconds; 0 or unset means no minimum. */
	minDuration?: number;
}

/** Fields that carry the call's length in seconds, in order of preference. */
export const DURATION_FIELDS = ['duration', 'answeredsec'] as const;

/** The statuses an event may have to pass, lower case; empty means any status passes. */
export function wantedStatuses(filters: TriggerFilters): Set<string> {
	const listed = Array.isArray(filters.statuses) ? filters.statuses : [];
	const typed = typeof filters.otherStatuses === 'string' ? filters.otherStatuses.split(',') : [];
	return new Set(
		[...listed, ...typed].map((status) => String(status).trim().toLowerCase()).filter((status) => status !== ''),
	);
}

/** The event's `status`, lower case, or undefined when it has none. */
export function eventStatus(event: IDataObject): string | undefined {
	const status = event.status;
	if (typeof status !== 'string' || status.trim() === '') return undefined;
	return status.trim().toLowerCase();
}

/** The call's length in seconds (`duration`, else `answeredsec`); form bodies send it as text. */
export function eventDurationSec(event: IDataObject): number | undefined {
	for (const field of DURATION_FIELDS) {
		const value = event[field];
		const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
		if (typeof seconds === 'number' && Number.isFinite(seconds)) return seconds;
	}
	return undefined;
}

/**
 * Whether an event passes the filters. A filter that is set must be met positively: an event with
 * no status does not pass a status filter, and one with no duration does not pass a minimum duration.
 */
export function passesFilters(event: IDataObject, filters: TriggerFilters): boolean {
	const statuses = wantedStatuses(filters);
	if (statuses.size > 0) {
		const status = eventStatus(event);
		if (status === undefined || !statuses.has(status)) return false;
	}
	const minDuration = Number(filters.minDuration ?? 0);
	if (Number.isFinite(minDuration) && minDuration > 0) {
		const duration = eventDurationSec(event);
		if (duration === undefined || duration < minDuration) return false;
	}
	return true;
}
