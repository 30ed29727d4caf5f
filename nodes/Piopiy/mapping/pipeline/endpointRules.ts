import { InvalidFieldError } from '../../helpers/errors';
import { MAX_AGENT_ENDPOINTS, type Endpoint } from './types';

/**
 * The rules between the endpoints of one connect that Piopiy's schema cannot say (docs/piopiy-api.md, "Rules
 * beyond the schema"): at most two AI agents (a primary and a backup), a backup that differs from the
 * primary, and the agents after every phone number and SIP URI.
 */
export function checkEndpointRules(endpoints: Endpoint[], label: string): void {
	const agentIds: string[] = [];
	endpoints.forEach((endpoint, index) => {
		const field = `${label} → Endpoint ${index + 1}`;
		if (endpoint.type === 'agent') {
			if (agentIds.length === MAX_AGENT_ENDPOINTS) {
				throw new InvalidFieldError(
					field,
					endpoint,
					`at most ${MAX_AGENT_ENDPOINTS} AI agent endpoints in one connect (a primary and a backup agent)`,
				);
			}
			if (agentIds.includes(endpoint.id!.toLowerCase())) {
				throw new InvalidFieldError(field, endpoint, 'a backup agent that differs from the agent before it');
			}
			agentIds.push(endpoint.id!.toLowerCase());
		} else if (agentIds.length > 0) {
			throw new InvalidFieldError(
				field,
				endpoint,
				'every phone number and SIP endpoint to come before the AI agent endpoints: move the agents to the end',
			);
		}
	});
}
