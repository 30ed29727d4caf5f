import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_RATE_LIMIT_WAIT_SEC,
	DEFAULT_TIMEOUT_SEC,
} from '../descriptions/requestOptions.description';
import type { TransportSettings } from '../transport/request';
import { DEFAULT_RETRY_SETTINGS } from '../transport/retryPolicy';

function positive(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The node's Request Options, read once per execution (they apply to all items together). */
export interface ExecutionSettings extends Omit<TransportSettings, 'rateLimiter'> {
	concurrency: number;
	/** Max Requests per Second, for this execution's own requests; 0 for none. */
	capPerSecond: number;
	/** As an AI Agent's tool: whether the same call may be made twice in one execution. */
	allowToolRepeats: boolean;
}

export function readExecutionSettings(context: IExecuteFunctions): ExecutionSettings {
	const options = context.getNodeParameter('requestOptions', 0, {}) as IDataObject;
	const concurrency = Math.max(1, Math.floor(positive(options.concurrency, DEFAULT_CONCURRENCY)));
	return {
		concurrency,
		allowToolRepeats: options.allowToolRepeats === true,
		timeoutMs: Math.max(1, positive(options.timeoutSec, DEFAULT_TIMEOUT_SEC)) * 1000,
		capPerSecond: positive(options.ratePerSecond, 0),
		retry: {
			...DEFAULT_RETRY_SETTINGS,
			maxWaitMs: positive(options.maxRateLimitWaitSec, DEFAULT_MAX_RATE_LIMIT_WAIT_SEC) * 1000,
		},
		stopSignal: context.getExecutionCancelSignal(),
	};
}
