import fs from 'node:fs';
import path from 'node:path';

import { PiopiyApi } from '../../credentials/PiopiyApi.credentials';
import { PiopiyWebhookApi } from '../../credentials/PiopiyWebhookApi.credentials';

/**
 * The user's pages and the docs link to each other by file and by heading: every relative link must
 * lead to a file, and every `#anchor` to a heading of that file (as GitHub makes anchors). The
 * addresses the node and credentials show in n8n (documentationUrl, the codex) and the README section
 * the node's errors name must stay where they point.
 */

const ROOT = path.resolve(__dirname, '../..');
const PAGES = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'test/e2e/README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];

const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
	heading
		.replace(/`/g, '')
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}_\- ]/gu, '')
		.replace(/ /g, '-');

function anchorsOf(file: string): Set<string> {
	const text = withoutCode(fs.readFileSync(path.join(ROOT, file), 'utf8'));
	return new Set([...text.matchAll(/^#+\s+(.+)$/gm)].map((match) => anchorOf(match[1])));
}

test.each(PAGES)('%s: every relative link leads to a file, and every anchor to a heading', (page) => {
	const text = withoutCode(fs.readFileSync(path.join(ROOT, page), 'utf8'));
	const broken: string[] = [];
	for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
		if (/^(https?|mailto):/.test(link)) continue;
		const [target, anchor] = link.split('#');
		const file = target ? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, page)), target)) : page;
		if (!fs.existsSync(path.join(ROOT, file))) broken.push(`${link} (no file)`);
		else if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor)) broken.push(`${link} (no heading)`);
	}
	expect(broken).toEqual([]);
});

test('the README anchors that n8n shows (credentials, trigger) and the section the node errors name are there', () => {
	const readme = anchorsOf('README.md');
	const anchors = [new PiopiyApi().documentationUrl, new PiopiyWebhookApi().documentationUrl].map((url) => url.split('#')[1]);
	for (const codex of ['nodes/Piopiy/Piopiy.node.json', 'nodes/PiopiyTrigger/PiopiyTrigger.node.json']) {
		const urls = JSON.stringify(JSON.parse(fs.readFileSync(path.join(ROOT, codex), 'utf8'))).match(/n8n-nodes-piopiy#[a-z-]+/g) ?? [];
		anchors.push(...urls.map((url) => url.split('#')[1]).filter((anchor) => anchor !== 'readme'));
	}
	expect(anchors.length).toBeGreaterThanOrEqual(4);
	for (const anchor of anchors) expect(readme).toContain(anchor);
	// The node's errors send users to this README section by name.
	for (const source of ['nodes/Piopiy/helpers/runRecord.ts', 'nodes/Piopiy/helpers/repeatGuard.ts']) {
		expect(fs.readFileSync(path.join(ROOT, source), 'utf8')).toContain('"Re-running a failed campaign"');
	}
	expect(readme).toContain('re-running-a-failed-campaign');
});
