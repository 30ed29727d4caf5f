import type { IDataObject } from 'n8n-workflow';

import {
	buildPipeline,
	pipelineFromJson,
	pipelineFromUi,
	type PipelineActionUi,
} from '../../nodes/Piopiy/mapping/pipeline';
import {
	agent,
	connectTo,
	EVERY_ACTION_BUILDER,
	EVERY_ACTION_PIPELINE,
	MINIMAL_ACTIONS,
	pstn,
} from '../fixtures/pipelines';
import { AGENT_ID, BACKUP_AGENT_ID, refusal } from '../support/fixtures';


const fromBuilder = (...actions: IDataObject[]) => pipelineFromUi({ actions: actions as PipelineActionUi[] });
const fromJson = (pipeline: unknown) => pipelineFromJson(JSON.stringify(pipeline));

const THIRD_AGENT_ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

describe('builder → pipeline', () => {
	test('every action with every option', () => {
		expect(fromBuilder(...EVERY_ACTION_BUILDER)).toEqual(EVERY_ACTION_PIPELINE);
	});

	test.each(MINIMAL_ACTIONS)('minimal %s', (_name, builder, expected) => {
		expect(fromBuilder(builder)).toEqual([expected]);
	});

	test('keeps the order of a mixed sequence, repeated types included', () => {
		const sequence = fromBuilder(
			{ type: 'play', fileName: 'one.mp3' },
			{ type: 'param', data: { number: [{ name: 'step', value: 1 }] } },
			{ type: 'play', fileName: 'two.mp3' },
			{ type: 'record' },
			connectTo([pstn('+1 (555) 123-4567')]),
			{ type: 'hangup' },
		);
		expect(sequence.map((action) => action.action)).toEqual(['play', 'param', 'play', 'record', 'connect', 'hangup']);
		expect(sequence[2]).toEqual({ action: 'play', file_name: 'two.mp3' });
	});

	test('normalises the caller ID and pstn numbers of a connect', () => {
		const [connect] = fromBuilder(connectTo([pstn('+91 (98765) 43210'), pstn('1.555.123.4567')]));
		expect(connect).toEqual({
			action: 'connect',
			params: { caller_id: '918045678900', strategy: 'sequential' },
			endpoints: [
				{ type: 'pstn', number: '919876543210' },
				{ type: 'pstn', number: '15551234567' },
			],
		});
	});

	test('missing optional parts fall back to the builder defaults', () => {
		expect(fromBuilder({ type: 'playGetInput', promptFileName: 'a.mp3', inputModes: ['speech'], onResultUrl: 'https://x.example/r' })).toEqual([
			{
				action: 'play_get_input',
				prompt: { type: 'file', file_name: 'a.mp3' },
				input: ['speech'],
				on_result: { type: 'url', url: 'https://x.example/r' },
			},
		]);
	});

	test('two agents after the phones are allowed (primary, then backup)', () => {
		const [connect] = fromBuilder(connectTo([pstn('919876543210'), agent(AGENT_ID), agent(BACKUP_AGENT_ID)]));
		expect((connect as { endpoints: unknown[] }).endpoints).toHaveLength(3);
	});
});

describe('JSON → pipeline', () => {
	test('every action with every option sends what it says', () => {
		expect(fromJson(EVERY_ACTION_PIPELINE)).toEqual(EVERY_ACTION_PIPELINE);
	});

	test.each(MINIMAL_ACTIONS)('minimal %s', (_name, _builder, expected) => {
		expect(fromJson([expected])).toEqual([expected]);
	});

	test('round trip: what the builder sends, pasted as JSON, sends the same', () => {
		for (const builder of [EVERY_ACTION_BUILDER, ...MINIMAL_ACTIONS.map(([, entry]) => [entry])]) {
			const built = fromBuilder(...builder);
			expect(fromJson(built)).toEqual(built);
		}
	});

	test('an array an expression already produced is used as it is', () => {
		expect(pipelineFromJson([{ action: 'hangup' }])).toEqual([{ action: 'hangup' }]);
	});

	test('phone numbers in JSON are normalised too', () => {
		const [connect] = fromJson([
			{ action: 'connect', params: { caller_id: '+91 80 4567 8900' }, endpoints: [{ type: 'pstn', number: '+91 98765 43210' }] },
		]);
		expect(connect).toEqual({
			action: 'connect',
			params: { caller_id: '918045678900' },
			endpoints: [{ type: 'pstn', number: '919876543210' }],
		});
	});

	test('buildPipeline follows the chosen mode', () => {
		const json = JSON.stringify([{ action: 'hangup' }]);
		const builder = { actions: [{ type: 'play', fileName: 'a.mp3' }] };
		expect(buildPipeline({ pipelineInput: 'json', pipelineJson: json, pipeline: builder })).toEqual([{ action: 'hangup' }]);
		expect(buildPipeline({ pipelineInput: 'builder', pipelineJson: json, pipeline: builder })).toEqual([
			{ action: 'play', file_name: 'a.mp3' },
		]);
	});
});

