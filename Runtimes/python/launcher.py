#!/usr/bin/env python3
"""The long-lived Python action process behind actionproxy.

Started by the `bin/exec` that `compile` writes, as

    python3 launcher.py <action folder> <entry point name>

It loads the action once (`<action folder>/__main__.py`), acknowledges with
`{"ok":true}` on fd 3 when the proxy waits for it, then answers one JSON line
on fd 3 for every JSON line read on stdin. See Runtimes/python/README.md.
"""

# Imports are few and cheap on purpose: they are paid at every cold start.
# `traceback` and `asyncio` are imported when first needed.
import fcntl
import importlib.util
import json
import os
import site
import sys

# The name the action's `__main__.py` is imported under: not `__main__`, which
# is this launcher, so that `if __name__ == "__main__":` blocks stay quiet.
MODULE_NAME = "main__"

# Files of the launcher (and of the import machinery) are cut from the
# tracebacks shown to users: their own frames are what they need to see.
LAUNCHER_FILE = os.path.abspath(__file__)


class Protocol:
    """The proxy's pipes, kept on private descriptors.

    User code gets /dev/null as stdin and no fd 3, so a stray `input()`, a
    `sys.stdin.read()` or a child process cannot eat a request line or write
    a fake result.
    """

    def __init__(self):
        try:
            results = private_copy(3)
        except OSError:
            # Started by hand, without the proxy: answer on stdout so that
            # `echo '{"value":{}}' | bin/exec` can be used to try an action.
            results = private_copy(1)
        else:
            os.close(3)
        self.results = os.fdopen(results, "wb")
        self.requests = os.fdopen(private_copy(0), "rb")
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)

    def read(self):
        """The next request line, or None at the end of input."""
        line = self.requests.readline()
        return line or None

    def write(self, line):
        flush_logs()
        self.results.write(line.encode("utf-8") + b"\n")
        self.results.flush()


def private_copy(fd):
    """A copy of `fd` numbered 10 or more, out of the way of the low numbers
    the action's own files get, and closed on exec: child processes of the
    action do not inherit the protocol pipes."""
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)


def flush_logs():
    """The action's log lines must reach the proxy before its result does:
    the proxy writes the activation's sentinels after the result."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass  # a stream the action closed or replaced with something odd


def print_user_traceback(error):
    """The traceback of `error` from its first frame outside the launcher."""
    import traceback

    frames = error.__traceback__
    while frames is not None:
        name = frames.tb_frame.f_code.co_filename
        if not name.startswith("<frozen ") and os.path.abspath(name) != LAUNCHER_FILE:
            break
        frames = frames.tb_next
    traceback.print_exception(type(error), error, frames, file=sys.stderr)


def compact(value):
    """One line of compact JSON. Strings are escaped, so a newline inside a
    value can never split the line."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        # A lone surrogate (from "\ud800" in the input) cannot be UTF-8.
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def add_virtualenv(folder):
    """Puts `virtualenv/lib/python3*/site-packages` of the action before the
    image's own packages, `.pth` files included."""
    lib = os.path.join(folder, "virtualenv", "lib")
    if not os.path.isdir(lib):
        return
    running = "python%d.%d" % sys.version_info[:2]
    versions = sorted(name for name in os.listdir(lib) if name.startswith("python3"))
    if running in versions:
        versions = [running]
    elif versions:
        print(
            "warning: the action's virtualenv was made for %s, this is %s: compiled modules may not load"
            % (" and ".join(versions), running),
            file=sys.stderr,
        )
    before = list(sys.path)
    for version in versions:
        packages = os.path.join(lib, version, "site-packages")
        if os.path.isdir(packages):
            site.addsitedir(packages)
    added = [entry for entry in sys.path if entry not in before]
    sys.path[:] = before[:1] + added + before[1:]


def load(folder, name):
    """Imports the action and returns its entry point. Any failure is
    reported on stderr and ends the process, so that /init fails."""
    sys.path[0] = folder
    add_virtualenv(folder)
    # Relative paths in the action (data files shipped in its zip) resolve
    # against its own folder.
    os.chdir(folder)
    path = os.path.join(folder, "__main__.py")
    try:
        spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE_NAME] = module
        spec.loader.exec_module(module)
    except SystemExit as exit:
        fail("the action called sys.exit(%s) while loading" % ("" if exit.code is None else repr(exit.code)))
    except BaseException as error:
        print("the action could not be loaded:", file=sys.stderr)
        print_user_traceback(error)
        fail(None)
    entry = getattr(module, name, None)
    if not callable(entry):
        fail(
            "the action has no function named %r (define `def %s(args):` or set the init's main)" % (name, name)
            if entry is None
            else "the action's %r is not a function" % name
        )
    return entry


def fail(message):
    if message:
        print(message, file=sys.stderr)
    flush_logs()
    # Not sys.exit: a thread the action started while loading would keep the
    # process alive, and the proxy waits for its exit.
    os._exit(1)


class ActivationEnvironment:
    """Exports the activation fields as `__OW_<KEY>` variables, and takes back
    the ones a previous activation set that this one does not carry."""

    def __init__(self):
        self.original = dict(os.environ)
        self.exported = set()

    def export(self, request):
        names = set()
        for key, field in request.items():
            if key == "value":
                continue
            name = "__OW_" + key.upper()
            text = field if isinstance(field, str) else compact(field)
            try:
                os.environ[name] = text
            except ValueError:
                # A NUL character or `=` in the name: the OS cannot hold it.
                print("warning: cannot export %s to the environment" % name, file=sys.stderr)
                continue
            names.add(name)
        for name in self.exported - names:
            if name in self.original:
                os.environ[name] = self.original[name]
            else:
                os.environ.pop(name, None)
        self.exported = names


def activate(entry, environment, line):
    """Runs one activation; returns its result line."""
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ValueError("the request is not a JSON object")
    except ValueError as error:
        return compact({"error": "the action received an invalid request: %s" % error})
    environment.export(request)
    try:
        result = entry(request.get("value", {}))
        if hasattr(type(result), "__await__"):
            import asyncio

            result = asyncio.run(_await(result))
    except SystemExit as exit:
        # As upstream: sys.exit ends the process (a developer error, the
        # proxy answers 400 "command exited"), with the logs flushed first.
        flush_logs()
        os._exit(exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1))
    except Exception as error:
        print_user_traceback(error)
        return compact({"error": str(error) or type(error).__name__})
    try:
        return compact(result)
    except (TypeError, ValueError) as error:
        print("the action's result is not JSON: %s" % error, file=sys.stderr)
        return compact({"error": "the action's result cannot be written as JSON: %s" % error})


async def _await(awaitable):
    return await awaitable


def main():
    folder, name = os.path.abspath(sys.argv[1]), sys.argv[2]
    acknowledge = bool(os.environ.get("__OW_WAIT_FOR_ACK"))
    protocol = Protocol()
    # Logs are UTF-8 whatever the locale of the image or the init's env say.
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    entry = load(folder, name)
    environment = ActivationEnvironment()
    if acknowledge:
        protocol.write('{"ok":true}')
    while True:
        line = protocol.read()
        if line is None:
            break
        protocol.write(activate(entry, environment, line))
    # The proxy is gone: leave now, even if the action left threads running.
    flush_logs()
    os._exit(0)


if __name__ == "__main__":
    main()
