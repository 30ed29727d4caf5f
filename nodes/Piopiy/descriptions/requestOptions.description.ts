import type { INodeProperties } from 'n8n-workflow';

export const DEFAULT_CONCURRENCY = 5;
export const DEFAULT_TIMEOUT_SEC = 30;
export const DEFAULT_MAX_RATE_LIMIT_WAIT_SEC = 120;
/** Why 10: docs/repeated-calls.md. */
export const DEFAULT_REPEAT_WINDOW_MIN = 10;
/** The longest window the setting accepts (a day). */
export const MAX_REPEAT_WINDOW_MIN = 1440;

/** How requests are sent, for every operation: concurrency, rate, timeout, how long 429s are waited out. */
export const requestOptionsField: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Allow Repeated Calls After (Minutes)',
			name: 'repeatWindowMin',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_REPEAT_WINDOW_MIN },
			default: DEFAULT_REPEAT_WINDOW_MIN,
			description:
				'A call this Piopiy account placed from this n8n instance (the same number with the same agent, pipeline or flow, or the same Idempotency Key) is not placed again for this many minutes, by any execution: a form sent twice, an MCP client repeating its tool call, a stopped campaign run again. The item comes out "notSent" and says when the earlier call was placed. A call whose outcome was unknown counts as placed. 0 turns the check off. Each queue-mode worker remembers only its own calls.',
		},
		{
			displayName: 'Allow Repeated Calls From AI Agent',
			name: 'allowToolRepeats',
			type: 'boolean',
			default: false,
			description:
				'Whether an AI Agent (or an MCP client) using this node as a tool may make the same call again: in one execution, and within "Allow Repeated Calls After (Minutes)". Off: a repeat is refused and the model is told the call was already made, so a model that asks twice does not ring a person twice.',
		},
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.submissionId }}',
			description:
				'An ID of what asked for this call, when you have one (a form submission, a CRM task). A call with the same key is not placed again within "Allow Repeated Calls After (Minutes)", whatever else changed (another number, other variables).',
		},
		{
			displayName: 'Max Concurrent Requests',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: DEFAULT_CONCURRENCY,
			description:
				'How many items are sent to Piopiy at the same time. Output order always equals input order.',
		},
		{
			displayName: 'Max Rate-Limit Wait (Seconds)',
			name: 'maxRateLimitWaitSec',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: DEFAULT_MAX_RATE_LIMIT_WAIT_SEC,
			description:
				"When Piopiy answers 429 (too many requests), how long after an item's first attempt it may still be sent again; then it fails. A 429 places no call, so waiting and sending again is safe.",
		},
		{
			displayName: 'Max Requests per Second',
			name: 'ratePerSecond',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 0,
			description: 'Cap on how many requests start per second across all items; 0 means no cap',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSec',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 600 },
			default: DEFAULT_TIMEOUT_SEC,
			description:
				'How long to wait for Piopiy to answer one request. A call request that times out is not sent again, because it may have been placed.',
		},
	],
};
