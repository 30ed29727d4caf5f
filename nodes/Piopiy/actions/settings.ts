import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_RATE_LIMIT_WAIT_SEC,
	DEFAULT_REPEAT_WINDOW_MIN,
	DEFAULT_TIMEOUT_SEC,
	MAX_REPEAT_WINDOW_MIN,
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
	/** As a tool (AI Agent, MCP client): whether the same call may be made again, in one execution and within the repeat window. */
	allowToolRepeats: boolean;
	/** How long a placed call is not placed again (same number and agent, pipeline or flow, or same Idempotency Key); 0: no check. */
	repeatWindowMin: number;
}

export function readExecutionSettings(context: IExecuteFunctions): ExecutionSettings {
	const options = context.getNodeParameter('requestOptions', 0, {}) as IDataObject;
	const concurrency = Math.max(1, Math.floor(positive(options.concurrency, DEFAULT_CONCURRENCY)));
	return {
		concurrency,
		allowToolRepeats: options.allowToolRepeats === true,
		repeatWindowMin: Math.min(MAX_REPEAT_WINDOW_MIN, positive(options.repeatWindowMin, DEFAULT_REPEAT_WINDOW_MIN)),
		timeoutMs: Math.max(1, positive(options.timeoutSec, DEFAULT_TIMEOUT_SEC)) * 1000,
		capPerSecond: positive(options.ratePerSecond, 0),
		retry: {
			...DEFAULT_RETRY_SETTINGS,
			maxWaitMs: positive(options.maxRateLimitWaitSec, DEFAULT_MAX_RATE_LIMIT_WAIT_SEC) * 1000,
		},
		stopSignal: context.getExecutionCancelSignal(),
	};
}
