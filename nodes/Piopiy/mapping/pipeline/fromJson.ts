import { attempt, InvalidFieldError } from '../../helpers/errors';
import { requireObject, requireOneOf, requireScalarMap } from '../../helpers/validate';
import type { ScalarMapUi } from '../scalarMap';
import { actionFromUi } from './fromBuilder';
import {
	TYPE_OF_WIRE_NAME,
	ACTION_NAMES,
	WIRE_ACTION_NAMES,
	type DtmfUi,
	type EndpointUi,
	type PipelineAction,
	type PipelineActionUi,
	type PromptUi,
	type RetriesUi,
} from './types';

/**
 * Pasted JSON → the values the builder would hold → the builder's own checks (`actionFromUi`), so
 * both ways of giving a pipeline are checked the same and send the same body.
 */

const JSON_LABEL = 'Pipeline (JSON)';
const JSON_EXPECTATION =
	'a JSON array of one or more actions, e.g. [{"action": "play", "file_name": "welcome.mp3"}, {"action": "hangup"}]';

export function pipelineFromJson(json: unknown): PipelineAction[] {
	const parsed = parsePipelineJson(json);
	if (!Array.isArray(parsed) || parsed.length === 0) {
		throw new InvalidFieldError(JSON_LABEL, parsed, JSON_EXPECTATION);
	}
	return parsed.map((raw, index) => {
		const position = `${JSON_LABEL} action ${index + 1}`;
		// JSON names an action by what was typed: its wire name ("play_get_input").
		return actionFromUi(actionUiFromJson(raw, position), position, (type) => `${position} (${ACTION_NAMES[type]})`);
	});
}

/** Text from the JSON field, or what an expression already produced; syntax errors say where. */
function parsePipelineJson(json: unknown): unknown {
	if (typeof json !== 'string') return json;
	if (json.trim() === '') throw new InvalidFieldError(JSON_LABEL, json, JSON_EXPECTATION);
	const parsed = attempt((): unknown => JSON.parse(json));
	if (parsed.ok) return parsed.value;
	const message = (parsed.error as Error).message;
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
