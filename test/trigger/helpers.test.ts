import { NodeHelpers, type INode } from 'n8n-workflow';

import packageJson from '../../package.json';
import codex from '../../nodes/PiopiyTrigger/PiopiyTrigger.node.json';
import { PiopiyTrigger } from '../../nodes/PiopiyTrigger/PiopiyTrigger.node';
import { eventDurationSec, passesFilters, wantedStatuses } from '../../nodes/PiopiyTrigger/helpers/filters';
import { eventsFromBody, normalizeEvent, parseJsonString, queryWithoutSecret } from '../../nodes/PiopiyTrigger/helpers/payload';
import { requestHasSecret, secretMatches, secretProblem } from '../../nodes/PiopiyTrigger/helpers/secret';
import { redactSecretsInData } from '../../nodes/shared/redact';

describe('secretMatches', () => {
	it('matches only the same text', () => {
		expect(secretMatches('s3cret-value', 's3cret-value')).toBe(true);
		expect(secretMatches('s3cret-valuE', 's3cret-value')).toBe(false);
		expect(secretMatches('s3cret', 's3cret-value')).toBe(false);
		expect(secretMatches('s3cret-value-and-more', 's3cret-value')).toBe(false);
	});

	it('never matches when no secret is expected, so an unset secret is not "open"', () => {
		expect(secretMatches('', '')).toBe(false);
		expect(secretMatches('anything', '')).toBe(false);
	});

	it('refuses values that are not a single string', () => {
		expect(secretMatches(undefined, 'x')).toBe(false);
		expect(secretMatches(['x', 'x'], 'x')).toBe(false);
		expect(secretMatches(1, '1')).toBe(false);
	});

	it('compares SHA-256 digests with timingSafeEqual, so different lengths do not throw', () => {
		expect(() => secretMatches('a'.repeat(1000), 'b')).not.toThrow();
	});
});

describe('requestHasSecret', () => {
	it('looks in the secret query parameter and the lower-cased x-piopiy-secret header', () => {
		expect(requestHasSecret({ secret: 'k' }, {}, 'k')).toBe(true);
		expect(requestHasSecret({}, { 'x-piopiy-secret': 'k' }, 'k')).toBe(true);
		expect(requestHasSecret({ Secret: 'k' }, { authorization: 'k' }, 'k')).toBe(false);
		expect(requestHasSecret({ secret: ['k', 'k'] }, {}, 'k')).toBe(false);
	});
});

