import { NodeHelpers, type INode } from 'n8n-workflow';

import packageJson from '../../package.json';
import codex from '../../nodes/PiopiyTrigger/PiopiyTrigger.node.json';
import { PiopiyTrigger } from '../../nodes/PiopiyTrigger/PiopiyTrigger.node';
import { eventDurationSec, passesFilters, wantedStatuses } from '../../nodes/PiopiyTrigger/helpers/filters';
import {
	eventsFromBody,
	normalizeEvent,
	parseJsonString,
	queryWithoutSecret,
	redactSecret,
} from '../../nodes/PiopiyTrigger/helpers/payload';
import { requestHasSecret, secretMatches } from '../../nodes/PiopiyTrigger/helpers/secret';

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

	it('redactSecret removes secret= parameters whatever their value, and the secret itself', () => {
		const secret = 'a-long-secret-value';
		const redacted = redactSecret(
			{
				url: 'https://h/webhook/x/piopiy?secret=a-long-secret-value&step=1',
				encoded: `https%3A%2F%2Fh%2Fp%3Fsecret%3D${encodeURIComponent(secret)}`,
				other: 'https://h/p?secret=something-else',
				text: `here: ${secret}.`,
				list: [secret, 3, null],
				client_secret: 'client_secret=kept',
			},
			secret,
		);
		expect(redacted).toEqual({
			url: 'https://h/webhook/x/piopiy?secret=[redacted]&step=1',
			encoded: 'https%3A%2F%2Fh%2Fp%3Fsecret%3D[redacted]',
			other: 'https://h/p?secret=[redacted]',
			text: 'here: [redacted].',
			list: ['[redacted]', 3, null],
			client_secret: 'client_secret=kept',
		});
	});

	it('redactSecret replaces a short secret only where it is the whole value', () => {
		expect(redactSecret({ a: 'abc', b: 'abcdef' }, 'abc')).toEqual({ a: '[redacted]', b: 'abcdef' });
		expect(redactSecret({ a: 'abc' }, '')).toEqual({ a: 'abc' });
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

	it('requires a secret by default, as a required password parameter that starts empty', () => {
		const node = { name: 'Piopiy Trigger', type: 'n8n-nodes-piopiy.piopiyTrigger', typeVersion: 1 } as INode;
		const defaults = NodeHelpers.getNodeParameters(trigger.description.properties, {}, true, false, node, trigger.description);
		expect(defaults).toMatchObject({ event: 'callStatus', authentication: 'secret', secret: '' });

		const secret = trigger.description.properties.find((property) => property.name === 'secret');
		expect(secret).toMatchObject({ type: 'string', required: true, typeOptions: { password: true } });
		// n8n reports a required parameter left empty as an issue on the node.
		const issues = NodeHelpers.getNodeParametersIssues(trigger.description.properties, { ...node, parameters: defaults! }, trigger.description);
		expect(issues?.parameters?.secret).toBeDefined();
	});

	it('is listed in package.json and its codex names the community-package type', () => {
		expect(packageJson.n8n.nodes).toContain('dist/nodes/PiopiyTrigger/PiopiyTrigger.node.js');
		expect(codex.node).toBe('n8n-nodes-piopiy.piopiyTrigger');
	});
});
