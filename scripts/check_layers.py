#!/usr/bin/env python3
"""Fails when a source file includes a header of a layer it may not use.

The layers and their one-way dependencies are docs/architecture.md's
"Layers" graph, refined per sub-layer (the CMake targets in CMakeLists.txt
link the same table). Only quoted includes ("dir/file.h") are checked;
system headers (<...>) are not ours. The poor man's bazel visibility.

  scripts/check_layers.py [--root DIR] [--stamp FILE]

Prints one line per violation (file:line: what) and exits 1 when there is
any; writes FILE (for the build's stamp) only when the tree is clean.
"""
import argparse
import os
import re
import sys

# Folder of the including file -> folders it may include from. The longest
# matching folder wins; "x/**" means x and everything below it.
ALLOWED = {
    "base": ["base"],
    "soap": ["soap", "base"],
    "certs": ["certs", "base"],
    # The MI API, the registry, the C ABI and its loader.
    "providers": ["providers", "providers/abi", "base"],
    "providers/abi": [],
    "providers/samples": ["providers/abi", "providers/samples"],
    "providers/host": ["providers/host", "providers", "base"],
    "providers/shell": ["providers/shell", "providers", "base"],
    "providers/testing": ["providers/testing", "providers", "base"],
    "engine": ["engine", "soap", "providers", "base"],
    "engine/cim": ["engine/cim", "engine", "soap", "providers", "base"],
    "engine/config": ["engine/config", "engine", "soap", "providers", "base"],
    "engine/winrs": ["engine/winrs", "engine", "soap", "providers/shell",
                     "providers", "base"],
    "server": ["server/**", "engine/**", "providers/**", "soap", "certs",
               "base"],
}
LAYERS = ("base", "soap", "certs", "providers", "engine", "server")
SOURCE = re.compile(r"\.(cc|h|c)$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def owner(folder):
    """The ALLOWED key governing `folder` (longest prefix), or None."""
    best = None
    for key in ALLOWED:
        if folder == key or folder.startswith(key + "/"):
            if best is None or len(key) > len(best):
                best = key
    return best


def may_include(key, target_folder):
    for allowed in ALLOWED[key]:
        if allowed.endswith("/**"):
            base = allowed[:-3]
            if target_folder == base or target_folder.startswith(base + "/"):
                return True
        elif target_folder == allowed:
            return True
    return False


def violations(root):
    found = []
    for layer in LAYERS:
        for dirpath, _, files in os.walk(os.path.join(root, layer)):
            folder = os.path.relpath(dirpath, root)
            key = owner(folder)
            for name in sorted(files):
                if not SOURCE.search(name):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        target_folder = os.path.dirname(target)
                        if not target_folder:
                            found.append(f"{rel}:{lineno}: \"{target}\" names"
                                         " no layer (include it as"
                                         " \"layer/file.h\")")
                        elif not may_include(key, target_folder):
                            found.append(
                                f"{rel}:{lineno}: {key}/ may not include"
                                f" \"{target}\" (allowed:"
                                f" {', '.join(ALLOWED[key]) or 'none'};"
                                " docs/architecture.md, Layers)")
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--stamp")
    args = parser.parse_args()
    found = violations(args.root)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"layering: {len(found)} upward or sideways include(s)",
              file=sys.stderr)
        return 1
    if args.stamp:
        with open(args.stamp, "w", encoding="utf-8") as f:
            f.write("clean\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
