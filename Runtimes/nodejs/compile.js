#!/usr/bin/env node
'use strict';
// The Node.js runtime's compile, `compile.js <main> <srcdir> <bindir>`, which
// `compile` (the OW_COMPILER) runs for everything but a plain source at an
// /init (that one it installs itself, without starting node).
//
// <srcdir> holds either one source file, `exec` (the proxy's name for plain
// source text: `function main(params) {…}`, no exports needed), or an
// extracted zip: a package with `package.json` (its "main", default
// index.js) and `node_modules/`, or package.json dependencies without
// `node_modules/`, which `actionproxy -compile` installs with npm (see
// installDependencies). It leaves in <bindir>:
//
//     exec          a #!/bin/sh entry that starts the launcher with node
//     launcher.js   a copy of the launcher, so that bin/ works on its own
//                   (as the zip that `actionproxy -compile` makes of it)
//     action/       the action: the package, or the source as action.cjs
//
// Prints nothing on success: anything printed is the error text of /init.

const fs = require('fs');
const os = require('os');
const path = require('path');
const vm = require('vm');
const { spawnSync } = require('child_process');

class CompileError extends Error {}

// A warning node prints (a package.json "main" it falls back from, say)
// would read as a failed compile.
process.noDeprecation = true;

// The parameters CommonJS wraps a module in: a top-level `return` or
// `require` must check as they will run.
const MODULE_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

// Words that cannot follow `typeof`: such an entry point can only be exported.
const RESERVED = new Set((
    'await break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if implements import in instanceof interface let new null package private ' +
    'protected public return static super switch this throw true try typeof var void while with yield'
).split(' '));

function main() {
    if (process.argv.length !== 5) throw new CompileError('usage: compile <main> <srcdir> <bindir>');
    // The proxy may pass paths relative to its working folder; require.resolve
    // would take those for package names.
    const name = process.argv[2] || 'main';
    const [source, binary] = [path.resolve(process.argv[3]), path.resolve(process.argv[4])];
    const actionDir = path.join(binary, 'action');
    fs.mkdirSync(actionDir, { recursive: true });
    let entry, entryPoint = name;
    const plain = isPlainSource(source);
    if (plain) {
        entry = installSource(path.join(source, 'exec'), actionDir, name);
    } else {
        ({ entry, entryPoint } = installPackage(source, actionDir, name));
        installDependencies(actionDir, name);
    }
    fs.copyFileSync(path.join(__dirname, 'launcher.js'), path.join(binary, 'launcher.js'));
    // A package runs in its own folder, as upstream's runtime runs a zip:
    // `fs.readFileSync('./data.json')` finds the file beside index.js.
    writeExec(binary, path.relative(binary, entry), entryPoint, plain ? undefined : 'action');
}

/** The proxy wrote the code as `exec`, and it is not a package beside it. */
function isPlainSource(source) {
    const has = (file) => fs.existsSync(path.join(source, file));
    return has('exec') && !has('package.json') && !has('index.js');
}

/**
 * A single file: checked as it was sent (so that line numbers are the
 * user's), then saved with one line added at the end that exports the entry
 * point, which plain source only declares.
 */
function installSource(file, actionDir, name) {
    const text = fs.readFileSync(file, 'utf8');
    checkCommonJS(text, 'action.cjs');
    let exporter = '';
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED.has(name)) {
        const key = JSON.stringify(name);
        exporter = `\n;if (typeof ${name} !== 'undefined' && module.exports[${key}] === undefined) ` +
            `module.exports[${key}] = ${name};\n`;
    }
    const target = path.join(actionDir, 'action.cjs');
    fs.writeFileSync(target, text + exporter);
    return target;
}

/**
 * A zip's content moves (not copies: node_modules can be large) into
 * action/; its entry file is found as `require(folder)` will find it, or,
 * for a main of `file.name` (or `file.a.b`) with a `file` in the zip, as
 * upstream's runtime finds it: that file, and the export at that path.
 */
