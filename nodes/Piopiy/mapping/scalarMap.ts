import { InvalidFieldError } from '../helpers/errors';
import {
	emptyScalarMap,
	parseJsonParameter,
	requireKey,
	requireScalarMap,
	type Scalar,
	type ScalarMap,
} from '../helpers/validate';

/** What `scalarMapField` gives back: one list per value type. */
export interface ScalarMapUi {
	text?: Array<{ name?: unknown; value?: unknown }>;
	number?: Array<{ name?: unknown; value?: unknown }>;
	boolean?: Array<{ name?: unknown; value?: unknown }>;
}

const TYPE_READERS: Record<keyof ScalarMapUi, (field: string, value: unknown) => Scalar> = {
	text(field, value) {
		// An expression in a text field may resolve to a number or boolean; text is what the user chose.
		if (typeof value === 'number' || typeof value === 'boolean') return String(value);
		if (typeof value === 'string') return value;
		throw new InvalidFieldError(field, value, 'text (nested objects, arrays and null are not allowed)');
	},
	number(field, value) {
		const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
		if (typeof number === 'number' && Number.isFinite(number)) return number;
		throw new InvalidFieldError(field, value, 'a number');
	},
	boolean(field, value) {
		if (typeof value === 'boolean') return value;
		if (value === 'true' || value === 'false') return value === 'true';
		throw new InvalidFieldError(field, value, 'true or false');
	},
};

/** Typed name/value rows from the UI → a flat object; duplicate names are refused, not overwritten. */
export function scalarMapFromUi(field: string, ui: ScalarMapUi | undefined): ScalarMap {
	const map = emptyScalarMap();
	for (const type of Object.keys(TYPE_READERS) as Array<keyof ScalarMapUi>) {
		for (const row of ui?.[type] ?? []) {
			const name = requireKey(`${field} name`, typeof row.name === 'string' ? row.name.trim() : row.name);
			if (name in map) {
				throw new InvalidFieldError(`${field} name`, name, 'each name to appear only once');
			}
			map[name] = TYPE_READERS[type](`${field} "${name}"`, row.value);
		}
	}
	return map;
}

/** A JSON object (text or already parsed by an expression) → a flat object of scalars. */
export function scalarMapFromJson(field: string, json: unknown): ScalarMap {
	const parsed = parseJsonParameter(field, json, 'an object such as {"customer_name": "Asha", "amount_due": 1200}');
	if (parsed === undefined) return {};
	return requireScalarMap(field, parsed);
}
