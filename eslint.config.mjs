// `npm run lint`: n8n's rules for community packages, set up as `n8n-node lint` and n8n's package
// scanner (@n8n/scan-community-package, buildScanConfig) set them up: @n8n/eslint-plugin-community-nodes
// (recommended) plus eslint-plugin-n8n-nodes-base's community, credentials and nodes rule sets, over
// ESLint's and typescript-eslint's recommended rules (n8n-node lint's import-x rules are left out: tsc
// already checks every import).
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.sandbox/**'] },
	// As n8n-node lint: ESLint's and typescript-eslint's recommended rules for the TypeScript sources.
	...tseslint.config({ files: ['**/*.ts'], extends: [js.configs.recommended, tseslint.configs.recommended] }),
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{ files: ['**/*.json', '**/*.ts'], languageOptions: { parser: tsParser } },
	{
		files: ['package.json'],
		rules: {
			...n8nNodesBase.configs.community.rules,
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Applies only to n8n's own nodes, whose docs are camelCase slugs (off in n8n-node lint too).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Superseded by @n8n/community-nodes/credential-password-field (off in n8n-node lint too).
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Older rules asking for the string 'main'; the community rules require NodeConnectionTypes.Main
			// (off in n8n-node lint too).
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// continueOnFail is honoured in actions/router.ts, which execute() calls; the rule looks only
			// inside execute() itself.
			'n8n-nodes-base/node-execute-block-missing-continue-on-fail': 'off',
		},
	},
];