describe('payload helpers', () => {
	it('parseJsonString parses JSON objects and arrays only', () => {
		expect(parseJsonString(' {"a":1} ')).toEqual({ a: 1 });
		expect(parseJsonString('[1,2]')).toEqual([1, 2]);
		expect(parseJsonString('1')).toBe('1');
		expect(parseJsonString('null')).toBe('null');
		expect(parseJsonString('{oops')).toBe('{oops');
		expect(parseJsonString(7)).toBe(7);
	});

	it('eventsFromBody handles objects, arrays, text and nothing', () => {
		expect(eventsFromBody({ a: 1 })).toEqual([{ a: 1 }]);
		expect(eventsFromBody([{ a: 1 }, 'x'])).toEqual([{ a: 1 }, { value: 'x' }]);
		expect(eventsFromBody('{"a":1}')).toEqual([{ a: 1 }]);
		expect(eventsFromBody('hello')).toEqual([{ body: 'hello' }]);
		expect(eventsFromBody('')).toEqual([{}]);
		expect(eventsFromBody(undefined)).toEqual([{}]);
	});

	it('normalizeEvent parses extra_params and custom and leaves the rest alone', () => {
		const event = { extra_params: '{"x":"1"}', custom: 'plain', other: '{"y":2}' };
		expect(normalizeEvent(event)).toEqual({ extra_params: { x: '1' }, custom: 'plain', other: '{"y":2}' });
		expect(event.extra_params).toBe('{"x":"1"}');
	});

	it('queryWithoutSecret drops the secret in any case', () => {
		expect(queryWithoutSecret({ secret: 'k', SECRET: 'k', step: 'menu' })).toEqual({ step: 'menu' });
		expect(queryWithoutSecret(undefined)).toEqual({});
	});

	it('the redaction removes secret= parameters whatever their value, and the secret itself', () => {
		const secret = 'a-long-secret-value';
		const redacted = redactSecretsInData(
			{
				url: 'https://h/webhook/x/piopiy?secret=a-long-secret-value&step=1',
				encoded: `https%3A%2F%2Fh%2Fp%3Fsecret%3D${encodeURIComponent(secret)}`,
				other: 'https://h/p?secret=something-else',
				text: `here: ${secret}.`,
				list: [secret, 3, null],
				client_secret: 'client_secret=kept',
				headers: { 'x-piopiy-secret': 'whatever it holds' },
			},
			[secret],
		);
		expect(redacted).toEqual({
			url: 'https://h/webhook/x/piopiy?secret=[redacted]&step=1',
			encoded: 'https%3A%2F%2Fh%2Fp%3Fsecret%3D[redacted]',
			other: 'https://h/p?secret=[redacted]',
			text: 'here: [redacted].',
			list: ['[redacted]', 3, null],
			client_secret: 'client_secret=kept',
			headers: { 'x-piopiy-secret': '[redacted]' },
		});
	});

	it('the redaction replaces a short string only where it is the whole value: a phone number that contains it is untouched', () => {
		// Before issue 16 the trigger replaced any copy of a secret of 6 or more characters: 91[redacted]3210.
		const payload = { from: '919876543210', to: '918045678900', cmiuuid: '15b58236-7349-8765-a5e8-987654284068', pin: '987654' };
		expect(redactSecretsInData(payload, ['987654'])).toEqual({ ...payload, pin: '[redacted]' });
		expect(redactSecretsInData({ a: 'abc' }, [''])).toEqual({ a: 'abc' });
	});

	it('secretProblem: a secret must be set and at least 16 characters long', () => {
		expect(secretProblem('', 'in the node')).toBe('no secret is set in the node');
		expect(secretProblem('987654321098765', 'in the node')).toBe('the secret set in the node is shorter than 16 characters');
		expect(secretProblem('9876543210987654', 'in the node')).toBeUndefined();
	});
});

describe('filter helpers', () => {
	it('wantedStatuses joins the list and the typed statuses, lower case', () => {
		expect([...wantedStatuses({ statuses: ['answered'], otherStatuses: ' No_Answer , ,busy' })]).toEqual([
			'answered',
			'no_answer',
			'busy',
		]);
		expect(wantedStatuses({}).size).toBe(0);
	});

	it('eventDurationSec prefers duration, then answeredsec', () => {
		expect(eventDurationSec({ duration: '12', answeredsec: 99 })).toBe(12);
		expect(eventDurationSec({ answeredsec: 99 })).toBe(99);
		expect(eventDurationSec({ duration: '' })).toBeUndefined();
	});

	it('passesFilters lets everything through when no filter is set', () => {
		expect(passesFilters({}, {})).toBe(true);
		expect(passesFilters({}, { statuses: [], otherStatuses: '', minDuration: 0 })).toBe(true);
	});
});

