import type { Scalar, ScalarMap } from '../../helpers/validate';
import type { ConnectOptionsUi, ConnectParams } from '../options';
import type { ScalarMapUi } from '../scalarMap';

/** The pipeline's two shapes: what is sent to Piopiy, and what the builder of pipeline.description.ts holds. */

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
export const ACTION_TYPES = Object.keys(ACTION_NAMES) as ActionType[];
export const WIRE_ACTION_NAMES = Object.values(ACTION_NAMES) as WireActionName[];
export const TYPE_OF_WIRE_NAME = Object.fromEntries(
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
	/**
	 * Set by an operation whose own fields hold its one action (Call and Ask, Ask and Wait): messages
	 * name that action by the operation ("Call and Ask → Language"), not by a pipeline the user never saw.
	 */
	actionPlace?: string;
}

export const MAX_AGENT_ENDPOINTS = 2;
export const MAX_PARAM_KEYS = 10;
export const MAX_PARAM_TEXT_LENGTH = 256;
