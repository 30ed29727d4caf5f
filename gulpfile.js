const path = require('path');
const { task, src, dest, parallel } = require('gulp');

// tsc compiles only TypeScript; n8n loads icons (light and dark) and codex (.node.json) files from
// beside the compiled ones. Each copy is its own task so gulp waits for both streams to finish.
function copyNodeAssets() {
	return src(path.resolve('nodes', '**', '*.{png,svg,node.json}')).pipe(dest(path.resolve('dist', 'nodes')));
}

function copyCredentialIcons() {
	return src(path.resolve('credentials', '**', '*.{png,svg}')).pipe(dest(path.resolve('dist', 'credentials')));
}

task('build:icons', parallel(copyNodeAssets, copyCredentialIcons));
