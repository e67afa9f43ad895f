#!/usr/bin/python3
"""A stand-in for PowerShell 7's pwsh, configured as [shell] powershell in
test_shell_powershell.py (PowerShell itself cannot be installed on the test
machine). It records what wsmand started it with -- argv, stdin, the
working directory and environment -- as JSON in records/<pid>.json next to
itself, then emulates pwsh just enough for POSIX payloads: an
-EncodedCommand (base64 UTF-16LE) or -Command text, or the script on stdin
for "-Command -", is run with /bin/sh, its output and exit code passed
through. It is not PowerShell: what it proves is the command-line mapping,
not PowerShell semantics."""
import base64
import json
import os
import select
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def option(argv, name):
    """The value after option `name` (pwsh's full spelling), or None."""
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
    return None


def main():
    argv = sys.argv
    command = option(argv, "-Command")
    reads_script = command == "-"
    stdin = b""
    if reads_script:
        stdin = sys.stdin.buffer.read()
    else:
        # pwsh reads stdin only when the script asks ($input); a caller
        # that sends some closes it. Take what arrives within a moment.
        ready, _, _ = select.select([sys.stdin], [], [], 1.0)
        if ready:
            stdin = sys.stdin.buffer.read()
    record = {
        "argv": argv,
        "stdin": stdin.decode("utf-8", "replace"),
        "cwd": os.getcwd(),
        "env": {k: os.environ.get(k) for k in ("HOME", "USER", "PATH")},
        "uid": os.getuid(),
    }
    records = os.path.join(HERE, "records")
    with open(os.path.join(records, f"{os.getpid()}.json"), "w") as f:
        json.dump(record, f)
    encoded = option(argv, "-EncodedCommand")
    if encoded is not None:
        script = base64.b64decode(encoded).decode("utf-16-le")
        payload = stdin
    elif reads_script:
        script, payload = stdin.decode(), b""
    elif command is not None:
        script = " ".join(argv[argv.index("-Command") + 1:])
        payload = stdin
    else:
        return 0
    done = subprocess.run(["/bin/sh", "-c", script], input=payload)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