function installPackage(source, actionDir, name) {
    source = packageRoot(source);
    for (const item of fs.readdirSync(source)) {
        fs.renameSync(path.join(source, item), path.join(actionDir, item));
    }
    const manifest = path.join(actionDir, 'package.json');
    let declared;
    if (fs.existsSync(manifest)) {
        try {
            declared = JSON.parse(fs.readFileSync(manifest, 'utf8')).main;
        } catch (error) {
            throw new CompileError(`package.json is not valid JSON: ${error.message}`);
        }
    }
    const dot = name.indexOf('.');
    if (dot > 0) {
        let named;
        try {
            named = require.resolve(path.join(actionDir, name.slice(0, dot)));
        } catch {
            named = undefined;
        }
        if (named && named.startsWith(actionDir + path.sep)) {
            checkEntry(named, actionDir);
            return { entry: named, entryPoint: name.slice(dot + 1) };
        }
    }
    let entry;
    try {
        entry = require.resolve(actionDir);
    } catch {
        throw new CompileError(declared
            ? `The package.json "main" of the action, ${JSON.stringify(declared)}, names no file in the zip.`
            : 'The zip has no entry point: add index.js, or a package.json whose "main" names one.');
    }
    checkEntry(entry, actionDir);
    return { entry, entryPoint: name };
}

// --- Dependencies ------------------------------------------------------------

// The CA bundle a user mounts for package tools behind a TLS-re-signing proxy
// (the same path in every actionproxy image).
const CA_BUNDLE = '/etc/actionproxy/ca.crt';
// The most of npm's own error lines a failed install reports.
const NPM_ERROR_LINES = 20;

/** The names a package.json needs installed: dependencies and optionalDependencies. */
function declaredDependencies(manifest) {
    const names = [];
    for (const field of ['dependencies', 'optionalDependencies']) {
        const list = manifest[field];
        if (list !== null && typeof list === 'object' && !Array.isArray(list)) names.push(...Object.keys(list));
    }
    return [...new Set(names)];
}

/**
 * Whether this compile runs for `actionproxy -compile` (the proxy, this
 * script's parent, was started with that flag) rather than for an /init.
 */
function isOfflineCompile() {
    let words;
    try {
        words = fs.readFileSync(`/proc/${process.ppid}/cmdline`, 'utf8').split('\0');
    } catch {
        return false;
    }
    return words.slice(1).some((word) => /^--?compile(=|$)/.test(word));
}

/**
 * A package whose package.json lists dependencies and that has no
 * node_modules/: `actionproxy -compile` installs them (`npm ci` when the zip
 * has a lock file, else `npm install`, production dependencies only), so that
 * the zip it makes starts with no network. At an /init the action is not
 * installed (that would run at every cold start, resolve versions anew in
 * every container, and need the registry and memory at /init): the init
 * fails and says how to prebuild.
 */
