import { NodeHelpers, type IDataObject, type INode, type INodeParameters } from 'n8n-workflow';

import { resources } from '../../nodes/Piopiy/actions/operations';
// '.js' so that the codex file Piopiy.node.json is not taken for the module.
import { Piopiy } from '../../nodes/Piopiy/Piopiy.node.js';
import { runPiopiyNode } from '../support/engine';
import { AGENT_ID, CALL_ID } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/**
 * Every operation as a new user meets it: the node added fresh (every parameter at the default the
 * node's description gives, as n8n's editor fills them), then only the fields n8n's editor marks as
 * required filled in (n8n's own check, `getNodeParametersIssues`, says which), then run in n8n's
 * engine against the Piopiy stand-in. Each either sends a request the contract accepts, or sends
 * nothing and names the field that is missing.
 */

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const description = new Piopiy().description;

/** What a user types into a required field: a valid value for each, by the field's name. */
const TYPED: Record<string, string> = {
	callerId: '+91 80 4567 8900',
	toNumber: '+91 98765 43210',
	connectTo: '+91 98765 11111',
	agentId: AGENT_ID,
	callId: CALL_ID,
	flowId: '6a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
	orgId: '7b2d3c4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e',
	message: 'Your refund of 120 euros is ready to be sent.',
	promptFileName: 'https://example.com/audio/question.mp3',
	promptLanguage: 'en-IN',
	promptVoiceId: 'anika',
};

function nodeWith(parameters: INodeParameters): INode {
	return { id: 'piopiy', name: 'Piopiy', type: 'n8n-nodes-piopiy.piopiy', typeVersion: 1, position: [0, 0], parameters };
}

/** The node's parameters as n8n's editor fills them for a fresh node of this operation. */
function defaultsOf(resource: string, operation: string): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, { resource, operation }, true, false, null, description) as INodeParameters;
}

/** The fields n8n's editor marks as required and empty, by parameter name. */
function requiredEmpty(parameters: INodeParameters): string[] {
	return Object.keys(NodeHelpers.getNodeParametersIssues(description.properties, nodeWith(parameters), description)?.parameters ?? {});
}

/** The parameters of a fresh node, with only its required fields filled in. */
function freshWithRequiredFilled(resource: string, operation: string): { parameters: INodeParameters; filled: string[] } {
	const parameters = defaultsOf(resource, operation);
	const filled = requiredEmpty(parameters);
	for (const name of filled) {
		if (TYPED[name] === undefined) throw new Error(`no value to type into the required field "${name}": add one to TYPED`);
		parameters[name] = TYPED[name];
	}
	// Filling a field may show another (displayOptions): n8n would mark that one too.
	expect(requiredEmpty(parameters)).toEqual([]);
	return { parameters, filled };
}

/**
 * What each operation does with only its required fields: it sends, or it names the field still
 * missing. Transfer and PCMO Call start with an empty pipeline builder, which n8n cannot mark (a list
 * of actions has no "required"): the node names it before sending.
 */
const EXPECTED: Record<string, { sends: true } | { names: RegExp }> = {
	'aiAgent/call': { sends: true },
	'call/voiceCall': { sends: true },
	'call/pcmoCall': { names: /^Pipeline in item 0 is not valid: received \[\]$/ },
	'call/flowCall': { sends: true },
	'call/transfer': { names: /^Pipeline in item 0 is not valid: received \[\]$/ },
	'call/hangup': { sends: true },
	'call/askAndWait': { sends: true },
	'call/sendAndWait': { sends: true },
	'account/getBalance': { sends: true },
};

const OPERATIONS = Object.entries(resources).flatMap(([resource, { operations }]) =>
	Object.keys(operations).map((operation) => [`${resource}/${operation}`, resource, operation] as const),
);

test('every operation of the registry has an expectation here', () => {
	expect(OPERATIONS.map(([key]) => key).sort()).toEqual(Object.keys(EXPECTED).sort());
});

describe.each(OPERATIONS)('%s from the editor defaults', (key, resource, operation) => {
	test('only the required fields filled: a valid request, or the missing field named and nothing sent', async () => {
		const { parameters } = freshWithRequiredFilled(resource, operation);
		const { error, items, run } = await runPiopiyNode({
			parameters: parameters as IDataObject,
			credentials: server.credentials(),
			executionId: '4712',
		});
		const expected = EXPECTED[key];
		if ('sends' in expected) {
			expect(error).toBeUndefined();
			expect(server.requests).toHaveLength(1);
			expect(server.requests[0].violations).toEqual([]);
			expect(server.requests[0].status).toBe(200);
			expect(items).toHaveLength(1);
			// The waiting operations then wait for the answer; the others are done.
			expect(run.waitTill !== undefined).toBe(resources[resource].operations[operation].waitsForAnswer === true);
		} else {
			expect(server.requests).toHaveLength(0);
			expect(items).toEqual([]);
			expect(error?.message).toMatch(expected.names);
			expect(error?.description).toMatch(/Nothing was sent/);
		}
	});
});

describe('the spoken question of Call and Ask and Ask and Wait', () => {
	test('Language and Voice ID are required as soon as text to speech is chosen', () => {
		const ask = { ...defaultsOf('call', 'askAndWait'), promptType: 'say' };
		expect(requiredEmpty(ask)).toEqual(expect.arrayContaining(['promptText', 'promptLanguage', 'promptVoiceId']));
		expect(requiredEmpty(defaultsOf('call', 'sendAndWait'))).toEqual(expect.arrayContaining(['promptLanguage', 'promptVoiceId']));
	});

	test.each([
		['Call and Ask', 'promptLanguage', 'sendAndWait', /^Call and Ask → Language in item 0 is not valid: received \(empty\)$/],
		['Call and Ask', 'promptVoiceId', 'sendAndWait', /^Call and Ask → Voice ID in item 0 is not valid: received \(empty\)$/],
		['Call and Ask', 'message', 'sendAndWait', /^Call and Ask → Message in item 0 is not valid: received \(empty\)$/],
		['Ask and Wait', 'promptFileName', 'askAndWait', /^Ask and Wait for Input → Prompt File Name or URL in item 0 is not valid: received \(empty\)$/],
	])('%s → %s: an expression that comes out empty is named as the editor shows the field', async (_name, field, operation, message) => {
		const { parameters } = freshWithRequiredFilled('call', operation);
		// An empty field n8n refuses itself; an expression can still come out empty when the node runs.
		parameters[field] = '={{ $json.nothing ?? "" }}';
		const { error } = await runPiopiyNode({ parameters: parameters as IDataObject, credentials: server.credentials(), executionId: '4713' });
		expect(server.requests).toHaveLength(0);
		expect(error?.message).toMatch(message);
		expect(error?.message).not.toMatch(/Pipeline|play_get_input/);
	});

	test('an empty Language, typed in: n8n refuses to run the workflow and names the field', async () => {
		const { parameters } = freshWithRequiredFilled('call', 'sendAndWait');
		parameters.promptLanguage = '';
		await expect(runPiopiyNode({ parameters: parameters as IDataObject, credentials: server.credentials(), executionId: '4714' })).rejects.toThrow(
			'Parameter "Language" is required',
		);
		expect(server.requests).toHaveLength(0);
	});
});
