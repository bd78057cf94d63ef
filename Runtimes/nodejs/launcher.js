'use strict';
// The long-lived Node.js process behind actionproxy:
// `node launcher.js <entry-file> <main> [<request-fd> [<working-folder>]]`.
//
// It loads the action once, acknowledges on fd 3, then answers one request
// line (read from fd 4, where bin/exec moved the proxy's stdin) with one
// result line on fd 3. With __OW_ALLOW_CONCURRENT the lines are framed as
// `<id> <json>` and activations overlap. See README.md beside this file.

// Only what loading the action needs comes before the ack (the cold start
// waits for it); `net` (the request pipe) and `url` (ECMAScript modules) load
// when used.
const fs = require('fs');
const path = require('path');
const util = require('util');
const { AsyncLocalStorage } = require('async_hooks');

const RESULT_FD = 3;

const entryFile = path.resolve(process.argv[2] || 'index.js');
const mainName = process.argv[3] || 'main';
// bin/exec passes 4, where it moved the proxy's stdin; by hand, stdin serves.
const requestFd = Number(process.argv[4] || 0);
// A zipped package runs in its own folder (bin/exec passes it).
if (process.argv[5]) process.chdir(process.argv[5]);
// The action's folder, which error reports name files relative to.
const actionFolder = process.argv[5] ? path.resolve(process.argv[5]) : path.dirname(entryFile);
const waitForAck = enabled(process.env.__OW_WAIT_FOR_ACK);
// Framing is announced in the ack, so without an ack there is no concurrency.
const concurrent = waitForAck && enabled(process.env.__OW_ALLOW_CONCURRENT);

// The `__OW_*` variables the process started with: each activation's own
// values are laid over these, and taken off again by the next activation.
const baselineEnvironment = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name.startsWith('__OW_')));
let exportedNames = [];

// Which activation a callback belongs to, so that an exception thrown in a
// timer of one activation fails that activation and no other.
const currentActivation = new AsyncLocalStorage();
const inFlight = new Set();
let ready = false;
let exitingOnPurpose = false;

function enabled(value) {
    return Boolean(value) && !['false', '0'].includes(value.trim().toLowerCase());
}

/** A message for stderr that cannot be lost: exit may follow at once. */
function logNow(text) {
    try {
        fs.writeSync(2, text.endsWith('\n') ? text : text + '\n');
    } catch {
        // stderr is gone: nothing else can report it either.
    }
}

function fail(text) {
    logNow(text);
    exitingOnPurpose = true;
    process.exit(1);
}

/**
 * The action cannot be loaded: says why on stderr, and to the proxy in place
 * of the ack (`failed {"error":…}`: /init answers 502 with it, as upstream's
 * "Initialization has failed due to: …"), then exits.
 */
function failToLoad(text, exit = true) {
    logNow(text);
    if (waitForAck) {
        try {
            writeAll(RESULT_FD, 'failed ' + JSON.stringify({ error: `Initialization has failed due to: ${text}` }) + '\n');
        } catch {
            // The proxy is gone: the exit tells it as much.
        }
    }
    exitingOnPurpose = true;
    if (exit) process.exit(1);
}

/** Writes all of `text` to `fd`, also when the pipe is full or non-blocking. */
function writeAll(fd, text) {
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buffer.length) {
        try {
            offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
        } catch (error) {
            if (error.code !== 'EAGAIN') throw error;
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        }
    }
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function drained(stream) {
    if (stream.destroyed || stream.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
        try {
            stream.write('', () => resolve());
        } catch {
            resolve();
        }
    });
}

// --- Loading the action ----------------------------------------------------

// An action that exits while loading (process.exit at the top level, or an
// uncaught error) must fail /init visibly and with a non-zero status.
process.on('exit', (code) => {
    if (ready || exitingOnPurpose) return;
    failToLoad(`The action exited (code ${code}) while loading, before it was ready to run.`, false);
    if (!code) process.exitCode = 1;
});

