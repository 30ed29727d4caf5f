import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

/**
 * The node's modules import one way (node → actions → mapping → transport → descriptions/helpers):
 * no module reaches itself again through its imports. Read from the source files, so a new circle
 * fails here before anyone meets its load-order surprises.
 */

const ROOT = resolve(__dirname, '../../nodes');

function sourceFiles(folder: string): string[] {
	return readdirSync(folder).flatMap((name) => {
		const path = join(folder, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

function importsOf(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((match) => match[1]);
	return specifiers.map((specifier) => {
		const base = resolve(dirname(file), specifier.replace(/\.js$/, ''));
		for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
			try {
				if (statSync(candidate).isFile()) return candidate;
			} catch {
				// not this one
			}
		}
		throw new Error(`${relative(ROOT, file)} imports ${specifier}, which is not a source file`);
	});
}

function findCircle(graph: Map<string, string[]>): string[] | undefined {
	const done = new Set<string>();
	const path: string[] = [];
	const visit = (file: string): string[] | undefined => {
		const at = path.indexOf(file);
		if (at >= 0) return [...path.slice(at), file];
		if (done.has(file)) return undefined;
		path.push(file);
		for (const next of graph.get(file) ?? []) {
			const circle = visit(next);
			if (circle) return circle;
		}
		path.pop();
		done.add(file);
		return undefined;
	};
	for (const file of graph.keys()) {
		const circle = visit(file);
		if (circle) return circle;
	}
	return undefined;
}

describe('module imports', () => {
	const graph = new Map(sourceFiles(ROOT).map((file) => [file, importsOf(file)]));

	test('the import reader sees the node\'s known imports (so the circle check below is not empty)', () => {
		const node = join(ROOT, 'Piopiy/Piopiy.node.ts');
		expect(graph.get(node)).toEqual(expect.arrayContaining([join(ROOT, 'Piopiy/actions/router.ts'), join(ROOT, 'Piopiy/interactive/waiting.ts')]));
		expect(findCircle(new Map([['a', ['b']], ['b', ['a']]]))).toEqual(['a', 'b', 'a']);
	});

	test('no module imports itself back through others', () => {
		const circle = findCircle(graph);
		expect(circle?.map((file) => relative(ROOT, file)).join(' → ')).toBeUndefined();
	});

	test('the interactive feature\'s parts below the runner import neither the router, the registry nor the waiting runner', () => {
		for (const part of ['asking', 'items', 'post', 'question', 'request', 'resumeUrl', 'seal']) {
			const file = join(ROOT, `Piopiy/interactive/${part}.ts`);
			expect(graph.has(file)).toBe(true);
			const imports = (graph.get(file) ?? []).map((imported) => relative(ROOT, imported));
			expect({ part, imports }).toEqual({ part, imports: expect.not.arrayContaining([expect.stringMatching(/(actions\/(router|operations)|interactive\/waiting)\.ts$/)]) });
		}
	});
});
