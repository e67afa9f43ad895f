"""Helpers for the observability tests (access-line fault details, debug
lifecycle lines, the metrics endpoint): a daemon at the default log level,
and readers for the log's key=value lines."""
import os
import re
import shutil
import stat
import tempfile

from conftest import Daemon, binary_for


def info_daemon(config_text=None):
    """A Daemon whose --log-level is info, the default (conftest starts
    them at debug): a wrapper binary rewrites that one argument."""
    workdir = tempfile.mkdtemp(prefix="wsmand-obs-")
    os.chmod(workdir, 0o755)
    wrapper = os.path.join(workdir, "wsmand-info")
    with open(wrapper, "w") as f:
        f.write("#!/bin/bash\nargs=(); prev=\n"
                "for a in \"$@\"; do\n"
                "  if [ \"$prev\" = --log-level ]; then a=info; fi\n"
                "  args+=(\"$a\"); prev=$a\ndone\n"
                f"exec {binary_for(config_text)} \"${{args[@]}}\"\n")
    os.chmod(wrapper, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP |
             stat.S_IROTH | stat.S_IXOTH)
    return Daemon(workdir, config_text, binary=wrapper)


def close(d):
    code = d.stop()
    shutil.rmtree(d.workdir, ignore_errors=True)
    return code


def lines(log, event):
    """The log lines of `event`, each as {key: value} (quotes removed,
    \\" and \\\\ unescaped)."""
    out = []
    for line in log.splitlines():
        if f" event={event} " not in line + " ":
            continue
        fields = {}
        for m in re.finditer(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', line):
            value = m.group(2)
            if value.startswith('"'):
                value = re.sub(r'\\(.)', r'\1', value[1:-1])
            fields[m.group(1)] = value
        out.append(fields)
    return out
