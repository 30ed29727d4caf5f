import { aiAgentCall } from './aiAgent/call.operation';
import type { PiopiyOperation } from './types';

/** Every operation by resource and operation value, as the router dispatches them. */
export const operations: Record<string, Record<string, PiopiyOperation>> = {
	aiAgent: { call: aiAgentCall },
};