function installDependencies(actionDir, name) {
    const manifestFile = path.join(actionDir, 'package.json');
    if (!fs.existsSync(manifestFile) || fs.existsSync(path.join(actionDir, 'node_modules'))) return;
    const text = fs.readFileSync(manifestFile, 'utf8');
    const manifest = JSON.parse(text);
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return;
    const names = declaredDependencies(manifest);
    if (names.length === 0) return;
    if (!isOfflineCompile()) {
        const listed = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} in all)` : '');
        throw new CompileError(
            `The action's package.json lists dependencies (${listed}) and the zip has no node_modules. ` +
            `Install them ahead of time: 'docker run -i actionproxy/nodejs:${process.versions.node.split('.')[0]} ` +
            `-compile ${name} <action.zip >bin.zip' ` +
            'runs npm install --omit=dev and makes a zip to send instead (or zip node_modules with the action).');
    }
    const locked = ['package-lock.json', 'npm-shrinkwrap.json'].some((file) => fs.existsSync(path.join(actionDir, file)));
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'actionproxy-npm-'));
    const environment = npmEnvironment(cache);
    // `npm install --omit=dev` still resolves the devDependencies (it builds
    // the whole tree, then leaves them out), which needs the registry for
    // test tools that never reach the zip: without a lock file they are taken
    // out of package.json for the install, and the file is put back as it was.
    const withoutDev = !locked && manifest.devDependencies !== undefined;
    const command = locked ? 'ci' : 'install';
    const args = [command, '--omit=dev', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error'];
    if (!locked) args.push('--no-package-lock');
    let installed;
    try {
        if (withoutDev) {
            const { devDependencies, ...production } = manifest;
            fs.writeFileSync(manifestFile, JSON.stringify(production, null, 2) + '\n');
        }
        installed = spawnSync('npm', args, {
            cwd: actionDir, env: environment, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
            maxBuffer: 64 * 1024 * 1024,
        });
    } finally {
        if (withoutDev) fs.writeFileSync(manifestFile, text);
        fs.rmSync(cache, { recursive: true, force: true });
    }
    if (installed.error) {
        throw new CompileError(`npm ${command} could not run: ${installed.error.message}` +
            (installed.error.code === 'ENOENT' ? ' (npm is not on PATH)' : ''));
    }
    if (installed.status === 0) return;
    throw new CompileError(npmFailure(command, installed, environment));
}

/**
 * npm's environment: the proxy's (so `docker run -e npm_config_registry=…`
 * and the rest of npm's settings apply), a cache of its own, few retries (a
 * registry that does not answer fails in seconds, not minutes), and the CA
 * bundle of /etc/actionproxy/ca.crt when one is mounted. A setting the
 * environment already has wins over these.
 */
function npmEnvironment(cache) {
    const environment = { ...process.env };
    const has = (name) => Object.keys(environment).some((key) => key.toLowerCase() === name);
    const defaults = {
        npm_config_cache: cache,
        npm_config_fetch_retries: '1',
        npm_config_fetch_retry_mintimeout: '2000',
        npm_config_fetch_retry_maxtimeout: '10000',
        npm_config_fetch_timeout: '60000',
    };
    if (fs.existsSync(CA_BUNDLE)) {
        defaults.npm_config_cafile = CA_BUNDLE;
        if (!environment.NODE_EXTRA_CA_CERTS) environment.NODE_EXTRA_CA_CERTS = CA_BUNDLE;
    }
    for (const [key, value] of Object.entries(defaults)) {
        if (!has(key)) environment[key] = value;
    }
    return environment;
}

/**
 * npm's own error lines, short: no log-file pointer, no stack or error
 * object that npm prints for some failures (ECONNREFUSED), at most
 * NPM_ERROR_LINES.
 */
function npmFailure(command, installed, environment) {
    const lines = [];
    for (const line of `${installed.stderr || ''}\n${installed.stdout || ''}`.split('\n')) {
        const match = /^npm (?:error|ERR!) ?(.*)$/.exec(line.trimEnd());
        if (!match) continue;
        const text = match[1];
        if (text === '' || text === 'network' || text === '}' || /^\s/.test(text)) continue;
        if (/A complete log of this run/.test(text)) continue;
        lines.push('npm error ' + text.replace(/ \{$/, ''));
    }
    const status = installed.signal ? `signal ${installed.signal}` : `exit ${installed.status}`;
    let report = `npm ${command} --omit=dev failed (${status}) installing the action's dependencies:\n`;
    report += lines.length ? lines.slice(0, NPM_ERROR_LINES).join('\n') : (installed.stderr || '').trim().split('\n').slice(-NPM_ERROR_LINES).join('\n');
    if (lines.length > NPM_ERROR_LINES) report += `\nnpm error … (${lines.length - NPM_ERROR_LINES} more lines)`;
    const text = lines.join('\n');
    if (/\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENETUNREACH)\b/.test(text)) {
        const registry = environment.npm_config_registry || 'https://registry.npmjs.org/';
        report += `\nThe registry (${registry}) could not be reached: name another with -e npm_config_registry=URL, ` +
            "or give the dependencies as 'file:' folders or tarballs inside the zip.";
    } else if (/\b(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_\w+)\b/.test(text)) {
        report += `\nThe registry's certificate is not trusted: mount your CA bundle with -v <bundle>:${CA_BUNDLE}:ro.`;
    }
    return report;
}

