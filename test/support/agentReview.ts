import {
	NodeConnectionTypes,
	type EngineRequest,
	type EngineResponse,
	type IExecuteFunctions,
	type IConnections,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IWebhookFunctions,
	type IRun,
} from 'n8n-workflow';

import { Piopiy } from '../../nodes/Piopiy/Piopiy.node.js';
import { registerNodeType } from './engine';

/**
 * The Piopiy node as an AI Agent's human review, in n8n-core's real engine, the way n8n 2.x runs it:
 * - `piopiyHitlTool` is the node type n8n's server derives from a node with a `sendAndWait` operation
 *   (convertNodeToHitlTool in n8n's cli: same execute and webhook, the output rewired to `ai_tool`);
 * - "Agent" stands for the AI Agent: its first run asks the engine to run the review node for one
 *   tool call (an EngineRequest, as the agent does); when the engine runs it again with the review's
 *   result, it outputs the item n8n's agent reads its decision from (`approved`, `chatInput`:
 *   processHitlResponses in @n8n/n8n-nodes-langchain), untouched, as `review`.
 */

export const PIOPIY_REVIEW_TYPE = 'n8n-nodes-piopiy.piopiyHitlTool';
const AGENT_TYPE = 'test.agent';
export const AGENT_NAME = 'Agent';
export const TOOL_CALL_ID = 'call_refund_1';

class PiopiyReview implements INodeType {
	private readonly piopiy = new Piopiy();
	description = { ...this.piopiy.description, name: 'piopiyHitlTool', inputs: [NodeConnectionTypes.AiTool], outputs: [NodeConnectionTypes.AiTool] };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await new Piopiy().execute.call(this);
	}

	async webhook(this: IWebhookFunctions) {
		return await new Piopiy().webhook.call(this);
	}
}

class FakeAgent implements INodeType {
	description = {
		displayName: 'Agent',
		name: 'agent',
		group: ['transform'],
		version: 1,
		description: 'Asks for one reviewed tool call',
		defaults: { name: AGENT_NAME },
		inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions, response?: EngineResponse): Promise<INodeExecutionData[][] | EngineRequest> {
		const [answer] = response?.actionResponses ?? [];
		if (!answer) {
			return {
				actions: [
					{
						actionType: 'ExecutionNodeAction',
						nodeName: 'Piopiy',
						input: { tool: 'refund', amount: 120 },
						type: NodeConnectionTypes.AiTool,
						id: TOOL_CALL_ID,
						metadata: { itemIndex: 0 },
					},
				],
				metadata: {},
			};
		}
		return [[{ json: { review: answer.data?.data?.ai_tool?.[0]?.[0]?.json ?? null } }]];
	}
}

registerNodeType(PIOPIY_REVIEW_TYPE, new PiopiyReview());
registerNodeType(AGENT_TYPE, new FakeAgent());

/**
 * Test Items → Agent, with Piopiy (as the review type) connected to the agent as its tool, in a
 * workflow whose Execution Order is `v1` (n8n's default for new workflows) or, with `legacy`, has
 * none (an older workflow: n8n then runs it in the legacy "v0" order).
 */
export const agentReviewShape = (source: INode, piopiy: INode) => agentReviewWorkflow(source, piopiy, false);
export const legacyAgentReviewShape = (source: INode, piopiy: INode) => agentReviewWorkflow(source, piopiy, true);

function agentReviewWorkflow(source: INode, piopiy: INode, legacy: boolean) {
	const agent: INode = { id: 'agent', name: AGENT_NAME, type: AGENT_TYPE, typeVersion: 1, position: [200, 200], parameters: {} };
	return {
		nodes: [source, agent, piopiy],
		connections: <IConnections>{
			[source.name]: { main: [[{ node: AGENT_NAME, type: NodeConnectionTypes.Main, index: 0 }]] },
			[piopiy.name]: { [NodeConnectionTypes.AiTool]: [[{ node: AGENT_NAME, type: NodeConnectionTypes.AiTool, index: 0 }]] },
		},
		settings: legacy ? {} : { executionOrder: 'v1' as const },
	};
}

/** What the agent read from the review (null when the run has not come back to the agent). */
export function reviewTheAgentRead(run: IRun): Record<string, unknown> | null {
	const runs = run.data.resultData.runData[AGENT_NAME] ?? [];
	const item = runs[runs.length - 1]?.data?.main?.[0]?.[0];
	return (item?.json.review as Record<string, unknown> | undefined) ?? null;
}
