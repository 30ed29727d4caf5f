import type { IDataObject } from 'n8n-workflow';

import { InvalidFieldError } from '../helpers/errors';
import {
	emptyScalarMap,
	normalizePhone,
	requireBoolean,
	requireHttpUrl,
	requireInteger,
	requireNumber,
	requireObject,
	requireOneOf,
	requireScalar,
	requireScalarMap,
	requireText,
	requireUuid,
	type Scalar,
	type ScalarMap,
} from '../helpers/validate';
import { buildConnectParams, type ConnectOptionsUi, type ConnectParams } from './options';
import { scalarMapFromUi, type ScalarMapUi } from './scalarMap';

/**
 * The PCMO pipeline (CONTRACT.md "Pipeline actions"), from the builder of `pipeline.description.ts`
 * or from JSON. Pasted JSON is first turned into the values the builder would hold, then both go
 * through the same `actionFromUi`: one set of checks, and the round trip builder ↔ JSON holds by
 * construction. Every rule of the schema and the rules beyond it are checked here, before sending.
 */

// ---- What is sent -------------------------------------------------------------------------------

export type Prompt =
	| { type: 'file'; file_name: string }
	| { type: 'say'; say: string; language: string; voice_id: string; speed: number };

export interface Dtmf {
	min_digits?: number;
	max_digits?: number;
	finish_on_key?: string;
	first_digit_timeout?: number;
	inter_digit_timeout?: number;
	flush_buffer?: boolean;
}

export interface Retries {
	max?: number;
	no_input_prompt?: Prompt;
	invalid_prompt?: Prompt;
}

export type OnResult = { type: 'url'; url: string } | { type: 'pcmo'; ref: string };

export type InputMode = 'dtmf' | 'speech';

export interface Endpoint {
	type: 'pstn' | 'sip' | 'agent';
	number?: string;
	uri?: string;
	id?: string;
	headers?: Record<string, Scalar>;
}

export type PipelineAction =
	| { action: 'play'; file_name: string }
	| { action: 'connect'; params: ConnectParams; endpoints: Endpoint[] }
	| { action: 'play_get_input'; prompt: Prompt; input: InputMode[]; dtmf?: Dtmf; retries?: Retries; on_result: OnResult }
	| { action: 'input'; dtmf?: Dtmf; on_result: OnResult }
	| { action: 'param'; data: ScalarMap }
	| { action: 'record'; format?: 'mp3' | 'wav'; channels?: 'single' | 'dual' }
	| { action: 'hangup' };

type WireActionName = PipelineAction['action'];

// ---- What the builder holds (see pipeline.description.ts) --------------------------------------

/** The builder's value for an action type, and the action name it is sent as. */
export const ACTION_NAMES = {
	play: 'play',
	connect: 'connect',
	playGetInput: 'play_get_input',
	input: 'input',
	param: 'param',
	record: 'record',
	hangup: 'hangup',
} as const satisfies Record<string, WireActionName>;

export type ActionType = keyof typeof ACTION_NAMES;
const ACTION_TYPES = Object.keys(ACTION_NAMES) as ActionType[];
const WIRE_ACTION_NAMES = Object.values(ACTION_NAMES) as WireActionName[];
const TYPE_OF_WIRE_NAME = Object.fromEntries(
	ACTION_TYPES.map((type) => [ACTION_NAMES[type], type]),
) as Record<WireActionName, ActionType>;

export interface PromptUi {
	promptType?: unknown;
	promptFileName?: unknown;
	promptText?: unknown;
	promptLanguage?: unknown;
	promptVoiceId?: unknown;
	promptSpeed?: unknown;
}

export interface EndpointUi {
	type?: unknown;
	number?: unknown;
	uri?: unknown;
	agentId?: unknown;
	headers?: { header?: Array<{ name?: unknown; value?: unknown }> };
}

export interface DtmfUi {
	minDigits?: unknown;
	maxDigits?: unknown;
	finishOnKey?: unknown;
	firstDigitTimeout?: unknown;
	interDigitTimeout?: unknown;
	flushBuffer?: unknown;
}