function checkEntry(entry, actionDir) {
    const relative = path.relative(actionDir, entry);
    if (isModule(entry, actionDir)) checkModule(entry, actionDir);
    else if (/\.(c?js)$/.test(entry)) checkCommonJS(fs.readFileSync(entry, 'utf8'), relative);
}

/** The zip's top, or the one folder it holds when it was zipped with its folder. */
function packageRoot(source) {
    const items = fs.readdirSync(source).filter((item) => item !== '__MACOSX');
    if (items.length !== 1) return source;
    const only = path.join(source, items[0]);
    const isPackage = fs.statSync(only).isDirectory() &&
        (fs.existsSync(path.join(only, 'package.json')) || fs.existsSync(path.join(only, 'index.js')));
    return isPackage ? only : source;
}

/** Whether node will load `file` as an ECMAScript module. */
function isModule(file, actionDir) {
    if (file.endsWith('.mjs')) return true;
    if (!file.endsWith('.js')) return false;
    for (let folder = path.dirname(file); ; folder = path.dirname(folder)) {
        const manifest = path.join(folder, 'package.json');
        if (fs.existsSync(manifest)) {
            try {
                return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
            } catch {
                return false;
            }
        }
        if (folder === actionDir || folder === path.dirname(folder)) return false;
    }
}

/** Compiles without running, as node's CommonJS loader would. */
function checkCommonJS(text, filename) {
    try {
        vm.compileFunction(text, MODULE_PARAMETERS, { filename });
    } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        // V8's stack of a syntax error starts with `file:line`, the line and
        // a caret; what follows the message is this script's own frames.
        const report = String(error.stack).split('\n    at ')[0];
        throw new CompileError(report.replace(/\n{3,}/g, '\n\n').trim());
    }
}

/** An ECMAScript module cannot be compiled in-process without a flag: ask node. */
function checkModule(file, actionDir) {
    const checked = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    if (checked.status === 0) return;
    const report = (checked.stderr || checked.error?.message || 'node --check failed').split('\n    at ')[0];
    throw new CompileError(report.split(actionDir + path.sep).join('').replace(/\n{3,}/g, '\n\n').trim());
}

function shellQuote(text) {
    return "'" + text.replace(/'/g, "'\\''") + "'";
}

function writeExec(binary, entry, name, workingFolder) {
    const folder = workingFolder === undefined ? '' : ` "$here/"${shellQuote(workingFolder)}`;
    const script = [
        '#!/bin/sh',
        '# Written by the Node.js runtime\'s compile: starts the launcher for this action.',
        '# The proxy\'s request pipe moves to fd 4 and node\'s stdin becomes /dev/null,',
        '# so that the action\'s own code cannot read request lines meant for the launcher.',
        'here="${0%/*}"',
        `exec node "$here/launcher.js" "$here/"${shellQuote(entry)} ${shellQuote(name)} 4${folder} 4<&0 0</dev/null`,
        '',
    ].join('\n');
    fs.writeFileSync(path.join(binary, 'exec'), script, { mode: 0o755 });
    fs.chmodSync(path.join(binary, 'exec'), 0o755);
}

try {
    main();
} catch (error) {
    process.stdout.write((error instanceof CompileError ? error.message : String(error.stack || error)) + '\n');
    process.exitCode = 1;
}
