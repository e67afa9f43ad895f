#!/usr/bin/python3
"""Host provider benchmark: a full Enumerate + Pulls of Win32_Process with
2,000 extra processes on the host (`sleep` children started for the run and
reaped after it): milliseconds per enumeration and instances/s, at
MaxElements 100 and 1000, plus one Get by Handle and one Win32_OperatingSystem
enumeration for scale. As root, then Win32_Service against a real systemd
booted in namespaces of its own (tests/integration/systemd_util.py) with
--units extra service units (a third of them running): milliseconds per
enumeration and per Get by Name. Prints figures; asserts nothing.

Usage: bench/host_bench.py [--wsmand build/wsmand] [--processes 2000]
                           [--rounds 10] [--units 300]
Starts its own wsmand (default configuration: host providers on) on a
loopback port.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time
import uuid

from bench_daemon import Daemon

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
import systemd_util  # noqa: E402
MSFT = "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/"
ENUM = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/"
GET = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"
CTX = re.compile(rb"<n:EnumerationContext>([^<]+)</n:EnumerationContext>")


def envelope(action, cls, body, selectors=""):
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
        'xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration">'
        '<s:Header><a:To>http://localhost/wsman</a:To>'
        f'<w:ResourceURI s:mustUnderstand="true">{MSFT}{cls}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.'
        'xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address>'
        f'</a:ReplyTo><a:Action s:mustUnderstand="true">{action}'
        f'</a:Action><a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>'
        '<w:MaxEnvelopeSize s:mustUnderstand="true">512000</w:MaxEnvelopeSize>'
        f'<w:OperationTimeout>PT60S</w:OperationTimeout>{selectors}'
        f'</s:Header><s:Body>{body}</s:Body></s:Envelope>').encode()


def enumerate_all(d, cls, max_elements):
    """One optimized Enumerate, then Pulls to the end: (items, bytes)."""
    body = ("<n:Enumerate><w:OptimizeEnumeration/>"
            f"<w:MaxElements>{max_elements}</w:MaxElements></n:Enumerate>")
    data = d.post(envelope(ENUM + "Enumerate", cls, body))
    tag = f"<p:{cls} ".encode()
    items, nbytes = data.count(tag), len(data)
    while b"EndOfSequence" not in data:
        context = CTX.search(data).group(1).decode()
        data = d.post(envelope(
            ENUM + "Pull", cls,
            f"<n:Pull><n:EnumerationContext>{context}</n:EnumerationContext>"
            f"<n:MaxElements>{max_elements}</n:MaxElements></n:Pull>"))
        items += data.count(tag)
        nbytes += len(data)
    return items, nbytes


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--wsmand", default=os.path.join(here, "..", "build",
                                                     "wsmand"))
    ap.add_argument("--processes", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--running-every", type=int, default=3)
    args = ap.parse_args()
    bench_processes(args)
    why = systemd_util.available()
    if why:
        print(f"Win32_Service: skipped ({why})")
    else:
        bench_services(args)


def timed(rounds, fn):
    """Median and min/max seconds of `rounds` calls of fn; its last value."""
    times, value = [], None
    for _ in range(rounds):
        start = time.monotonic()
        value = fn()
        times.append(time.monotonic() - start)
    times.sort()
    return times[len(times) // 2], times[0], times[-1], value


def bench_services(args):
    units, enable = {}, []
    for k in range(args.units):
        name = f"wsmand-bench-{k:04d}.service"
        units[name] = ("[Unit]\nDescription=wsmand bench unit\n"
                       "DefaultDependencies=no\n[Service]\n"
                       "ExecStart=/bin/sleep 86400\n"
                       "[Install]\nWantedBy=multi-user.target\n")
        if k % args.running_every == 0:
            enable.append(name)
    sd = systemd_util.PrivateSystemd(units, enable=enable, boot_timeout=120)
    try:
        d = Daemon(args.wsmand, env=dict(
            os.environ, DBUS_SYSTEM_BUS_ADDRESS=sd.address))
        try:
            start = time.monotonic()
            enumerate_all(d, "Win32_Service", 1000)
            first = time.monotonic() - start
            median, low, high, (items, nbytes) = timed(
                args.rounds, lambda: enumerate_all(d, "Win32_Service", 1000))
            print(f"Win32_Service with {args.units} extra units "
                  f"({len(enable)} running), private systemd:")
            print(f"  Enumerate: {items} instances, median "
                  f"{median * 1000:.0f} ms per enumeration (min "
                  f"{low * 1000:.0f}, max {high * 1000:.0f} ms over "
                  f"{args.rounds}) = {items / median:,.0f} instances/s, "
                  f"{nbytes / 1e6:.2f} MB; the first one, which reads "
                  f"the unit files, {first * 1000:.0f} ms")
            sel = ('<w:SelectorSet><w:Selector Name="Name">wsmand-bench-0000'
                   '</w:Selector></w:SelectorSet>')
            median, _, _, _ = timed(100, lambda: d.post(
                envelope(GET, "Win32_Service", "", sel)))
            print(f"  Get Win32_Service by Name: {median * 1000:.2f} ms")
        finally:
            d.stop()
    finally:
        sd.close()


def bench_processes(args):
    children = []
    try:
        for _ in range(args.processes):
            children.append(subprocess.Popen(
                ["sleep", "1000"], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        total = len([p for p in os.listdir("/proc") if p.isdigit()])
        print(f"Win32_Process with {args.processes} extra sleep processes "
              f"({total} processes on the host), {os.cpu_count()} CPUs")
        d = Daemon(args.wsmand)
        try:
            enumerate_all(d, "Win32_Process", 100)  # warm-up
            for max_elements in (100, 1000):
                times, items, nbytes = [], 0, 0
                for _ in range(args.rounds):
                    start = time.monotonic()
                    items, nbytes = enumerate_all(d, "Win32_Process",
                                                  max_elements)
                    times.append(time.monotonic() - start)
                times.sort()
                median = times[len(times) // 2]
                print(f"  MaxElements {max_elements:4d}: {items} instances, "
                      f"median {median * 1000:.0f} ms per enumeration "
                      f"(min {times[0] * 1000:.0f}, max "
                      f"{times[-1] * 1000:.0f} ms over {args.rounds}) = "
                      f"{items / median:,.0f} instances/s, "
                      f"{nbytes / 1e6:.1f} MB per enumeration")
            pid = children[0].pid
            sel = ('<w:SelectorSet><w:Selector Name="Handle">'
                   f'{pid}</w:Selector></w:SelectorSet>')
            start = time.monotonic()
            for _ in range(100):
                d.post(envelope(GET, "Win32_Process", "", sel))
            print(f"  Get Win32_Process by Handle: "
                  f"{(time.monotonic() - start) * 10:.2f} ms per Get")
            start = time.monotonic()
            for _ in range(20):
                enumerate_all(d, "Win32_OperatingSystem", 10)
            print(f"  Enumerate Win32_OperatingSystem: "
                  f"{(time.monotonic() - start) * 50:.1f} ms")
        finally:
            d.stop()
    finally:
        for p in children:
            p.send_signal(signal.SIGKILL)
        for p in children:
            p.wait()


if __name__ == "__main__":
    main()
