import fs from 'node:fs';
import path from 'node:path';

import { redactSecretsInData } from '../../nodes/shared/redact';
import type { Exchange } from './exchange';
import type { ReceivedPost } from './listener';
import type { Finding } from './unknowns';

/** The table the live check prints (Markdown, so it can be pasted into an issue) and the file it saves. */

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export function findingsTable(findings: Finding[]): string {
	const rows = findings.map(
		(finding) => `| ${cell(`${finding.unknown} (\`${finding.id}\`)`)} | ${cell(finding.observed)} | ${finding.agrees} ${cell(finding.node)} |`,
	);
	return ['| Unknown (docs/piopiy-api.md#what-is-unknown) | Observed | The node agrees |', '|---|---|---|', ...rows].join('\n');
}

/** Header names whose values are secrets wherever they appear again (a signature, a cookie, a key). */
const SECRET_HEADER = /authorization|signature|cookie|secret|token|api-?key/i;

/** The secrets to remove: the token, the App Secret, and the value of every secret-looking header seen. */
export function secretsOf(known: Array<string | undefined>, exchanges: Exchange[], posts: ReceivedPost[]): string[] {
	const headerSets = [
		...exchanges.flatMap((exchange) => [exchange.request.headers, exchange.reply?.headers ?? {}]),
		...posts.map((post) => post.headers),
	];
	const fromHeaders = headerSets.flatMap((headers) =>
		Object.entries(headers)
			.filter(([name]) => SECRET_HEADER.test(name))
			.flatMap(([, value]) => (Array.isArray(value) ? value : [value ?? ''])),
	);
	return [...known, ...fromHeaders].filter((secret): secret is string => typeof secret === 'string' && secret !== '');
}

/** Writes `report` with every secret removed; returns the path written. */
export function writeRedactedReport(file: string, report: object, secrets: string[]): string {
	const absolute = path.resolve(file);
	fs.mkdirSync(path.dirname(absolute), { recursive: true });
	fs.writeFileSync(absolute, `${JSON.stringify(redactSecretsInData(report, secrets), null, 2)}\n`);
	return absolute;
}
