import type { ScalarMap } from '../helpers/validate';
import { scalarMapFromJson, scalarMapFromUi, type ScalarMapUi } from './scalarMap';

export interface VariablesUi {
	variablesInput?: unknown;
	variables?: ScalarMapUi;
	variablesJson?: unknown;
}

/** `variables` for the request body, or undefined when the user gave none. */
export function buildVariables(ui: VariablesUi): ScalarMap | undefined {
	const variables =
		ui.variablesInput === 'json'
			? scalarMapFromJson('Variables (JSON)', ui.variablesJson)
			: scalarMapFromUi('Variables', ui.variables);
	return Object.keys(variables).length > 0 ? variables : undefined;
}