export interface RetriesUi {
	max?: unknown;
	noInputPrompt?: { prompt?: PromptUi };
	invalidPrompt?: { prompt?: PromptUi };
}

/** One entry of the builder; only the fields of its `type` are used. */
export interface PipelineActionUi extends PromptUi {
	type?: unknown;
	/** play */
	fileName?: unknown;
	/** connect */
	callerId?: unknown;
	strategy?: unknown;
	endpoints?: { endpoint?: EndpointUi[] };
	connectOptions?: ConnectOptionsUi;
	/** play and get input, input */
	inputModes?: unknown;
	dtmfSettings?: DtmfUi;
	retries?: RetriesUi;
	onResultType?: unknown;
	onResultUrl?: unknown;
	onResultRef?: unknown;
	/** param */
	data?: ScalarMapUi;
	/** record */
	recordOptions?: { format?: unknown; channels?: unknown };
}

/** The three pipeline parameters of an operation (`pipelineFields`). */
export interface PipelineUi {
	pipelineInput?: unknown;
	pipeline?: { actions?: PipelineActionUi[] };
	pipelineJson?: unknown;
}

export const MAX_AGENT_ENDPOINTS = 2;
export const MAX_PARAM_KEYS = 10;
export const MAX_PARAM_TEXT_LENGTH = 256;

const BUILDER_LABEL = 'Pipeline';
const JSON_LABEL = 'Pipeline (JSON)';
const JSON_EXPECTATION =
	'a JSON array of one or more actions, e.g. [{"action": "play", "file_name": "welcome.mp3"}, {"action": "hangup"}]';

/** The pipeline to send, from the builder or the JSON field as the user chose. */
export function buildPipeline(ui: PipelineUi): PipelineAction[] {
	return ui.pipelineInput === 'json' ? pipelineFromJson(ui.pipelineJson) : pipelineFromUi(ui.pipeline);
}

// ---- Builder → pipeline --------------------------------------------------------------------------

export function pipelineFromUi(ui: PipelineUi['pipeline']): PipelineAction[] {
	const entries = ui?.actions;
	if (!Array.isArray(entries) || entries.length === 0) {
		throw new InvalidFieldError(BUILDER_LABEL, entries ?? [], 'at least one action: add one with "Add Action"');
	}
	return entries.map((entry, index) => actionFromUi(entry, `${BUILDER_LABEL} action ${index + 1}`));
}

/** Reused helpers name fields without the action they belong to; this puts it in front. */
function within<T>(scope: string, build: () => T): T {
	try {
		return build();
	} catch (error) {
		if (!(error instanceof InvalidFieldError)) throw error;
		throw new InvalidFieldError(`${scope}: ${error.field}`, error.received, error.expected);
	}
}

/** `position` is e.g. "Pipeline action 2"; fields are then named "Pipeline action 2 (connect): Caller ID". */
export function actionFromUi(entry: PipelineActionUi, position: string): PipelineAction {
	const type = requireOneOf(`${position}: Action`, entry?.type, ACTION_TYPES);
	const label = `${position} (${ACTION_NAMES[type]})`;
	switch (type) {
		case 'play':
			return { action: 'play', file_name: requireText(`${label}: File Name or URL`, entry.fileName) };
		case 'connect': {
			const callerId = normalizePhone(`${label}: Caller ID`, entry.callerId);
			const params = within(label, () => buildConnectParams(callerId, entry.strategy, entry.connectOptions));
			return { action: 'connect', params, endpoints: endpointsFromUi(entry.endpoints?.endpoint, label) };
		}
		case 'playGetInput': {
			const prompt = promptFromUi(entry, `${label} prompt`);
			const input = inputModesFromUi(`${label}: Input`, entry.inputModes);
			const dtmf = dtmfFromUi(entry.dtmfSettings, `${label} DTMF settings`);
			const retries = retriesFromUi(entry.retries, `${label} retries`);
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
			const dtmf = dtmfFromUi(entry.dtmfSettings, `${label} DTMF settings`);
			return { action: 'input', ...(dtmf && { dtmf }), on_result: onResultFromUi(entry, label) };
		}
		case 'param':
			return { action: 'param', data: paramDataFromUi(entry.data, `${label}: Parameters`) };
		case 'record': {
			const action: PipelineAction = { action: 'record' };
			const options = entry.recordOptions ?? {};
			if (options.format !== undefined) {
				action.format = requireOneOf(`${label}: Format`, options.format, ['mp3', 'wav'] as const);
			}
			if (options.channels !== undefined) {
				action.channels = requireOneOf(`${label}: Channels`, options.channels, ['single', 'dual'] as const);
			}
			return action;
		}
		case 'hangup':
			return { action: 'hangup' };
	}
}

