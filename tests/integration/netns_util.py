"""Reaching daemons that listen on 127.0.0.1 inside network namespaces of
their own, from one client process: each call runs in a worker thread that
first joins the daemon's network namespace (setns(2) on
/proc/<pid>/ns/net; a network namespace belongs to a thread, and every
socket a thread opens lives in the namespace it is in at the time). The
client is the real pywinrm, as an Ansible fork would drive one host: a
WinRS command through Session.run_cmd and a CIM Enumerate through
Protocol.send_message.

Thread rules: each call of `winrm_round` joins the namespace in the calling
thread; call it from a thread of your own (the pool `fan_out` makes), never
from the main thread, which must stay in the test's namespace.

Needs root (setns of a network namespace needs CAP_SYS_ADMIN).
"""
import concurrent.futures
import ctypes
import os
import time
import xml.etree.ElementTree as ET

from conftest import envelope

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)

MSFT = "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/"
ENUMERATE = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate"
S = "{http://www.w3.org/2003/05/soap-envelope}"
W = "{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}"
ENUM_BODY = (
    '<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
    'enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">'
    '<w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements>'
    '</n:Enumerate>')


def join_netns(pid):
    """Moves the calling thread into the network namespace of `pid`."""
    fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns(/proc/{pid}/ns/net): "
                          + os.strerror(err))
    finally:
        os.close(fd)


def netns_inode(pid):
    return os.stat(f"/proc/{pid}/ns/net").st_ino


def enumerate_names(protocol, cls):
    """The Name property of every instance of `cls` (MSFT URI family), from
    one optimized Enumerate (the class has a handful of instances)."""
    answer = ET.fromstring(protocol.send_message(
        envelope(ENUMERATE, MSFT + cls, ENUM_BODY)))
    response = answer.find(f"{S}Body")[0]
    assert response.find(f"{W}EndOfSequence") is not None, \
        "one Enumerate should carry every instance"
    names = []
    for item in response.find(f"{W}Items"):
        for prop in item:
            if prop.tag.endswith("}Name"):
                names.append(prop.text)
    return names


def winrm_round(pid, user, password, command, args=(),
                enumerate_class="Win32_ComputerSystem", port=5985):
    """In the network namespace of daemon `pid`: pywinrm run_cmd(command,
    args) and an Enumerate of `enumerate_class` against
    http://127.0.0.1:<port>/wsman. Returns a dict with the command's
    stdout, stderr and exit code, the enumerated names and the seconds
    each step took."""
    import winrm
    from winrm.protocol import Protocol
    join_netns(pid)
    url = f"http://127.0.0.1:{port}/wsman"
    began = time.monotonic()
    session = winrm.Session(url, auth=(user, password),
                            transport="plaintext")
    result = session.run_cmd(command, list(args))
    ran = time.monotonic()
    protocol = Protocol(endpoint=url, transport="plaintext",
                        username=user, password=password)
    names = enumerate_names(protocol, enumerate_class)
    done = time.monotonic()
    return {"stdout": result.std_out.decode(errors="replace"),
            "stderr": result.std_err.decode(errors="replace"),
            "status": result.status_code, "names": names,
            "command_seconds": ran - began,
            "enumerate_seconds": done - ran}


def fan_out(jobs, forks):
    """Runs every (fn, args) of `jobs` on a pool of `forks` threads (like
    Ansible's forks); returns (results in job order, wall seconds)."""
    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=forks) as pool:
        futures = [pool.submit(fn, *args) for fn, args in jobs]
        results = [f.result(timeout=120) for f in futures]
    return results, time.monotonic() - began
