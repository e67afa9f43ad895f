#!/usr/bin/python3
"""CIM enumeration benchmark: Enumerate + Pull of 100,000 WSMAN_TestItem
instances (10 properties each) from the synthetic test provider at
MaxElements 100 and 1000 — instances/s, MB/s of response envelopes and the
server's peak RSS (VmHWM) — then 1,000,000 instances to a client that sleeps
between Pulls, printing the server's RSS as it goes to show it stays flat
(the provider blocks on the bounded per-context queue). Prints figures;
asserts nothing.

Usage: bench/enum_bench.py [--wsmand build/wsmand-testing] [--count 100000]
                           [--slow-seconds 20] [--slow-sleep 0.05]
Starts its own wsmand-testing (wsmand with the test providers linked in;
the release wsmand has none) on a loopback port.
"""
import argparse
import os
import re
import time
import uuid

from bench_daemon import Daemon
URI = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/WSMAN_TestItem"
ENUM = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/"
CTX = re.compile(rb"<n:EnumerationContext>([^<]+)</n:EnumerationContext>")


def envelope(action, body, count=None):
    option = (f'<w:OptionSet><w:Option Name="Count">{count}</w:Option>'
              '</w:OptionSet>' if count else "")
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
        'xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration">'
        '<s:Header><a:To>http://localhost/wsman</a:To>'
        f'<w:ResourceURI s:mustUnderstand="true">{URI}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.'
        'xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address>'
        f'</a:ReplyTo><a:Action s:mustUnderstand="true">{ENUM}{action}'
        f'</a:Action><a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>'
        '<w:MaxEnvelopeSize s:mustUnderstand="true">512000</w:MaxEnvelopeSize>'
        f'<w:OperationTimeout>PT60S</w:OperationTimeout>{option}</s:Header>'
        f'<s:Body>{body}</s:Body></s:Envelope>').encode()


def pull_body(context, max_elements):
    return (f"<n:Pull><n:EnumerationContext>{context}</n:EnumerationContext>"
            f"<n:MaxElements>{max_elements}</n:MaxElements></n:Pull>")


def run_fast(wsmand, count, max_elements):
    d = Daemon(wsmand, "[providers]\ntest_providers = true\n")
    try:
        base_rss = d.status("VmRSS")
        start = time.monotonic()
        data = d.post(envelope("Enumerate", "<n:Enumerate/>", count))
        context = CTX.search(data).group(1).decode()
        items = 0
        nbytes = len(data)
        pulls = 0
        while True:
            data = d.post(envelope("Pull", pull_body(context, max_elements)))
            pulls += 1
            nbytes += len(data)
            items += data.count(b"<p:WSMAN_TestItem ")
            if b"<n:EndOfSequence/>" in data:
                break
        elapsed = time.monotonic() - start
        print(f"  MaxElements {max_elements:5d}: {items} instances in "
              f"{elapsed:.2f} s over {pulls} Pulls = {items / elapsed:,.0f} "
              f"instances/s, {nbytes / elapsed / 1e6:.1f} MB/s "
              f"({nbytes / 1e6:.1f} MB); server RSS at start "
              f"{base_rss / 1024:.1f} MB, peak (VmHWM) "
              f"{d.status('VmHWM') / 1024:.1f} MB")
    finally:
        d.stop()


def run_slow(wsmand, count, seconds, sleep):
    d = Daemon(wsmand, "[providers]\ntest_providers = true\n")
    try:
        data = d.post(envelope("Enumerate", "<n:Enumerate/>", count))
        context = CTX.search(data).group(1).decode()
        start = time.monotonic()
        next_report = 0.0
        items = 0
        print(f"  {count} instances, MaxElements 100, client sleeps "
              f"{sleep * 1000:.0f} ms between Pulls:")
        while time.monotonic() - start < seconds:
            data = d.post(envelope("Pull", pull_body(context, 100)))
            items += data.count(b"<p:WSMAN_TestItem ")
            elapsed = time.monotonic() - start
            if elapsed >= next_report:
                print(f"    t={elapsed:5.1f} s  pulled {items:8d}  server RSS "
                      f"{d.status('VmRSS') / 1024:6.1f} MB  (peak "
                      f"{d.status('VmHWM') / 1024:.1f} MB)")
                next_report += max(1.0, seconds / 10)
            if b"<n:EndOfSequence/>" in data:
                break
            time.sleep(sleep)
        d.post(envelope("Release", "<n:Release><n:EnumerationContext>"
                        f"{context}</n:EnumerationContext></n:Release>"))
        time.sleep(0.2)
        print(f"    after Release: server RSS "
              f"{d.status('VmRSS') / 1024:.1f} MB")
    finally:
        d.stop()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--wsmand",
                        default=os.path.join(here, "..", "build",
                                             "wsmand-testing"))
    parser.add_argument("--count", type=int, default=100000)
    parser.add_argument("--slow-count", type=int, default=1000000)
    parser.add_argument("--slow-seconds", type=float, default=20)
    parser.add_argument("--slow-sleep", type=float, default=0.05)
    args = parser.parse_args()
    print(f"Enumerate + Pull of {args.count} WSMAN_TestItem instances "
          "(10 properties each), one keep-alive client:")
    for max_elements in (100, 1000):
        run_fast(args.wsmand, args.count, max_elements)
    print("Slow client:")
    run_slow(args.wsmand, args.slow_count, args.slow_seconds, args.slow_sleep)


if __name__ == "__main__":
    main()
