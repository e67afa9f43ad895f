#!/usr/bin/python3
"""WinRS benchmark: commands/s for `true` through Create/Command/Receive/
Delete with 1 and 8 concurrent clients, stdout throughput for 100 MB of
output, and server RSS with 100 idle shells. Prints figures; asserts
nothing.

Usage: bench/shell_bench.py [--wsmand build/wsmand] [--seconds 5]
Starts its own wsmand on a loopback port. As root it creates a temporary
system account (wsmbench) for the commands to run as, and deletes it after.
"""
import argparse
import base64
import http.client
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET

SHELL_NS = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
CMD_URI = SHELL_NS + "/cmd"
DONE = SHELL_NS + "/CommandState/Done"
NS = {"rsp": SHELL_NS}
USER, PASSWORD = "wsmbench", "wsmbench-Pass1"


def envelope(action, body="", shell_id=None, timeout="PT20S"):
    selector = (f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}'
                '</w:Selector></w:SelectorSet>' if shell_id else "")
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
        f'xmlns:rsp="{SHELL_NS}"><s:Header>'
        '<a:To>http://localhost/wsman</a:To>'
        f'<w:ResourceURI s:mustUnderstand="true">{CMD_URI}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.'
        'xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address>'
        f'</a:ReplyTo><a:Action s:mustUnderstand="true">{action}</a:Action>'
        f'<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>'
        '<w:MaxEnvelopeSize s:mustUnderstand="true">512000'
        f'</w:MaxEnvelopeSize><w:OperationTimeout>{timeout}'
        f'</w:OperationTimeout>{selector}</s:Header><s:Body>{body}</s:Body>'
        '</s:Envelope>').encode()


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.headers = {"Authorization": "Basic " + token,
                        "Content-Type": "application/soap+xml;charset=UTF-8"}

    def post(self, body):
        self.conn.request("POST", "/wsman", body=body, headers=self.headers)
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def create(self):
        status, data = self.post(envelope(
            "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
            "<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams>"
            "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams>"
            "</rsp:Shell>"))
        assert status == 200, data
        return re.search(rb"<rsp:ShellId>([^<]+)<", data).group(1).decode()

    def command(self, shell_id, line):
        status, data = self.post(envelope(
            SHELL_NS + "/Command", "<rsp:CommandLine><rsp:Command>"
            f"{line}</rsp:Command></rsp:CommandLine>", shell_id))
        assert status == 200, data
        return re.search(rb"<rsp:CommandId>([^<]+)<", data).group(1).decode()

    def receive_all(self, shell_id, command_id):
        total = 0
        body = (f'<rsp:Receive><rsp:DesiredStream CommandId="{command_id}">'
                'stdout stderr</rsp:DesiredStream></rsp:Receive>')
        while True:
            status, data = self.post(envelope(SHELL_NS + "/Receive", body,
                                              shell_id))
            if status != 200:
                continue  # TimedOut: poll again
            root = ET.fromstring(data)
            for s in root.iter(f"{{{SHELL_NS}}}Stream"):
                if s.text:
                    total += len(s.text) // 4 * 3 - s.text.count("=")
            state = root.find(".//rsp:CommandState", NS)
            if state is not None and state.get("State") == DONE:
                return total

    def delete(self, shell_id):
        status, _ = self.post(envelope(
            "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete", "",
            shell_id))
        assert status == 200


def run_true(args):
    port, seconds = args
    c = Client(port)
    n = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shell_id = c.create()
        command_id = c.command(shell_id, "true")
        c.receive_all(shell_id, command_id)
        c.delete(shell_id)
        n += 1
    return n


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--wsmand", default=os.path.join(here, "..", "build",
                                                         "wsmand"))
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="wsmand-shell-bench-")
    is_root = os.geteuid() == 0
    if is_root:
        subprocess.run(["userdel", "-f", USER], capture_output=True)
        subprocess.run(["useradd", "-M", USER], check=True)
    accounts = os.path.join(workdir, "accounts")
    subprocess.run([args.wsmand, "user", "add", USER, "--accounts", accounts,
                    "--password-stdin"], input=PASSWORD + "\n", text=True,
                   check=True, capture_output=True)
    config = os.path.join(workdir, "wsmand.toml")
    with open(config, "w") as f:
        f.write("[shell]\nmax_shells_per_user = 200\n")
    log = open(os.path.join(workdir, "log"), "w+")
    proc = subprocess.Popen(
        [args.wsmand, "--config", config, "--listen", "http://127.0.0.1:0",
         "--accounts", accounts, "--log-level", "warn"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        port = None
        for _ in range(200):
            out = subprocess.run(["ss", "-ltnpH"], capture_output=True,
                                 text=True).stdout
            m = re.search(rf"127\.0\.0\.1:(\d+).*pid={proc.pid},", out)
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        assert port, "wsmand did not start"
        print(f"wsmand pid {proc.pid} port {port} "
              f"({'root: commands as ' + USER if is_root else 'non-root'})")

        run_true((port, 0.5))  # warm up (credential cache, threads)
        for clients in (1, 8):
            with multiprocessing.Pool(clients) as pool:
                start = time.monotonic()
                counts = pool.map(run_true, [(port, args.seconds)] * clients)
                elapsed = time.monotonic() - start
            print(f"true via Create/Command/Receive/Delete, {clients} "
                  f"client(s): {sum(counts) / elapsed:8.1f} commands/s")

        c = Client(port)
        size = 100 * 1000 * 1000
        shell_id = c.create()
        start = time.monotonic()
        command_id = c.command(shell_id, f"head -c {size} /dev/zero")
        got = c.receive_all(shell_id, command_id)
        elapsed = time.monotonic() - start
        c.delete(shell_id)
        print(f"stdout throughput, 100 MB: {got / elapsed / 1e6:8.1f} MB/s "
              f"({got} bytes in {elapsed:.2f} s, 512000-byte envelopes)")

        before = rss_kb(proc.pid)
        shells = [c.create() for _ in range(100)]
        time.sleep(0.5)
        after = rss_kb(proc.pid)
        print(f"server RSS: {before / 1024:.1f} MiB before, "
              f"{after / 1024:.1f} MiB with 100 idle shells "
              f"({(after - before) / 100:.1f} KiB per shell)")
        for s in shells:
            c.delete(s)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
        if is_root:
            subprocess.run(["userdel", "-f", USER], capture_output=True)


if __name__ == "__main__":
    main()