async function loadModule(file) {
    let exported;
    try {
        exported = require(file);
    } catch (error) {
        // An ECMAScript module that this node cannot require (or that awaits at its top level).
        if (error.code !== 'ERR_REQUIRE_ESM' && error.code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
        exported = await import(require('url').pathToFileURL(file).href);
    }
    // An ECMAScript module's named export, else what its default export holds.
    if (util.types.isModuleNamespaceObject(exported) && exported[mainName] === undefined &&
        exported.default !== undefined) {
        return exported.default;
    }
    return exported;
}

async function loadEntryPoint() {
    let exported;
    try {
        exported = await loadModule(entryFile);
    } catch (error) {
        failToLoad(syntaxReport(error) ?? `The action could not be loaded from ${entryFile}:\n${describe(error)}`);
    }
    // `a.b` (a zip's main of `file.a.b`) names a property path of the exports.
    const candidate = mainName.split('.').reduce((object, key) => (object == null ? undefined : object[key]), exported);
    if (typeof candidate === 'function') return candidate;
    if (typeof exported === 'function' && candidate === undefined) return exported;
    if (candidate !== undefined) {
        failToLoad(`The action's '${mainName}' (exported by ${entryFile}) is a ${typeof candidate}, not a function.`);
    }
    const names = exported != null && typeof exported === 'object' ? Object.keys(exported) : [];
    failToLoad(
        `The action has no function named '${mainName}': ${entryFile} exports ` +
        (names.length ? names.join(', ') : 'nothing') + '.');
}

function serializeRejection(reason, seen = new Set()) {
    if (reason === undefined || reason === null) return {};
    if (!(reason instanceof Error)) return reason;
    if (seen.has(reason)) return '[Circular]';
    seen.add(reason);
    const serialized = { name: reason.name, message: reason.message, stack: reason.stack };
    for (const [key, field] of Object.entries(reason)) {
        serialized[key] = field instanceof Error ? serializeRejection(field, seen) : field;
    }
    if (reason.cause !== undefined) {
        serialized.cause = reason.cause instanceof Error ? serializeRejection(reason.cause, seen) : reason.cause;
    }
    return serialized;
}

/**
 * A syntax error of the action's code as node reports it, the way the
 * runtime's compile check words it: `action.cjs:2`, the line, a caret and the
 * message, with paths relative to the action's folder and without the
 * loader's frames. Undefined for any other error (a SyntaxError that code
 * threw, from JSON.parse say, has no such header).
 */
function syntaxReport(error) {
    if (!(error instanceof SyntaxError)) return undefined;
    const stack = String(error.stack);
    if (!/^[^\n]+:\d+\n/.test(stack)) return undefined;
    return stack.split('\n    at ')[0].split(actionFolder + path.sep).join('').replace(/\n{3,}/g, '\n\n').trim();
}

function describe(error) {
    return error instanceof Error ? (error.stack || String(error)) : util.inspect(error);
}

// --- Activations -----------------------------------------------------------

/** One request in flight; `answer` sends its result line exactly once. */
class Activation {
    constructor(id) {
        this.id = id;
        this.answered = false;
        this.done = new Promise((resolve) => { this.markDone = resolve; });
    }

    /** Answers with `result`; `failed` answers a developer error instead. */
    async answer(result, failed = false) {
        if (this.answered) return;
        this.answered = true;
        let text;
        try {
            text = JSON.stringify(result);
        } catch (error) {
            text = JSON.stringify({ error: `The action's result cannot be converted to JSON: ${error.message}` });
        }
        // A function or symbol has no JSON: `null` makes the proxy report it.
        if (text === undefined) text = 'null';
        if (failed) text = 'failed ' + text;
        // The action's log lines must reach the log before the proxy, woken
        // by this result, writes its sentinels after them.
        await Promise.all([drained(process.stdout), drained(process.stderr)]);
        inFlight.delete(this);
        try {
            writeAll(RESULT_FD, (this.id === null ? '' : this.id + ' ') + text + '\n');
        } catch (error) {
            fail(`The result could not be sent to the proxy: ${error.message}`);
        }
        this.markDone();
    }

    /**
     * An exception thrown out of main (or out of a callback it left behind):
     * a developer error, as upstream's Node.js runtime answers it (502 "An
     * error has occurred: …"), with the stack in the log.
     */
    failWith(error) {
        if (this.answered) {
            logNow(`An error arrived after activation ${this.id ?? ''} had answered: ${describe(error)}`);
            return;
        }
        console.error(error);
        return this.answer({ error: `An error has occurred: ${String(error)}` }, true);
    }

    /**
     * A promise of main that rejected: an application error, `{"error": …}`
     * with the rejection as upstream serialises it (an Error's name, message,
     * stack and own fields; other values as they are; nothing as `{}`).
     */
    rejectWith(reason) {
        if (this.answered) return;
        return this.answer({ error: serializeRejection(reason) });
    }
}

/**
 * Exports this activation's fields as `__OW_<KEY>`, replacing those of the
 * previous activation, and returns the resulting `__OW_*` view (which the
 * action also gets as second argument: under concurrency process.env shows
 * only the latest activation).
 */
function exportEnvironment(message) {
    for (const name of exportedNames) {
        if (name in baselineEnvironment) process.env[name] = baselineEnvironment[name];
        else delete process.env[name];
    }
    const view = { ...baselineEnvironment };
    exportedNames = [];
    for (const [key, field] of Object.entries(message)) {
        if (key === 'value') continue;
        const name = '__OW_' + key.toUpperCase();
        const text = typeof field === 'string' ? field : JSON.stringify(field);
        view[name] = text;
        try {
            process.env[name] = text;
            exportedNames.push(name);
        } catch {
            // A name or value the OS refuses (NUL byte): the view still has it.
        }
    }
    return Object.freeze(view);
}

function start(id, body, main) {
    const activation = new Activation(id);
    inFlight.add(activation);
    let message;
    try {
        message = JSON.parse(body);
    } catch (error) {
        activation.answer({ error: `The request is not valid JSON: ${error.message}` });
        return activation.done;
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
        activation.answer({ error: 'The request must be a JSON object.' });
        return activation.done;
    }
    const environment = exportEnvironment(message);
    const params = message.value === undefined ? {} : message.value;
    currentActivation.run(activation, async () => {
        let returned;
        try {
            returned = main(params, environment);
        } catch (error) {
            await activation.failWith(error);
            return;
        }
        let result;
        try {
            result = await returned;
        } catch (reason) {
            await activation.rejectWith(reason);
            return;
        }
        // A bare `return;` means an empty result, as in OpenWhisk.
        await activation.answer(result === undefined ? {} : result);
    });
    return activation.done;
}

/** Calls `onLine` with each complete line (UTF-8) read from `fd`, then `onEnd`. */
function readLines(fd, onLine, onEnd) {
    const stats = fs.fstatSync(fd);
    const input = stats.isFIFO() || stats.isSocket()
        ? new (require('net').Socket)({ fd, readable: true, writable: false })
        : fs.createReadStream(null, { fd });
    let pending = [];
    input.on('data', (chunk) => {
        let start = 0;
        let newline;
        while ((newline = chunk.indexOf(10, start)) !== -1) {
            pending.push(chunk.subarray(start, newline));
            onLine(Buffer.concat(pending).toString('utf8'));
            pending = [];
            start = newline + 1;
        }
        if (start < chunk.length) pending.push(chunk.subarray(start));
    });
    input.on('end', onEnd);
    input.on('error', (error) => fail(`Cannot read requests: ${error.message}`));
}

async function serve() {
    const main = await loadEntryPoint();
    ready = true;

    // After the ack the process must survive the action's stray errors: the
    // activation they belong to fails, and the others carry on.
    const stray = (error) => {
        const activation = currentActivation.getStore();
        if (activation) return activation.failWith(error);
        if (!concurrent && inFlight.size === 1) return [...inFlight][0].failWith(error);
        logNow(`An error outside of any activation: ${describe(error)}`);
    };
    process.on('uncaughtException', stray);
    process.on('unhandledRejection', stray);

    // The ack first: reading requests is set up while the proxy answers /init.
    if (waitForAck) writeAll(RESULT_FD, concurrent ? '{"ok":true,"concurrent":true}\n' : '{"ok":true}\n');

    let queue = Promise.resolve();
    let ended = false;
    const exitWhenIdle = () => {
        if (ended && inFlight.size === 0) {
            exitingOnPurpose = true;
            process.exit(0);
        }
    };
    readLines(requestFd, (line) => {
        if (line.trim() === '') return;
        if (!concurrent) {
            queue = queue.then(() => start(null, line, main)).then(exitWhenIdle);
            return;
        }
        const space = line.indexOf(' ');
        const id = line.slice(0, space);
        if (space <= 0 || !/^[0-9]+$/.test(id)) {
            logNow(`A request line without its "<id> " frame was dropped: ${line.slice(0, 80)}`);
            return;
        }
        start(id, line.slice(space + 1), main).then(exitWhenIdle);
    }, () => {
        ended = true;
        queue.then(exitWhenIdle);
    });
}

serve();
