import { attempt, InvalidFieldError } from '../../helpers/errors';
import {
	emptyScalarMap,
	normalizePhone,
	requireBoolean,
	requireHttpUrl,
	requireInteger,
	requireNumber,
	requireOneOf,
	requireScalar,
	requireText,
	requireUuid,
	type ScalarMap,
} from '../../helpers/validate';
import { actionTypeOptions } from '../../descriptions/pipeline.description';
import { buildConnectParams } from '../options';
import { scalarMapFromUi, type ScalarMapUi } from '../scalarMap';
import { checkEndpointRules } from './endpointRules';
import {
	ACTION_NAMES,
	ACTION_TYPES,
	type ActionType,
	MAX_PARAM_KEYS,
	MAX_PARAM_TEXT_LENGTH,
	type DtmfUi,
	type Dtmf,
	type Endpoint,
	type EndpointUi,
	type InputMode,
	type OnResult,
	type PipelineAction,
	type PipelineActionUi,
	type PipelineUi,
	type Prompt,
	type PromptUi,
	type Retries,
	type RetriesUi,
} from './types';

/**
 * The builder's values → the pipeline to send. Every check of every action is here. Messages name a
 * field as the editor shows it: "Pipeline action 2 (Play and Get Input) → Retries → No Input Prompt →
 * Language", or, where an operation's own fields hold its one action, "Call and Ask → Language".
 */

const BUILDER_LABEL = 'Pipeline';

/** How messages name an action, once its type is known. */
export type ActionPlace = (type: ActionType) => string;

/** An action type as the builder's Type field names it ("Play and Get Input"). */
function actionTypeName(type: ActionType): string {
	return actionTypeOptions.find((option) => option.value === type)?.name ?? ACTION_NAMES[type];
}

/**
 * `place` names the action when an operation's own fields hold it (the user never saw a pipeline);
 * otherwise each action is named by its position in the builder.
 */
export function pipelineFromUi(ui: PipelineUi['pipeline'], place?: string): PipelineAction[] {
	const entries = ui?.actions;
	if (!Array.isArray(entries) || entries.length === 0) {
		throw new InvalidFieldError(BUILDER_LABEL, entries ?? [], 'at least one action: add one with "Add Action"');
	}
	return entries.map((entry, index) => {
		const position = `${BUILDER_LABEL} action ${index + 1}`;
		return actionFromUi(entry, position, place ? () => place : (type) => `${position} (${actionTypeName(type)})`);
	});
}

/** Reused helpers name fields without the action they belong to; this puts it in front. */
function within<T>(scope: string, build: () => T): T {
	const built = attempt(build);
	if (built.ok) return built.value;
	if (!(built.error instanceof InvalidFieldError)) throw built.error;
	throw new InvalidFieldError(`${scope} → ${built.error.field}`, built.error.received, built.error.expected);
}

/**
 * `position` is e.g. "Pipeline action 2", which names the action until its type is known; `placeOf`
 * names it after, e.g. "Pipeline action 2 (Connect)", whose fields are then "… → Caller ID".
 */