describe('node description', () => {
	const trigger = new PiopiyTrigger();

	it('is a POST webhook trigger that answers at once', () => {
		expect(trigger.description.name).toBe('piopiyTrigger');
		expect(trigger.description.group).toEqual(['trigger']);
		expect(trigger.description.inputs).toEqual([]);
		expect(trigger.description.webhooks).toEqual([
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'piopiy' },
		]);
	});

	const nodeOf = (typeVersion: number) => ({ name: 'Piopiy Trigger', type: 'n8n-nodes-piopiy.piopiyTrigger', typeVersion }) as INode;
	const parametersOf = (node: INode, parameters = {}) =>
		NodeHelpers.getNodeParameters(trigger.description.properties, parameters, true, false, node, trigger.description)!;

	it('is at version 1.1, which requires a Piopiy Webhook API credential by default and has no secret parameter', () => {
		expect(trigger.description.version).toEqual([1, 1.1]);
		expect(trigger.description.defaultVersion).toBe(1.1);
		const node = nodeOf(1.1);
		const defaults = parametersOf(node);
		expect(defaults).toMatchObject({ event: 'callStatus', authentication: 'credential' });
		expect(defaults).not.toHaveProperty('secret');
		const credential = trigger.description.credentials?.find((entry) => entry.name === 'piopiyWebhookApi');
		expect(credential).toMatchObject({ required: true, testedBy: 'piopiyWebhookSecretLength' });
		expect(NodeHelpers.displayParameter(defaults, credential!, node, trigger.description)).toBe(true);
		// Version 1.1 offers no secret typed into the node.
		const authentication = trigger.description.properties.filter((property) => property.name === 'authentication');
		const shown = authentication.find((property) => NodeHelpers.displayParameter(defaults, property, node, trigger.description));
		expect(shown?.options?.map((option) => (option as { value: string }).value)).toEqual(['none', 'credential']);
	});

	it('version 1, as existing workflows store it (the secret in the node, or left out as the default), keeps the secret parameter', () => {
		const node = nodeOf(1);
		// An existing workflow's JSON leaves default values out: {secret} alone means Authentication "secret".
		const stored = parametersOf(node, { secret: 'k'.repeat(32) });
		expect(stored).toMatchObject({ event: 'callStatus', authentication: 'secret', secret: 'k'.repeat(32) });
		const credential = trigger.description.credentials!.find((entry) => entry.name === 'piopiyWebhookApi')!;
		expect(NodeHelpers.displayParameter(stored, credential, node, trigger.description)).toBe(false);

		const secret = trigger.description.properties.find((property) => property.name === 'secret');
		expect(secret).toMatchObject({ type: 'string', required: true, typeOptions: { password: true } });
		// n8n reports the required parameter left empty as an issue on the node.
		const defaults = parametersOf(node);
		const issues = NodeHelpers.getNodeParametersIssues(trigger.description.properties, { ...node, parameters: defaults }, trigger.description);
		expect(issues?.parameters?.secret).toBeDefined();
		// ...and can move to the credential without changing its version.
		const moved = parametersOf(node, { authentication: 'credential' });
		expect(moved).not.toHaveProperty('secret');
		expect(NodeHelpers.displayParameter(moved, credential, node, trigger.description)).toBe(true);
	});

	it('its credential test checks the length of the secret, which is all that can be checked', async () => {
		const test = trigger.methods.credentialTest.piopiyWebhookSecretLength;
		const run = async (secret: unknown) =>
			await test.call({} as never, { id: '1', name: 'Piopiy webhook', type: 'piopiyWebhookApi', data: { secret } as never });
		expect(await run('f3c1b2a4d5e6f708192a3b4c5d6e7f80')).toEqual({ status: 'OK', message: 'The secret is long enough' });
		expect(await run('  short-secret  ')).toEqual({
			status: 'Error',
			message: 'Not usable: the secret set in this credential is shorter than 16 characters. Use a long random secret, e.g. the output of openssl rand -hex 32.',
		});
		expect((await run(undefined)).message).toMatch(/^Not usable: no secret is set in this credential\./);
	});

	it('is listed in package.json with its credential, and its codex names the community-package type', () => {
		expect(packageJson.n8n.nodes).toContain('dist/nodes/PiopiyTrigger/PiopiyTrigger.node.js');
		expect(packageJson.n8n.credentials).toContain('dist/credentials/PiopiyWebhookApi.credentials.js');
		expect(codex.node).toBe('n8n-nodes-piopiy.piopiyTrigger');
	});
});
