"""Vendors LiteRT.js (the npm packages @litertjs/core and @litertjs/wasm-utils) into
nst_tf/serve/static/vendor/litertjs: only the files the page loads, with the licence and the
version, so the page never fetches the runtime from elsewhere.

    python -m tools.release.vendor_litertjs [--version 2.5.3]

Runs `npm install` into a scratch folder (needs Node and the npm registry, only when the files
are prepared) and copies the ES modules and the WebAssembly builds the page picks from.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from tools import REPOSITORY

TARGET = os.path.join(REPOSITORY, "nst_tf", "serve", "static", "vendor", "litertjs")
VERSION = "2.5.3"
# The WebAssembly builds kept: relaxed SIMD (current Chromium and Firefox), its threaded twin
# (used when the page is cross-origin isolated) and the compatible one (no relaxed SIMD). The
# JSPI build (WebNN, WebGPU partitioning) is left out: the page runs on the CPU.
WASM_BUILDS = (
    "litert_wasm_internal",
    "litert_wasm_threaded_internal",
    "litert_wasm_compat_internal",
)
LICENSE = "/usr/share/common-licenses/Apache-2.0"


def parse_args(argv=None):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=VERSION, help="@litertjs/core version.")
    parser.add_argument("--out", default=TARGET, help="Folder written (replaced).")
    return parser.parse_args(argv)


def install(version, scratch):
    """npm-installs @litertjs/core@version into scratch; returns its node_modules/@litertjs."""
    subprocess.run(["npm", "init", "-y"], cwd=scratch, check=True, capture_output=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", f"@litertjs/core@{version}"],
        cwd=scratch, check=True,
    )  # fmt: skip
    return os.path.join(scratch, "node_modules", "@litertjs")


def copy_runtime(packages, out):
    """Copies the page's files from the installed packages into out; returns their versions."""
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "wasm"))
    core, utils = os.path.join(packages, "core"), os.path.join(packages, "wasm-utils")
    shutil.copy(os.path.join(core, "dist", "index.js"), os.path.join(out, "core.js"))
    shutil.copy(os.path.join(utils, "dist", "index.js"), os.path.join(out, "wasm-utils.js"))
    for build in WASM_BUILDS:
        for ending in (".js", ".wasm"):
            name = build + ending
            shutil.copy(os.path.join(core, "wasm", name), os.path.join(out, "wasm", name))
    versions = {}
    for name, folder in (("@litertjs/core", core), ("@litertjs/wasm-utils", utils)):
        with open(os.path.join(folder, "package.json"), encoding="utf-8") as file:
            meta = json.load(file)
        versions[name] = {"version": meta["version"], "license": meta.get("license", "")}
    return versions


def write_notice(out, versions):
    """Writes the licence and a note of what was copied from where."""
    if os.path.exists(LICENSE):
        shutil.copy(LICENSE, os.path.join(out, "LICENSE"))
    lines = ["LiteRT.js, copied by tools/release/vendor_litertjs.py from the npm registry:", ""]
    for name, meta in versions.items():
        lines.append(f"  {name} {meta['version']} ({meta['license']}, Copyright Google LLC)")
    lines += [
        "",
        "core.js is @litertjs/core/dist/index.js, wasm-utils.js is @litertjs/wasm-utils/dist/index.js,",
        "wasm/ holds the WebAssembly builds " + ", ".join(WASM_BUILDS) + ".",
        "Licensed under the Apache License 2.0 (LICENSE).",
    ]
    with open(os.path.join(out, "NOTICE"), "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def main(argv=None):
    """Installs, copies and reports the size; returns 0."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        versions = copy_runtime(install(args.version, scratch), args.out)
    write_notice(args.out, versions)
    total = sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(args.out) for name in names
    )  # fmt: skip
    print(f"wrote {args.out} ({total / 1e6:.1f} MB): {versions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