export function actionFromUi(entry: PipelineActionUi, position: string, placeOf: ActionPlace): PipelineAction {
	const type = requireOneOf(`${position} → Type`, entry?.type, ACTION_TYPES);
	const label = placeOf(type);
	switch (type) {
		case 'play':
			return { action: 'play', file_name: requireText(`${label} → File Name or URL`, entry.fileName) };
		case 'connect': {
			const callerId = normalizePhone(`${label} → Caller ID`, entry.callerId);
			const params = within(label, () => buildConnectParams(callerId, entry.strategy, entry.connectOptions));
			return { action: 'connect', params, endpoints: endpointsFromUi(entry.endpoints?.endpoint, label) };
		}
		case 'playGetInput': {
			const prompt = promptFromUi(entry, label);
			const input = inputModesFromUi(`${label} → Input`, entry.inputModes);
			const dtmf = dtmfFromUi(entry.dtmfSettings, `${label} → DTMF Settings`);
			const retries = retriesFromUi(entry.retries, `${label} → Retries`);
			const onResult = onResultFromUi(entry, label);
			return {
				action: 'play_get_input',
				prompt,
				input,
				...(dtmf && { dtmf }),
				...(retries && { retries }),
				on_result: onResult,
			};
		}
		case 'input': {
			const dtmf = dtmfFromUi(entry.dtmfSettings, `${label} → DTMF Settings`);
			return { action: 'input', ...(dtmf && { dtmf }), on_result: onResultFromUi(entry, label) };
		}
		case 'param':
			return { action: 'param', data: paramDataFromUi(entry.data, `${label} → Parameters`) };
		case 'record': {
			const action: PipelineAction = { action: 'record' };
			const options = entry.recordOptions ?? {};
			if (options.format !== undefined) {
				action.format = requireOneOf(`${label} → Format`, options.format, ['mp3', 'wav'] as const);
			}
			if (options.channels !== undefined) {
				action.channels = requireOneOf(`${label} → Channels`, options.channels, ['single', 'dual'] as const);
			}
			return action;
		}
		case 'hangup':
			return { action: 'hangup' };
	}
}

/** The endpoints of one connect, checked one by one and then against the rules between them. */
function endpointsFromUi(rows: EndpointUi[] | undefined, label: string): Endpoint[] {
	if (!Array.isArray(rows) || rows.length === 0) {
		throw new InvalidFieldError(
			`${label} → Endpoints`,
			rows ?? [],
			'at least one endpoint to connect to: a phone number, a SIP URI or an AI agent',
		);
	}
	const endpoints = rows.map((row, index) => endpointFromUi(row, `${label} → Endpoint ${index + 1}`));
	checkEndpointRules(endpoints, label);
	return endpoints;
}

function endpointFromUi(row: EndpointUi, label: string): Endpoint {
	const type = requireOneOf(`${label} → Type`, row?.type ?? 'pstn', ['pstn', 'sip', 'agent'] as const);
	const endpoint: Endpoint = { type };
	if (type === 'pstn') endpoint.number = normalizePhone(`${label} → Phone Number`, row.number);
	if (type === 'sip') endpoint.uri = requireText(`${label} → SIP URI`, row.uri);
	if (type === 'agent') endpoint.id = requireUuid(`${label} → Agent ID`, row.agentId);
	const headers = emptyScalarMap();
	for (const header of row.headers?.header ?? []) {
		const name = requireText(`${label} → Header Name`, header.name);
		if (Object.keys(headers).some((known) => known.toLowerCase() === name.toLowerCase())) {
			throw new InvalidFieldError(`${label} → Header Name`, name, 'each header name to appear only once');
		}
		headers[name] = requireScalar(`${label} → Header "${name}"`, header.value);
	}
	if (Object.keys(headers).length > 0) endpoint.headers = headers;
	return endpoint;
}

/** A prompt from the prompt fields (`promptFields`); text to speech needs text, language, voice and speed. */
function promptFromUi(ui: PromptUi | undefined, label: string): Prompt {
	const type = requireOneOf(`${label} → Prompt Type`, ui?.promptType ?? 'file', ['file', 'say'] as const);
	if (type === 'file') return { type, file_name: requireText(`${label} → Prompt File Name or URL`, ui?.promptFileName) };
	return {
		type,
		say: requireText(`${label} → Prompt Text`, ui?.promptText),
		language: requireText(`${label} → Language`, ui?.promptLanguage),
		voice_id: requireText(`${label} → Voice ID`, ui?.promptVoiceId),
		speed: requireNumber(`${label} → Speed`, ui?.promptSpeed, 0.5, 2),
	};
}