/** Endpoints, and the rules beyond the schema: at most two agents, agents after every pstn/sip. */
function endpointsFromUi(rows: EndpointUi[] | undefined, label: string): Endpoint[] {
	if (!Array.isArray(rows) || rows.length === 0) {
		throw new InvalidFieldError(
			`${label}: Endpoints`,
			rows ?? [],
			'at least one endpoint to connect to: a phone number, a SIP URI or an AI agent',
		);
	}
	const endpoints = rows.map((row, index) => endpointFromUi(row, `${label} endpoint ${index + 1}`));
	const agentIds: string[] = [];
	endpoints.forEach((endpoint, index) => {
		const field = `${label} endpoint ${index + 1}`;
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
	return endpoints;
}

function endpointFromUi(row: EndpointUi, label: string): Endpoint {
	const type = requireOneOf(`${label}: Type`, row?.type ?? 'pstn', ['pstn', 'sip', 'agent'] as const);
	const endpoint: Endpoint = { type };
	if (type === 'pstn') endpoint.number = normalizePhone(`${label}: Phone Number`, row.number);
	if (type === 'sip') endpoint.uri = requireText(`${label}: SIP URI`, row.uri);
	if (type === 'agent') endpoint.id = requireUuid(`${label}: Agent ID`, row.agentId);
	const headers = emptyScalarMap();
	for (const header of row.headers?.header ?? []) {
		const name = requireText(`${label}: Header Name`, header.name);
		if (Object.keys(headers).some((known) => known.toLowerCase() === name.toLowerCase())) {
			throw new InvalidFieldError(`${label}: Header Name`, name, 'each header name to appear only once');
		}
		headers[name] = requireScalar(`${label}: Header "${name}"`, header.value);
	}
	if (Object.keys(headers).length > 0) endpoint.headers = headers;
	return endpoint;
}

/** A prompt from the prompt fields (`promptFields`); text to speech needs text, language, voice and speed. */
function promptFromUi(ui: PromptUi | undefined, label: string): Prompt {
	const type = requireOneOf(`${label}: Prompt Type`, ui?.promptType ?? 'file', ['file', 'say'] as const);
	if (type === 'file') return { type, file_name: requireText(`${label}: File Name or URL`, ui?.promptFileName) };
	return {
		type,
		say: requireText(`${label}: Text`, ui?.promptText),
		language: requireText(`${label}: Language`, ui?.promptLanguage),
		voice_id: requireText(`${label}: Voice ID`, ui?.promptVoiceId),
		speed: requireNumber(`${label}: Speed`, ui?.promptSpeed, 0.5, 2),
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
	if (ui.minDigits !== undefined) dtmf.min_digits = requireInteger(`${label}: Min Digits`, ui.minDigits, 1);
	if (ui.maxDigits !== undefined) dtmf.max_digits = requireInteger(`${label}: Max Digits`, ui.maxDigits, 1);
	if (ui.finishOnKey !== undefined) {
		if (typeof ui.finishOnKey !== 'string' || ui.finishOnKey.length !== 1) {
			throw new InvalidFieldError(`${label}: Finish On Key`, ui.finishOnKey, 'a single key, e.g. #');
		}
		dtmf.finish_on_key = ui.finishOnKey;
	}
	if (ui.firstDigitTimeout !== undefined) {
		dtmf.first_digit_timeout = requireInteger(`${label}: First Digit Timeout`, ui.firstDigitTimeout, 1);
	}
	if (ui.interDigitTimeout !== undefined) {
		dtmf.inter_digit_timeout = requireInteger(`${label}: Inter-Digit Timeout`, ui.interDigitTimeout, 1);
	}
	if (ui.flushBuffer !== undefined) dtmf.flush_buffer = requireBoolean(`${label}: Flush Buffer`, ui.flushBuffer);
	return Object.keys(dtmf).length > 0 ? dtmf : undefined;
}

function retriesFromUi(ui: RetriesUi | undefined, label: string): Retries | undefined {
	if (!ui) return undefined;
	const retries: Retries = {};
	if (ui.max !== undefined) retries.max = requireInteger(`${label}: Max Retries`, ui.max, 0);
	if (ui.noInputPrompt?.prompt) retries.no_input_prompt = promptFromUi(ui.noInputPrompt.prompt, `${label} no-input prompt`);
	if (ui.invalidPrompt?.prompt) retries.invalid_prompt = promptFromUi(ui.invalidPrompt.prompt, `${label} invalid-input prompt`);
	return Object.keys(retries).length > 0 ? retries : undefined;
}

function onResultFromUi(entry: PipelineActionUi, label: string): OnResult {
	const type = requireOneOf(`${label}: Send Result To`, entry.onResultType ?? 'url', ['url', 'pcmo'] as const);
	if (type === 'url') return { type, url: requireHttpUrl(`${label}: Result URL`, entry.onResultUrl) };
	return { type, ref: requireText(`${label}: PCMO Reference`, entry.onResultRef) };
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

// ---- JSON → builder values → pipeline ------------------------------------------------------------

export function pipelineFromJson(json: unknown): PipelineAction[] {
	const parsed = parsePipelineJson(json);
	if (!Array.isArray(parsed) || parsed.length === 0) {
		throw new InvalidFieldError(JSON_LABEL, parsed, JSON_EXPECTATION);
	}
	return parsed.map((raw, index) => {
		const position = `${JSON_LABEL} action ${index + 1}`;
		return actionFromUi(actionUiFromJson(raw, position), position);
	});
}

/** Text from the JSON field, or what an expression already produced; syntax errors say where. */
function parsePipelineJson(json: unknown): unknown {
	if (typeof json !== 'string') return json;
	if (json.trim() === '') throw new InvalidFieldError(JSON_LABEL, json, JSON_EXPECTATION);
	try {
		return JSON.parse(json);
	} catch (error) {
		const message = (error as Error).message;
		const position = /at position (\d+)/.exec(message);
		if (!position) throw new InvalidFieldError(JSON_LABEL, json, `${JSON_EXPECTATION} (${message})`);
		const offset = Number(position[1]);
		const before = json.slice(0, offset);
		const line = before.split('\n').length;
		const column = offset - before.lastIndexOf('\n');
		const lineText = json.split('\n')[line - 1].trim();
		throw new InvalidFieldError(
			`${JSON_LABEL} line ${line}, column ${column}`,
			lineText,
			`valid JSON at that point (${message}); the whole field must be ${JSON_EXPECTATION}`,
		);
	}
}

/** Refuses keys the contract does not have for this object, naming the key. */
function onlyKeys(label: string, object: Record<string, unknown>, allowed: readonly string[]): void {
	for (const key of Object.keys(object)) {
		if (!allowed.includes(key)) {
			throw new InvalidFieldError(
				`${label}: "${key}"`,
				object[key],
				`no "${key}" here; allowed: ${allowed.map((name) => `"${name}"`).join(', ')}`,
			);
		}
	}
}

function objectAt(field: string, value: unknown, example: string): Record<string, unknown> {
	return requireObject(field, value, `an object such as ${example}`);
}

function optionalObjectAt(field: string, value: unknown, example: string): Record<string, unknown> | undefined {
	return value === undefined ? undefined : objectAt(field, value, example);
}

/** A JSON scalar map as the typed rows of `scalarMapField`, so the builder's reader checks it. */
function scalarRowsFromJson(field: string, value: unknown): ScalarMapUi | undefined {
	if (value === undefined) return undefined;
	const map = requireScalarMap(field, value);
	const rows: Required<ScalarMapUi> = { text: [], number: [], boolean: [] };
	for (const [name, entry] of Object.entries(map)) {
		const type = typeof entry === 'string' ? 'text' : typeof entry === 'number' ? 'number' : 'boolean';
		rows[type].push({ name, value: entry });
	}
	return rows;
}

function actionUiFromJson(raw: unknown, position: string): PipelineActionUi {
	const object = objectAt(position, raw, '{"action": "hangup"}');
	const name = requireOneOf(`${position}: "action"`, object.action, WIRE_ACTION_NAMES);
	const type = TYPE_OF_WIRE_NAME[name];
	const label = `${position} (${name})`;
	switch (name) {
		case 'play':
			onlyKeys(label, object, ['action', 'file_name']);
			return { type, fileName: object.file_name };
		case 'connect':
			onlyKeys(label, object, ['action', 'params', 'endpoints']);
			return { type, ...connectUiFromJson(object, label) };
		case 'play_get_input':
			onlyKeys(label, object, ['action', 'prompt', 'input', 'dtmf', 'retries', 'on_result']);
			return {
				type,
				...promptUiFromJson(object.prompt, `${label} prompt`, true),
				inputModes: object.input,
				dtmfSettings: dtmfUiFromJson(object.dtmf, `${label} dtmf`),
				retries: retriesUiFromJson(object.retries, `${label} retries`),
				...onResultUiFromJson(object.on_result, label),
			};
		case 'input':
			onlyKeys(label, object, ['action', 'dtmf', 'on_result']);
			return {
				type,
				dtmfSettings: dtmfUiFromJson(object.dtmf, `${label} dtmf`),
				...onResultUiFromJson(object.on_result, label),
			};
		case 'param':
			onlyKeys(label, object, ['action', 'data']);
			return {
				type,
				data: scalarRowsFromJson(`${label}: "data"`, objectAt(`${label}: "data"`, object.data, '{"order_id": "A-17"}')),
			};
		case 'record':
			onlyKeys(label, object, ['action', 'format', 'channels']);
			return { type, recordOptions: { format: object.format, channels: object.channels } };
		case 'hangup':
			onlyKeys(label, object, ['action']);
			return { type };
	}
}

function connectUiFromJson(object: Record<string, unknown>, label: string): PipelineActionUi {
	const params = objectAt(`${label}: "params"`, object.params, '{"caller_id": "918045678900"}');
	onlyKeys(`${label} params`, params, ['caller_id', 'strategy', 'options', 'metadata']);
	const options =
		optionalObjectAt(`${label} params: "options"`, params.options, '{"ring_timeout_sec": 30}') ?? {};
	onlyKeys(`${label} params.options`, options, [
		'max_duration_sec',
		'ring_timeout_sec',
		'machine_detection',
		'recording',
		'waiting_music',
	]);
	const recording = optionalObjectAt(
		`${label} params.options: "recording"`,
		options.recording,
		'{"enabled": true, "channels": "dual", "format": "mp3"}',
	);
	if (recording) onlyKeys(`${label} params.options.recording`, recording, ['enabled', 'channels', 'format']);
	// Absent means Piopiy's default; the builder's "Server Default" says the same.
	const strategy =
		params.strategy === undefined
			? 'serverDefault'
			: requireOneOf(`${label} params: "strategy"`, params.strategy, ['sequential', 'simultaneous'] as const);
	const endpoints = object.endpoints;
	if (!Array.isArray(endpoints)) {
		throw new InvalidFieldError(
			`${label}: "endpoints"`,
			endpoints,
			'an array of endpoints such as [{"type": "pstn", "number": "919876543210"}]',
		);
	}
	return {
		callerId: params.caller_id,
		strategy,
		endpoints: { endpoint: endpoints.map((raw, index) => endpointUiFromJson(raw, `${label} endpoint ${index + 1}`)) },
		connectOptions: {
			maxDurationSec: options.max_duration_sec,
			ringTimeoutSec: options.ring_timeout_sec,
			machineDetection: options.machine_detection,
			recording: recording ? { settings: recording } : undefined,
			waitingMusic: options.waiting_music,
			metadata: scalarRowsFromJson(`${label} params: "metadata"`, params.metadata),
		},
	};
}

const ENDPOINT_KEYS = { pstn: 'number', sip: 'uri', agent: 'id' } as const;

function endpointUiFromJson(raw: unknown, label: string): EndpointUi {
	const object = objectAt(label, raw, '{"type": "pstn", "number": "919876543210"}');
	const type = requireOneOf(`${label}: "type"`, object.type, ['pstn', 'sip', 'agent'] as const);
	onlyKeys(label, object, ['type', ENDPOINT_KEYS[type], 'headers']);
	const headers = optionalObjectAt(`${label}: "headers"`, object.headers, '{"X-Customer-Id": "C-42"}');
	return {
		type,
		number: object.number,
		uri: object.uri,
		agentId: object.id,
		headers: headers && { header: Object.entries(headers).map(([name, value]) => ({ name, value })) },
	};
}

function promptUiFromJson(raw: unknown, label: string, required: true): PromptUi;
function promptUiFromJson(raw: unknown, label: string, required: false): PromptUi | undefined;
function promptUiFromJson(raw: unknown, label: string, required: boolean): PromptUi | undefined {
	if (raw === undefined && !required) return undefined;
	const object = objectAt(label, raw, '{"type": "file", "file_name": "menu.mp3"}');
	const type = requireOneOf(`${label}: "type"`, object.type, ['file', 'say'] as const);
	onlyKeys(label, object, type === 'file' ? ['type', 'file_name'] : ['type', 'say', 'language', 'voice_id', 'speed']);
	return {
		promptType: type,
		promptFileName: object.file_name,
		promptText: object.say,
		promptLanguage: object.language,
		promptVoiceId: object.voice_id,
		promptSpeed: object.speed,
	};
}

function dtmfUiFromJson(raw: unknown, label: string): DtmfUi | undefined {
	const object = optionalObjectAt(label, raw, '{"max_digits": 4, "finish_on_key": "#"}');
	if (!object) return undefined;
	onlyKeys(label, object, [
		'min_digits',
		'max_digits',
		'finish_on_key',
		'first_digit_timeout',
		'inter_digit_timeout',
		'flush_buffer',
	]);
	return {
		minDigits: object.min_digits,
		maxDigits: object.max_digits,
		finishOnKey: object.finish_on_key,
		firstDigitTimeout: object.first_digit_timeout,
		interDigitTimeout: object.inter_digit_timeout,
		flushBuffer: object.flush_buffer,
	};
}

function retriesUiFromJson(raw: unknown, label: string): RetriesUi | undefined {
	const object = optionalObjectAt(label, raw, '{"max": 2}');
	if (!object) return undefined;
	onlyKeys(label, object, ['max', 'no_input_prompt', 'invalid_prompt']);
	const noInput = promptUiFromJson(object.no_input_prompt, `${label} no_input_prompt`, false);
	const invalid = promptUiFromJson(object.invalid_prompt, `${label} invalid_prompt`, false);
	return {
		max: object.max,
		noInputPrompt: noInput && { prompt: noInput },
		invalidPrompt: invalid && { prompt: invalid },
	};
}

function onResultUiFromJson(raw: unknown, label: string): Pick<PipelineActionUi, 'onResultType' | 'onResultUrl' | 'onResultRef'> {
	const object = objectAt(`${label}: "on_result"`, raw, '{"type": "url", "url": "https://example.com/piopiy/input"}');
	const type = requireOneOf(`${label} on_result: "type"`, object.type, ['url', 'pcmo'] as const);
	onlyKeys(`${label} on_result`, object, ['type', type === 'url' ? 'url' : 'ref']);
	return { onResultType: type, onResultUrl: object.url, onResultRef: object.ref };
}

/** The pipeline as it goes into a request body. */
export function pipelineBody(pipeline: PipelineAction[]): IDataObject[] {
	return pipeline as unknown as IDataObject[];
}
