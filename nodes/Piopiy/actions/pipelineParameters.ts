import type { IExecuteFunctions } from 'n8n-workflow';

/** The pipeline parameters of one item (`pipelineFields`): only the input the user chose is read. */
export function pipelineParameters(context: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const pipelineInput = context.getNodeParameter('pipelineInput', itemIndex, 'builder');
	return pipelineInput === 'json'
		? { pipelineInput, pipelineJson: context.getNodeParameter('pipelineJson', itemIndex, '[]') }
		: { pipelineInput, pipeline: context.getNodeParameter('pipeline', itemIndex, {}) };
}
