import { randomUUID } from 'node:crypto';

import { WAITING_OPERATIONS } from '../support/fixtures';
import { n8n, type ExecuteResult } from './support/runtime';
import { GOOD_CREDENTIAL, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import type { Workflow, WorkflowNode } from './support/workflows';

/**
 * Issue 20: the refusals of the operations that ask and wait (Ask and Wait for Input, Call and Ask),
 * in a real n8n (2.41.1, or 1.123.81 with PIOPIY_N8N_LINE=1), under each On Error setting. Two
 * leads into one of them, or a wait limit of 0: nothing is sent, nothing waits, and no lead passes on
 * as if asked. Stop Workflow fails the execution; the Continue settings output every lead as a failed
 * `notSent` item, on the error output where there is one.
 */

const typePrefix = TYPE_PREFIX.customExtension;
const LEADS = ['+91 98765 43210', '+91 98765 43211'].map((phone) => ({ phone }));
const ON_ERROR = ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'] as const;
type OnError = (typeof ON_ERROR)[number];

type Label = keyof typeof WAITING_OPERATIONS;

interface Case {
	id: string;
	label: Label;
	refusal: 'two leads' | 'a wait limit of 0';
	onError: OnError;
	message: RegExp;
}

const CASES: Case[] = [
	...(Object.keys(WAITING_OPERATIONS) as Label[]).flatMap((label, l) =>
		ON_ERROR.map((onError, o): Case => ({
			id: `E2eWaitRefuse${l}${o}0`,
			label,
			refusal: 'two leads',
			onError,
			message: new RegExp(`^${label} waits for one answer per run, and it received 2 items: nothing was sent`),
		})),
	),
	...ON_ERROR.map((onError, o): Case => ({
		id: `E2eWaitRefuse1${o}1`,
		label: 'Call and Ask',
		refusal: 'a wait limit of 0',
		onError,
		message: /^Wait Limit \(Minutes\) is not valid: received 0/,
	})),
];

function workflowNode(name: string, type: string, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return { id: randomUUID(), name, type, typeVersion: type.includes('code') ? 2 : 1, position: [0, 0], parameters, ...extra };
}

/** Manual Trigger → Leads (Code; two leads, or the first only) → Ask. */
function refusalWorkflow({ id, label, refusal, onError }: Case): Workflow {
	const leads = refusal === 'two leads' ? LEADS : LEADS.slice(0, 1);
	const parameters = { ...WAITING_OPERATIONS[label], ...(refusal === 'a wait limit of 0' ? { waitLimit: 0 } : {}) };
	const ask = workflowNode('Ask', `${typePrefix}piopiy`, parameters, {
		credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
		...(onError === 'stopWorkflow' ? {} : { onError }),
	});
	const nodes = [
		workflowNode('Run', 'n8n-nodes-base.manualTrigger', {}),
		workflowNode('Leads', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(leads.map((json) => ({ json })))};` }),
		ask,
	];
	const connections: Workflow['connections'] = {
		Run: { main: [[{ node: 'Leads', type: 'main', index: 0 }]] },
		Leads: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
	};
	return { id, name: `e2e ${id}`, nodes, connections, active: false, settings: { executionOrder: 'v1' } };
}

let stack: Stack;

beforeAll(async () => {
	stack = await startStack({ name: 'waiting-refusals', install: 'customExtension', workflows: CASES.map(refusalWorkflow) });
}, 300_000);

afterAll(async () => stack?.stop(), 60_000);

beforeEach(() => stack?.piopiy.reset());

const outputOf = (result: ExecuteResult, output = 0) => n8n.nodeOutput(result, 'Ask', { output });

describe(`Refusals of the waiting operations in n8n ${N8N_VERSION}: nothing sent, no lead passed on as asked`, () => {
	it.each(CASES.map((testCase) => [testCase.label, testCase.refusal, testCase.onError, testCase] as const))(
		'%s, %s, On Error %s',
		async (_label, refusal, onError, { id, message }) => {
			const { result } = await stack.execute(id);
			const leads = refusal === 'two leads' ? 2 : 1;
			expect(result.status).not.toBe('waiting');
			if (onError === 'stopWorkflow') {
				expect(result.status).toBe('error');
				expect(result.data.resultData.error?.message).toMatch(message);
				// The node failed: it has no output at all.
				expect(() => outputOf(result)).toThrow(/^node "Ask" failed: /);
			} else {
				const failed = outputOf(result, onError === 'continueErrorOutput' ? 1 : 0);
				expect(failed.map((item) => item.message)).toEqual(Array(leads).fill('notSent'));
				expect(failed.every((item) => message.test(String(item.error)))).toBe(true);
				if (onError === 'continueErrorOutput') expect(outputOf(result, 0)).toEqual([]);
				// On the regular output, not the leads passed on as if asked.
				if (onError === 'continueRegularOutput') expect(failed.some((item) => 'phone' in item)).toBe(false);
			}
			expect(stack.piopiy.requests).toHaveLength(0);
		},
	);
});
