'use strict';
// The long-lived Node.js process behind actionproxy:
// `node launcher.js <entry-file> <main> [<request-fd>]`.
//
// It loads the action once, acknowledges on fd 3, then answers one request
// line (read from fd 4, where bin/exec moved the proxy's stdin) with one
// result line on fd 3. With __OW_ALLOW_CONCURRENT the lines are framed as
// `<id> <json>` and activations overlap. See README.md beside this file.

const fs = require('fs');
const net = require('net');
const path = require('path');
const util = require('util');
const { AsyncLocalStorage } = require('async_hooks');
const { pathToFileURL } = require('url');

const RESULT_FD = 3;

const entryFile = path.resolve(process.argv[2] || 'index.js');
const mainName = process.argv[3] || 'main';
// bin/exec passes 4, where it moved the proxy's stdin; by hand, stdin serves.
const requestFd = Number(process.argv[4] || 0);
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
    logNow(`The action exited (code ${code}) while loading, before it was ready to run.`);
    if (!code) process.exitCode = 1;
});

async function loadModule(file) {
    let exported;
    try {
        exported = require(file);
    } catch (error) {
        // An ECMAScript module that this node cannot require (or that awaits at its top level).
        if (error.code !== 'ERR_REQUIRE_ESM' && error.code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
        exported = await import(pathToFileURL(file).href);
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
        fail(`The action could not be loaded from ${entryFile}:\n${describe(error)}`);
    }
    const candidate = exported == null ? undefined : exported[mainName];
    if (typeof candidate === 'function') return candidate;
    if (typeof exported === 'function' && candidate === undefined) return exported;
    if (candidate !== undefined) {
        fail(`The action's '${mainName}' (exported by ${entryFile}) is a ${typeof candidate}, not a function.`);
    }
    const names = exported != null && typeof exported === 'object' ? Object.keys(exported) : [];
    fail(
        `The action has no function named '${mainName}': ${entryFile} exports ` +
        (names.length ? names.join(', ') : 'nothing') + '.');
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

    async answer(result) {
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

    failWith(error) {
        if (this.answered) {
            logNow(`An error arrived after activation ${this.id ?? ''} had answered: ${describe(error)}`);
            return;
        }
        if (error instanceof Error) {
            console.error(error);
            return this.answer({ error: error.message || String(error) });
        }
        // `throw "text"` or `reject({…})`: the value is the error, as it is.
        console.error('The action failed with', error);
        return this.answer({ error: error ?? 'The action failed without a reason.' });
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
        try {
            const result = await main(params, environment);
            // A bare `return;` means an empty result, as in OpenWhisk.
            await activation.answer(result === undefined ? {} : result);
        } catch (error) {
            await activation.failWith(error);
        }
    });
    return activation.done;
}

/** Calls `onLine` with each complete line (UTF-8) read from `fd`, then `onEnd`. */
function readLines(fd, onLine, onEnd) {
    const stats = fs.fstatSync(fd);
    const input = stats.isFIFO() || stats.isSocket()
        ? new net.Socket({ fd, readable: true, writable: false })
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

    if (waitForAck) writeAll(RESULT_FD, concurrent ? '{"ok":true,"concurrent":true}\n' : '{"ok":true}\n');
}

serve();