function inputModesFromUi(field: string, value: unknown): InputMode[] {
	// An expression may give a single mode as text.
	const modes = typeof value === 'string' ? [value] : value;
	const expected = '"dtmf", "speech" or both, each once';
	if (!Array.isArray(modes) || modes.length === 0) throw new InvalidFieldError(field, value, expected);
	const seen: InputMode[] = [];
	for (const mode of modes) {
		if ((mode !== 'dtmf' && mode !== 'speech') || seen.includes(mode)) {
			throw new InvalidFieldError(field, value, expected);
		}
		seen.push(mode);
	}
	return seen;
}

function dtmfFromUi(ui: DtmfUi | undefined, label: string): Dtmf | undefined {
	if (!ui) return undefined;
	const dtmf: Dtmf = {};
	if (ui.minDigits !== undefined) dtmf.min_digits = requireInteger(`${label} → Min Digits`, ui.minDigits, 1);
	if (ui.maxDigits !== undefined) dtmf.max_digits = requireInteger(`${label} → Max Digits`, ui.maxDigits, 1);
	if (ui.finishOnKey !== undefined) {
		if (typeof ui.finishOnKey !== 'string' || ui.finishOnKey.length !== 1) {
			throw new InvalidFieldError(`${label} → Finish On Key`, ui.finishOnKey, 'a single key, e.g. #');
		}
		dtmf.finish_on_key = ui.finishOnKey;
	}
	if (ui.firstDigitTimeout !== undefined) {
		dtmf.first_digit_timeout = requireInteger(`${label} → First Digit Timeout`, ui.firstDigitTimeout, 1);
	}
	if (ui.interDigitTimeout !== undefined) {
		dtmf.inter_digit_timeout = requireInteger(`${label} → Inter-Digit Timeout`, ui.interDigitTimeout, 1);
	}
	if (ui.flushBuffer !== undefined) dtmf.flush_buffer = requireBoolean(`${label} → Flush Buffer`, ui.flushBuffer);
	return Object.keys(dtmf).length > 0 ? dtmf : undefined;
}

function retriesFromUi(ui: RetriesUi | undefined, label: string): Retries | undefined {
	if (!ui) return undefined;
	const retries: Retries = {};
	if (ui.max !== undefined) retries.max = requireInteger(`${label} → Max Retries`, ui.max, 0);
	if (ui.noInputPrompt?.prompt) retries.no_input_prompt = promptFromUi(ui.noInputPrompt.prompt, `${label} → No Input Prompt`);
	if (ui.invalidPrompt?.prompt) retries.invalid_prompt = promptFromUi(ui.invalidPrompt.prompt, `${label} → Invalid Input Prompt`);
	return Object.keys(retries).length > 0 ? retries : undefined;
}

function onResultFromUi(entry: PipelineActionUi, label: string): OnResult {
	const type = requireOneOf(`${label} → Send Result To`, entry.onResultType ?? 'url', ['url', 'pcmo'] as const);
	if (type === 'url') return { type, url: requireHttpUrl(`${label} → Result URL`, entry.onResultUrl) };
	return { type, ref: requireText(`${label} → PCMO Reference`, entry.onResultRef) };
}

/** `param` data: 1 to 10 names; text values at most 256 characters. */
function paramDataFromUi(ui: ScalarMapUi | undefined, field: string): ScalarMap {
	const data = scalarMapFromUi(field, ui);
	const names = Object.keys(data);
	if (names.length === 0 || names.length > MAX_PARAM_KEYS) {
		throw new InvalidFieldError(field, data, `1 to ${MAX_PARAM_KEYS} named values (got ${names.length})`);
	}
	for (const name of names) {
		const value = data[name];
		if (typeof value === 'string' && value.length > MAX_PARAM_TEXT_LENGTH) {
			throw new InvalidFieldError(`${field} "${name}"`, value, `text of at most ${MAX_PARAM_TEXT_LENGTH} characters`);
		}
	}
	return data;
}
