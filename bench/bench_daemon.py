"""A wsmand for the benchmarks: started on an ephemeral loopback port with a
temporary accounts file, driven over one keep-alive connection."""
import base64
import http.client
import os
import re
import shutil
import subprocess
import tempfile
import time

USER, PASSWORD = "benchuser", "bench-Pass1"


class Daemon:
    def __init__(self, wsmand, config_text=None, env=None):
        self.dir = tempfile.mkdtemp(prefix="wsmand-bench-")
        accounts = os.path.join(self.dir, "accounts")
        subprocess.run([wsmand, "user", "add", USER, "--accounts", accounts,
                        "--password-stdin"], input=PASSWORD + "\n",
                       text=True, check=True, capture_output=True)
        args = [wsmand, "--listen", "http://127.0.0.1:0", "--accounts",
                accounts, "--log-level", "info"]
        if config_text is not None:
            config = os.path.join(self.dir, "wsmand.toml")
            with open(config, "w") as f:
                f.write(config_text)
            args[1:1] = ["--config", config]
        self.log = open(os.path.join(self.dir, "log"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        self.port = None
        for _ in range(500):
            with open(self.log.name) as f:
                m = re.search(r"url=http://127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.02)
        if self.port is None:
            raise RuntimeError("wsmand did not start")
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.headers = {"Authorization": "Basic " + token,
                        "Content-Type": "application/soap+xml;charset=UTF-8"}
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=120)

    def post(self, body):
        self.conn.request("POST", "/wsman", body=body, headers=self.headers)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError(data[:2000])
        return data

    def status(self, key):
        """A /proc/PID/status figure in kB (VmRSS, VmHWM)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.conn.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
