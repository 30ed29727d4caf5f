import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * What `npm publish` would ship, read from `npm pack --dry-run`: only the built package and its
 * documents, everything n8n loads from the `n8n` section present, and nothing n8n's verified
 * community nodes forbid (runtime dependencies).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	dependencies?: Record<string, string>;
	bundleDependencies?: unknown;
	bundledDependencies?: unknown;
	n8n: { credentials: string[]; nodes: string[] };
};

let files: string[];

beforeAll(() => {
	// `npm test` on a fresh clone runs before any build: build first, as `npm publish` would.
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'Piopiy', 'Piopiy.node.js'))) {
		execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
	}
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	) as Array<{ files: Array<{ path: string }> }>;
	files = packed.files.map((file) => file.path);
}, 120_000);

test('ships only dist/, the README, the licence and package.json', () => {
	const unexpected = files.filter((file) => !/^(dist\/.+|README\.md|LICENSE|package\.json)$/.test(file));
	expect(unexpected).toEqual([]);
	expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
});

test('no tests, fixtures, sources, source maps or sandbox files', () => {
	expect(files.filter((file) => /(^|\/)(test|tests|__tests__|fixtures|\.sandbox|scripts|examples|bench)\//.test(file))).toEqual([]);
	expect(files.filter((file) => /\.(test|e2e)\.|\.map$|(?<!\.d)\.ts$/.test(file))).toEqual([]);
});

test('every file the n8n section names is in the package, with the icons and codex files beside the nodes', () => {
	const named = [...manifest.n8n.credentials, ...manifest.n8n.nodes];
	expect(named.length).toBeGreaterThan(0);
	for (const file of named) expect(files).toContain(file);
	for (const node of manifest.n8n.nodes) {
		const dir = path.posix.dirname(node);
		expect(files).toContain(node.replace(/\.js$/, '.json'));
		expect(files.filter((file) => file.startsWith(`${dir}/`) && file.endsWith('.svg'))).not.toEqual([]);
	}
});

test('no runtime dependencies: n8n-workflow is a peer, everything else is for development', () => {
	expect(manifest.dependencies ?? {}).toEqual({});
	expect(manifest.bundleDependencies ?? manifest.bundledDependencies).toBeUndefined();
});
