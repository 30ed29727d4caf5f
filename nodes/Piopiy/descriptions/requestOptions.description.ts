import type { INodeProperties } from 'n8n-workflow';

export const DEFAULT_CONCURRENCY = 5;
export const DEFAULT_TIMEOUT_SEC = 30;
export const DEFAULT_MAX_RATE_LIMIT_WAIT_SEC = 120;

/** How requests are sent, for every operation: concurrency, rate, timeout, how long 429s are waited out. */
export const requestOptionsField: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Allow Repeated Calls From AI Agent',
			name: 'allowToolRepeats',
			type: 'boolean',
			default: false,
			description:
				"Whether an AI Agent using this node as a tool may make the same call again in one execution (the same number with the same agent, pipeline or flow). Off: a repeat is refused and the agent is told the call was already made, so a model that asks twice does not ring a person twice.",
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
