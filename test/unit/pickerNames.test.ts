import type { INodePropertyOptions } from 'n8n-workflow';

import { resources } from '../../nodes/Piopiy/actions/operations';
import { PiopiyTrigger } from '../../nodes/PiopiyTrigger/PiopiyTrigger.node';

/**
 * n8n's node picker lists each operation by its `action` and each trigger event by its option's
 * `action` (or, without one, "On " and the option's name lower-cased: "On call status cdr"). The
 * picker, the Operation list and the README's headings ("Call → Call and Ask") use the same words.
 */

const sentenceCase = (name: string) => name.charAt(0) + name.slice(1).replace(/\b[A-Z][a-z]+\b/g, (word) => word.toLowerCase());

const OPERATIONS = Object.values(resources).flatMap(({ name: resource, operations }) =>
	Object.values(operations).map(({ summary }) => [resource, summary.name, summary.action] as const),
);

test.each(OPERATIONS)('%s → %s is "%s" in the picker: the operation\'s own words, first', (_resource, name, action) => {
	expect(action.startsWith(sentenceCase(name))).toBe(true);
	// Sentence case, as n8n's lint asks of actions: only acronyms (PCMO, AI) keep capitals after the first word.
	expect(action.slice(1)).toBe(action.slice(1).replace(/\b[A-Z][a-z]+\b/g, (word) => word.toLowerCase()));
});

test('the picker names', () => {
	expect(OPERATIONS.map(([resource, , action]) => `${resource}: ${action}`)).toEqual([
		'AI Agent: Call with an AI agent',
		'Call: Make voice call',
		'Call: Make PCMO call',
		'Call: Make flow call',
		'Call: Transfer a call',
		'Call: Hang up a call',
		'Call: Ask and wait for input',
		'Call: Call and ask',
		'Account: Get balance',
	]);
});

test('the trigger events read as a person names them, each with its own picker entry', () => {
	const event = new PiopiyTrigger().description.properties.find((property) => property.name === 'event');
	const options = event?.options as INodePropertyOptions[];
	expect(options.map(({ name, action }) => [name, action])).toEqual([
		['Any Event', 'On any event'],
		['Call Status / CDR', 'On call status or call record (CDR)'],
		['Caller Input', 'On caller input'],
	]);
});
