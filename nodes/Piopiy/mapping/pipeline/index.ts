import type { IDataObject } from 'n8n-workflow';

import { pipelineFromUi } from './fromBuilder';
import { pipelineFromJson } from './fromJson';
import type { PipelineAction, PipelineUi } from './types';

/**
 * The PCMO pipeline (docs/piopiy-api.md "Pipeline actions"), from the builder of `pipeline.description.ts`
 * or from JSON. Pasted JSON is first turned into the values the builder would hold, then both go
 * through the same `actionFromUi`: one set of checks, and the round trip builder ↔ JSON holds by
 * construction. Every rule of the schema and the rules beyond it are checked here, before sending.
 *
 * - types.ts: what is sent, and what the builder holds;
 * - fromBuilder.ts: the builder's values → the pipeline, with every check of every action;
 * - endpointRules.ts: the rules between the endpoints of one connect;
 * - fromJson.ts: pasted JSON → the builder's values.
 */

export { actionFromUi, pipelineFromUi } from './fromBuilder';
export { pipelineFromJson } from './fromJson';
export * from './types';

/** The pipeline to send, from the builder or the JSON field as the user chose. */
export function buildPipeline(ui: PipelineUi): PipelineAction[] {
	return ui.pipelineInput === 'json' ? pipelineFromJson(ui.pipelineJson) : pipelineFromUi(ui.pipeline, ui.actionPlace);
}

/** The pipeline as it goes into a request body. */
export function pipelineBody(pipeline: PipelineAction[]): IDataObject[] {
	return pipeline as unknown as IDataObject[];
}
