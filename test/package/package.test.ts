import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What `npm publish` would ship, read from `npm pack --dry-run`: only the built package and its
 * documents, everything n8n loads from the `n8n` section present, and nothing n8n's verified
 * community nodes forbid (runtime dependencies).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	main?: string;
	engines?: { node?: string };
	scripts: Record<string, string>;
	publishConfig?: Record<string, unknown>;
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

test('main is left out: n8n loads the files of the n8n section, and nothing else names an entry point', () => {
	// A `main` naming a file the package does not ship (it said index.js) would mislead anyone who
	// requires the package; n8n's loader and its community package scanner do not read it.
	expect(manifest.main).toBeUndefined();
});

test('engines names the lowest Node that runs n8n (1.x: 20.19), and the README names the same', () => {
	// The package runs inside n8n: n8n 1.123 declares node ">=20.19 <= 24.x", n8n 2.41 ">=24.0.0".
	expect(manifest.engines?.node).toBe('>=20.19');
	const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	expect(readme).toContain('Node.js 20.19 or later');
	expect(readme).not.toMatch(/Node(\.js)? 20\.(?!19)\d+ or later/);
});

describe('a publish by hand builds dist/ first, although .npmrc turns install scripts off', () => {
	let work: string;
	let stderr: string;

	beforeAll(() => {
		// The reason scripts are off: n8n-workflow's isolated-vm builds only on Node 24.
		expect(fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).toMatch(/^ignore-scripts=true$/m);

		// A copy of what `npm publish` reads, with a dist/ from an older build in it.
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'piopiy-publish-'));
		for (const entry of ['package.json', '.npmrc', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'gulpfile.js', 'eslint.config.mjs', 'nodes', 'credentials']) {
			fs.cpSync(path.join(ROOT, entry), path.join(work, entry), { recursive: true });
		}
		fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(work, 'node_modules'), 'dir');
		fs.mkdirSync(path.join(work, 'dist', 'nodes', 'Piopiy'), { recursive: true });
		fs.writeFileSync(path.join(work, 'dist', 'nodes', 'Piopiy', 'Piopiy.node.js'), '// STALE BUILD\n');
		fs.writeFileSync(path.join(work, 'dist', 'left-over-from-an-old-build.js'), '// STALE BUILD\n');

		// --offline: the dry run asks the registry nothing. Without the CI variables, npm does not try
		// trusted publishing's token exchange when this runs inside GitHub Actions; without jest's
		// NODE_ENV=test, n8n's lint rules see the real file names, as in a publish by hand.
		const env = { ...process.env };
		for (const name of ['NODE_ENV', 'GITHUB_ACTIONS', 'GITLAB_CI', 'CIRCLECI', 'NPM_ID_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'NODE_AUTH_TOKEN']) {
			delete env[name];
		}
		const run = spawnSync('npm', ['publish', '--dry-run', '--offline'], { cwd: work, env, encoding: 'utf8' });
		stderr = run.stderr;
		expect({ status: run.status, output: run.status === 0 ? '' : run.stdout + run.stderr }).toEqual({ status: 0, output: '' });
	}, 180_000);

	afterAll(() => {
		if (work) fs.rmSync(work, { recursive: true, force: true });
	});

	test('prepack (build, then lint) runs at publish time: publishConfig turns scripts back on for npm publish', () => {
		expect(manifest.publishConfig).toEqual({ 'ignore-scripts': false });
		expect(manifest.scripts.prepack).toBe('npm run build && npm run lint');
		expect(manifest.scripts.prepublishOnly).toBeUndefined();
	});

	test('the old build is gone and the package holds the fresh one', () => {
		expect(fs.existsSync(path.join(work, 'dist', 'left-over-from-an-old-build.js'))).toBe(false);
		const built = fs.readFileSync(path.join(work, 'dist', 'nodes', 'Piopiy', 'Piopiy.node.js'), 'utf8');
		expect(built).not.toContain('STALE BUILD');
		expect(built).toContain('class Piopiy');
		// npm lists the tarball's files on stderr: the fresh build, not the left-over.
		expect(stderr).toMatch(/dist\/nodes\/Piopiy\/Piopiy\.node\.js/);
		expect(stderr).not.toContain('left-over-from-an-old-build.js');
	});
});
