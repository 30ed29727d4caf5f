import { requireBoolean, requireInteger, requireOneOf, requireString, type ScalarMap } from '../helpers/validate';
import { scalarMapFromUi, type ScalarMapUi } from './scalarMap';

/** Raw values of `callOptionsFields`. */
export interface CallOptionsUi {
	maxDurationSec?: unknown;
	record?: unknown;
	ringTimeoutSec?: unknown;
}

export interface CallOptions {
	max_duration_sec?: number;
	record?: boolean;
	ring_timeout_sec?: number;
}

/** Call `options`: only what the user added; undefined when nothing was. */
export function buildCallOptions(ui: CallOptionsUi | undefined): CallOptions | undefined {
	const options: CallOptions = {};
	if (ui?.maxDurationSec !== undefined) {
		options.max_duration_sec = requireInteger('Max Duration (Seconds)', ui.maxDurationSec, 30, 7200);
	}
	if (ui?.record !== undefined) options.record = requireBoolean('Record', ui.record);
	if (ui?.ringTimeoutSec !== undefined) {
		options.ring_timeout_sec = requireInteger('Ring Timeout (Seconds)', ui.ringTimeoutSec, 5, 120);
	}
	return Object.keys(options).length > 0 ? options : undefined;
}

/** Raw values of `connectOptionsFields`. */
export interface ConnectOptionsUi {
	machineDetection?: unknown;
	maxDurationSec?: unknown;
	metadata?: ScalarMapUi;
	recording?: { settings?: { enabled?: unknown; channels?: unknown; format?: unknown } };
	ringTimeoutSec?: unknown;
	waitingMusic?: unknown;
}

export interface ConnectOptions {
	max_duration_sec?: number;
	ring_timeout_sec?: number;
	machine_detection?: boolean;
	recording?: { enabled?: boolean; channels?: 'dual' | 'single'; format?: 'mp3' | 'wav' };
	waiting_music?: string;
}

export interface ConnectParams {
	caller_id: string;
	strategy?: 'sequential' | 'simultaneous';
	options?: ConnectOptions;
	metadata?: ScalarMap;
}

/** `connect` params from the caller ID, the Strategy field and the connect options collection. */
export function buildConnectParams(
	callerId: string,
	strategy: unknown,
	ui: ConnectOptionsUi | undefined,
): ConnectParams {
	const params: ConnectParams = { caller_id: callerId };
	if (strategy !== undefined && strategy !== 'serverDefault') {
		params.strategy = requireOneOf('Strategy', strategy, ['sequential', 'simultaneous'] as const);
	}
	const options: ConnectOptions = {};
	if (ui?.maxDurationSec !== undefined) {
		options.max_duration_sec = requireInteger('Max Duration (Seconds)', ui.maxDurationSec, 10, 7200);
	}
	if (ui?.ringTimeoutSec !== undefined) {
		options.ring_timeout_sec = requireInteger('Ring Timeout (Seconds)', ui.ringTimeoutSec, 5, 120);
	}
	if (ui?.machineDetection !== undefined) {
		options.machine_detection = requireBoolean('Machine Detection', ui.machineDetection);
	}
	const recording = ui?.recording?.settings;
	if (recording !== undefined) {
		options.recording = {
			enabled: requireBoolean('Recording Enabled', recording.enabled ?? true),
			channels: requireOneOf('Recording Channels', recording.channels ?? 'dual', ['dual', 'single'] as const),
			format: requireOneOf('Recording Format', recording.format ?? 'mp3', ['mp3', 'wav'] as const),
		};
	}
	if (ui?.waitingMusic !== undefined && ui.waitingMusic !== '') {
		options.waiting_music = requireString('Waiting Music', ui.waitingMusic);
	}
	if (Object.keys(options).length > 0) params.options = options;
	const metadata = scalarMapFromUi('Metadata', ui?.metadata);
	if (Object.keys(metadata).length > 0) params.metadata = metadata;
	return params;
}
