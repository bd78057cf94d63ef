#!/usr/bin/env python3
"""Writes a small wheel and a PEP 503 index beside it, for the tests of
requirements.txt at -compile (no network: pip reads this folder, or the
index served on 127.0.0.1).

    make-wheel.py OUTDIR NAME VERSION [--extension]

NAME's module answers `greet(name)`. With --extension the greeting comes
from a C extension module (`NAME._native`) built here against this
python3's headers for the stable ABI (abi3, Python 3.8 on), so that one
wheel loads in every image's Python. OUTDIR gets the .whl and
simple/NAME/index.html.
"""

import base64
import hashlib
import os
import subprocess
import sys
import sysconfig
import tempfile
import zipfile


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def build_extension(name, scratch):
    source = os.path.join(scratch, "native.c")
    with open(source, "w") as file:
        file.write(
            """
#define Py_LIMITED_API 0x03080000
#include <Python.h>
static PyObject *greet(PyObject *self, PyObject *args) {
    const char *who;
    if (!PyArg_ParseTuple(args, "s", &who)) return NULL;
    return PyUnicode_FromFormat("Hello %%s from C", who);
}
static PyMethodDef methods[] = {{"greet", greet, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "%s._native", NULL, -1, methods};
PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
"""
            % name
        )
    library = os.path.join(scratch, "_native.abi3.so")
    include = sysconfig.get_paths()["include"]
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O2", "-I", include, source, "-o", library], check=True
    )
    with open(library, "rb") as file:
        return file.read()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, name, version = sys.argv[1:4]
    extension = "--extension" in sys.argv[4:]
    files = {}
    if extension:
        with tempfile.TemporaryDirectory() as scratch:
            files["%s/_native.abi3.so" % name] = build_extension(name, scratch)
        files["%s/__init__.py" % name] = b"from ._native import greet\n"
        tag = "cp38-abi3-linux_x86_64"
    else:
        files["%s/__init__.py" % name] = (
            b"def greet(who):\n    return 'Hello %s from " + name.encode() + b"' % who\n"
        )
        tag = "py3-none-any"
    info = "%s-%s.dist-info" % (name, version)
    files[info + "/METADATA"] = (
        "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    ).encode()
    files[info + "/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: make-wheel\nRoot-Is-Purelib: %s\nTag: %s\n"
        % ("false" if extension else "true", tag)
    ).encode()
    record = [record_line(path, data) for path, data in files.items()] + [info + "/RECORD,,"]
    files[info + "/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = "%s-%s-%s.whl" % (name, version, tag)
    os.makedirs(out, exist_ok=True)
    with zipfile.ZipFile(os.path.join(out, wheel), "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    index = os.path.join(out, "simple", name)
    os.makedirs(index, exist_ok=True)
    with open(os.path.join(index, "index.html"), "w") as file:
        file.write('<!DOCTYPE html><html><body><a href="../../%s">%s</a></body></html>\n' % (wheel, wheel))
    print(wheel)


if __name__ == "__main__":
    main()
