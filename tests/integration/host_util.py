"""Helpers for the host provider tests: whole enumerations, Get, Invoke as a
chosen user, and readers of the live host to compare with."""
import datetime
import os

from conftest import PASSWORD, USER, envelope
from cim_util import (DMTF, MSFT, TRANSFER, drain, enumerate_, headers,
                      parse_enum, props)


def enum_all(d, cls, uri=None, user=None, filter_xml="", max_elements=500):
    ctx, items, end = parse_enum(enumerate_(
        d, cls, uri=uri or uri_of(cls), user=user, optimize=True,
        max_elements=max_elements, filter_xml=filter_xml))
    if not end:
        items += drain(d, ctx, max_elements=max_elements, user=user)
    return items


def uri_of(cls):
    return (MSFT if cls.startswith("Win32_") else DMTF) + cls


def get(d, cls, selectors, user=(USER, PASSWORD), uri=None):
    req = envelope(TRANSFER + "Get", uri or uri_of(cls), "",
                   extra=headers(selectors=selectors))
    return d.post(req, user=user[0], password=user[1])


def invoke(d, cls, method, params="", selectors=None, user=(USER, PASSWORD)):
    uri = uri_of(cls)
    body = (f'<p:{method}_INPUT xmlns:p="{uri}">{params}'
            f'</p:{method}_INPUT>')
    req = envelope(f"{uri}/{method}", uri, body,
                   extra=headers(selectors=selectors,
                                 timeout="PT30S"))
    return d.post(req, user=user[0], password=user[1])


def xs_datetime(text):
    """xs:dateTime (with offset or Z) -> aware datetime."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, rest = line.split(":", 1)
            out[key] = int(rest.split()[0])
    return out


def boot_time():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("btime "):
                return int(line.split()[1])
    return None


def proc_name(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Name:"):
                return line.split(":", 1)[1].strip()
    return None


def proc_cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().rstrip(b"\0").replace(b"\0", b" ").decode()


def proc_state(pid):
    """The state letter, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def proc_alive(pid):
    return proc_state(pid) not in (None, "Z", "X")


def proc_uid(pid):
    return os.stat(f"/proc/{pid}").st_uid


def by(items, name):
    return {props(i)[name]: props(i) for i in items}