describe('refusals name the broken part', () => {
	test.each<[string, () => unknown, string, RegExp]>([
		[
			'a third agent endpoint',
			() => fromBuilder(connectTo([pstn('919876543210'), agent(AGENT_ID), agent(BACKUP_AGENT_ID), agent(THIRD_AGENT_ID)])),
			'Pipeline action 1 (Connect) → Endpoint 4',
			/at most 2 AI agent endpoints/,
		],
		[
			'an agent before a phone endpoint',
			() => fromBuilder({ type: 'hangup' }, connectTo([agent(AGENT_ID), pstn('919876543210')])),
			'Pipeline action 2 (Connect) → Endpoint 2',
			/before the AI agent endpoints/,
		],
		[
			'an agent before a SIP endpoint',
			() => fromBuilder(connectTo([agent(AGENT_ID), { type: 'sip', uri: 'sip:a@b.example' }])),
			'Pipeline action 1 (Connect) → Endpoint 2',
			/before the AI agent endpoints/,
		],
		[
			'the same agent twice',
			() => fromBuilder(connectTo([agent(AGENT_ID), agent(AGENT_ID.toUpperCase())])),
			'Pipeline action 1 (Connect) → Endpoint 2',
			/differs/,
		],
		[
			'no endpoint',
			() => fromBuilder(connectTo([])),
			'Pipeline action 1 (Connect) → Endpoints',
			/at least one endpoint/,
		],
		[
			'a bad pstn number',
			() => fromBuilder(connectTo([pstn('919876543210'), pstn('98765O43210')])),
			'Pipeline action 1 (Connect) → Endpoint 2 → Phone Number',
			/country code/,
		],
		[
			'a bad agent ID',
			() => fromBuilder(connectTo([agent('not-a-uuid')])),
			'Pipeline action 1 (Connect) → Endpoint 1 → Agent ID',
			/UUID/,
		],
		[
			'a connect option out of range (reused connect options, prefixed)',
			() => fromBuilder({ ...connectTo([pstn('919876543210')]), connectOptions: { maxDurationSec: 5 } }),
			'Pipeline action 1 (Connect) → Max Duration (Seconds)',
			/between 10 and 7200/,
		],
		[
			'a metadata name with a space',
			() => fromBuilder({ ...connectTo([pstn('919876543210')]), connectOptions: { metadata: { text: [{ name: 'a b', value: 'x' }] } } }),
			'Pipeline action 1 (Connect) → Metadata name',
			/letters, digits and underscores/,
		],
		[
			'a header given twice',
			() => fromBuilder(connectTo([{ type: 'pstn', number: '919876543210', headers: { header: [{ name: 'X-A', value: '1' }, { name: 'x-a', value: '2' }] } }])),
			'Pipeline action 1 (Connect) → Endpoint 1 → Header Name',
			/only once/,
		],
		[
			'a say prompt without a voice',
			() => fromBuilder({ type: 'playGetInput', promptType: 'say', promptText: 'Hi', promptLanguage: 'en-IN', promptVoiceId: '', promptSpeed: 1, onResultUrl: 'https://x.example' }),
			'Pipeline action 1 (Play and Get Input) → Voice ID',
			/not empty/,
		],
		[
			'a say prompt without a language',
			() => fromBuilder({ type: 'playGetInput', promptType: 'say', promptText: 'Hi', promptVoiceId: 'v', promptSpeed: 1, onResultUrl: 'https://x.example' }),
			'Pipeline action 1 (Play and Get Input) → Language',
			/not empty/,
		],
		[
			'a speed above 2.0',
			() => fromBuilder({ type: 'playGetInput', promptType: 'say', promptText: 'Hi', promptLanguage: 'en', promptVoiceId: 'v', promptSpeed: 2.5, onResultUrl: 'https://x.example' }),
			'Pipeline action 1 (Play and Get Input) → Speed',
			/between 0.5 and 2/,
		],
		[
			'a retry prompt without its text',
			() => fromBuilder({ type: 'playGetInput', promptFileName: 'a.mp3', inputModes: ['dtmf'], onResultUrl: 'https://x.example', retries: { noInputPrompt: { prompt: { promptType: 'say', promptLanguage: 'en', promptVoiceId: 'v', promptSpeed: 1 } } } }),
			'Pipeline action 1 (Play and Get Input) → Retries → No Input Prompt → Prompt Text',
			/not empty/,
		],
		[
			'a result URL that is not http(s)',
			() => fromBuilder({ type: 'input', onResultType: 'url', onResultUrl: 'ftp://example.com/input' }),
			'Pipeline action 1 (Input) → Result URL',
			/http:\/\/ or https:\/\//,
		],
		[
			'no input mode',
			() => fromBuilder({ type: 'playGetInput', promptFileName: 'a.mp3', inputModes: [], onResultUrl: 'https://x.example' }),
			'Pipeline action 1 (Play and Get Input) → Input',
			/"dtmf", "speech" or both/,
		],
		[
			'a finish key of two characters',
			() => fromBuilder({ type: 'input', onResultUrl: 'https://x.example', dtmfSettings: { finishOnKey: '##' } }),
			'Pipeline action 1 (Input) → DTMF Settings → Finish On Key',
			/single key/,
		],
		[
			'min digits of 0',
			() => fromBuilder({ type: 'input', onResultUrl: 'https://x.example', dtmfSettings: { minDigits: 0 } }),
			'Pipeline action 1 (Input) → DTMF Settings → Min Digits',
			/1 or more/,
		],
		[
			'more than 10 params',
			() =>
				fromBuilder({
					type: 'param',
					data: { number: Array.from({ length: 11 }, (_, index) => ({ name: `p${index}`, value: index })) },
				}),
			'Pipeline action 1 (Param) → Parameters',
			/1 to 10 named values \(got 11\)/,
		],
		[
			'a param text longer than 256 characters',
			() => fromBuilder({ type: 'param', data: { text: [{ name: 'note', value: 'x'.repeat(257) }] } }),
			'Pipeline action 1 (Param) → Parameters "note"',
			/at most 256 characters/,
		],
		[
			'a param without values',
			() => fromBuilder({ type: 'param', data: {} }),
			'Pipeline action 1 (Param) → Parameters',
			/1 to 10 named values \(got 0\)/,
		],
		['an empty builder', () => pipelineFromUi({ actions: [] }), 'Pipeline', /at least one action/],
		['an unknown action type', () => fromBuilder({ type: 'dance' }), 'Pipeline action 1 → Type', /one of play, connect/],
	])('%s', (_name, run, field, expected) => {
		const error = refusal(run);
		expect(error.field).toBe(field);
		expect(error.expected).toMatch(expected);
	});

	test('JSON that does not parse points at its line and column and shows that line', () => {
		const error = refusal(() => pipelineFromJson('[\n  {"action": "play", "file_name": "a.mp3"},\n  {"action": "hangup",}\n]'));
		expect(error.field).toBe('Pipeline (JSON) line 3, column 23');
		expect(error.received).toBe('{"action": "hangup",}');
		expect(error.expected).toMatch(/valid JSON at that point/);
	});

	test.each<[string, unknown, string, RegExp]>([
		['not an array', { action: 'hangup' }, 'Pipeline (JSON)', /a JSON array of one or more actions/],
		['an empty array', [], 'Pipeline (JSON)', /a JSON array of one or more actions/],
		['an action that is not an object', [{ action: 'hangup' }, 'play'], 'Pipeline (JSON) action 2', /an object such as/],
		['an unknown action', [{ action: 'conect' }], 'Pipeline (JSON) action 1: "action"', /one of play, connect/],
		['an unknown key', [{ action: 'play', file_name: 'a.mp3', loop: 2 }], 'Pipeline (JSON) action 1 (play): "loop"', /allowed: "action", "file_name"/],
		[
			'a key of another endpoint type',
			[{ action: 'connect', params: { caller_id: '918045678900' }, endpoints: [{ type: 'pstn', number: '919876543210', uri: 'sip:a@b' }] }],
			'Pipeline (JSON) action 1 (connect) endpoint 1: "uri"',
			/allowed: "type", "number", "headers"/,
		],
		[
			'a broken endpoint deep in the pipeline',
			[
				{ action: 'play', file_name: 'a.mp3' },
				{
					action: 'connect',
					params: { caller_id: '918045678900' },
					endpoints: [{ type: 'pstn', number: '919876543210' }, { type: 'sip', uri: 'sip:a@b' }, { type: 'pstn', number: 'call me' }],
				},
			],
			'Pipeline (JSON) action 2 (connect) → Endpoint 3 → Phone Number',
			/country code/,
		],
		['a connect without params', [{ action: 'connect', endpoints: [] }], 'Pipeline (JSON) action 1 (connect): "params"', /an object such as/],
		[
			'endpoints that are not an array',
			[{ action: 'connect', params: { caller_id: '918045678900' }, endpoints: { type: 'pstn' } }],
			'Pipeline (JSON) action 1 (connect): "endpoints"',
			/an array of endpoints/,
		],
		[
			'an unknown strategy',
			[{ action: 'connect', params: { caller_id: '918045678900', strategy: 'random' }, endpoints: [{ type: 'pstn', number: '919876543210' }] }],
			'Pipeline (JSON) action 1 (connect) params: "strategy"',
			/sequential, simultaneous/,
		],
		[
			'an unknown connect option',
			[{ action: 'connect', params: { caller_id: '918045678900', options: { record: true } }, endpoints: [{ type: 'pstn', number: '919876543210' }] }],
			'Pipeline (JSON) action 1 (connect) params.options: "record"',
			/allowed: "max_duration_sec"/,
		],
		[
			'an input mode given twice',
			[{ action: 'play_get_input', prompt: { type: 'file', file_name: 'a.mp3' }, input: ['dtmf', 'dtmf'], on_result: { type: 'pcmo', ref: 'r' } }],
			'Pipeline (JSON) action 1 (play_get_input) → Input',
			/each once/,
		],
		[
			'a say prompt without speed',
			[{ action: 'play_get_input', prompt: { type: 'say', say: 'Hi', language: 'en', voice_id: 'v' }, input: ['dtmf'], on_result: { type: 'pcmo', ref: 'r' } }],
			'Pipeline (JSON) action 1 (play_get_input) → Speed',
			/between 0.5 and 2/,
		],
		[
			'a file prompt carrying say keys',
			[{ action: 'play_get_input', prompt: { type: 'file', file_name: 'a.mp3', voice_id: 'v' }, input: ['dtmf'], on_result: { type: 'pcmo', ref: 'r' } }],
			'Pipeline (JSON) action 1 (play_get_input) prompt: "voice_id"',
			/allowed: "type", "file_name"/,
		],
		['a missing on_result', [{ action: 'input' }], 'Pipeline (JSON) action 1 (input): "on_result"', /an object such as/],
		['a pcmo result without ref', [{ action: 'input', on_result: { type: 'pcmo' } }], 'Pipeline (JSON) action 1 (input) → PCMO Reference', /not empty/],
		[
			'a nested param value',
			[{ action: 'param', data: { customer: { name: 'Asha' } } }],
			'Pipeline (JSON) action 1 (param): "data" "customer"',
			/nested objects/,
		],
		['a record format not known', [{ action: 'record', format: 'ogg' }], 'Pipeline (JSON) action 1 (record) → Format', /mp3, wav/],
		['a hangup with extra keys', [{ action: 'hangup', cause: 'USER_BUSY' }], 'Pipeline (JSON) action 1 (hangup): "cause"', /allowed: "action"/],
	])('JSON: %s', (_name, pipeline, field, expected) => {
		const error = refusal(() => fromJson(pipeline));
		expect(error.field).toBe(field);
		expect(error.expected).toMatch(expected);
	});
});
