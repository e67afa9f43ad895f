"""Helpers for the WinRS shell integration tests: system users for runs as
root, a daemon with them in its accounts file, and raw WinRS requests."""
import base64
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from conftest import PASSWORD, PASSWORD_B, USER, USER_B, Daemon, run_cli

IS_ROOT = os.geteuid() == 0
CMD_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
SHELL_NS = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "rsp": SHELL_NS,
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
A_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
A_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
A_COMMAND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
A_SEND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send"
A_RECEIVE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
A_SIGNAL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"
DONE = SHELL_NS + "/CommandState/Done"
TERMINATE = SHELL_NS + "/signal/terminate"

# System accounts created for runs as root (commands then run as them).
SYS_USER_A, SYS_PASSWORD_A = "wsmit-a", "wsmit-A-pass1"
SYS_USER_B, SYS_PASSWORD_B = "wsmit-b", "wsmit-B-pass2"


def _delete_user(name):
    subprocess.run(["userdel", "-f", name], capture_output=True)


def create_system_users():
    for name in (SYS_USER_A, SYS_USER_B):
        _delete_user(name)
        subprocess.run(["useradd", "-M", "-s", "/bin/sh", name], check=True,
                       capture_output=True)


def delete_system_users():
    for name in (SYS_USER_A, SYS_USER_B):
        _delete_user(name)


class ShellEnv:
    """A daemon plus the two users the shell tests log in as: system
    accounts when running as root, the conftest accounts otherwise."""

    def __init__(self, config_text="", manage_users=True, env=None):
        self.manage_users = manage_users and IS_ROOT
        self.workdir = tempfile.mkdtemp(prefix="wsmand-shell-")
        os.chmod(self.workdir, 0o755)
        if IS_ROOT:
            if self.manage_users:
                create_system_users()
            accounts = os.path.join(self.workdir, "accounts")
            for user, password in ((SYS_USER_A, SYS_PASSWORD_A),
                                   (SYS_USER_B, SYS_PASSWORD_B)):
                run_cli(["user", "add", user, "--accounts", accounts,
                         "--password-stdin"], stdin=password + "\n")
            self.user_a, self.password_a = SYS_USER_A, SYS_PASSWORD_A
            self.user_b, self.password_b = SYS_USER_B, SYS_PASSWORD_B
        else:
            self.user_a, self.password_a = USER, PASSWORD
            self.user_b, self.password_b = USER_B, PASSWORD_B
        self.daemon = Daemon(self.workdir, config_text, env=env)
        self.url = self.daemon.url
        self.port = self.daemon.port

    def close(self):
        code = self.daemon.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.manage_users:
            delete_system_users()
        return code

    # Raw WinRS requests -------------------------------------------------
    def request(self, action, body="", shell_id=None, options=None,
                timeout="PT20S", user=None, password=None, http_timeout=60):
        headers = (f'<w:OperationTimeout>{timeout}</w:OperationTimeout>'
                   '<w:MaxEnvelopeSize s:mustUnderstand="true">153600'
                   '</w:MaxEnvelopeSize>')
        if shell_id is not None:
            headers += ('<w:SelectorSet><w:Selector Name="ShellId">'
                        f'{shell_id}</w:Selector></w:SelectorSet>')
        if options:
            headers += '<w:OptionSet>' + "".join(
                f'<w:Option Name="{k}">{v}</w:Option>'
                for k, v in options.items()) + '</w:OptionSet>'
        xml = envelope_with_ns(action, CMD_URI, body, headers)
        status, _, data = self.daemon.post(
            xml, user=user or self.user_a,
            password=password or self.password_a, timeout=http_timeout)
        return status, ET.fromstring(data)

    def create(self, extra_shell="", **kw):
        status, root = self.request(
            A_CREATE,
            '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams>'
            '<rsp:OutputStreams>stdout stderr</rsp:OutputStreams>'
            f'{extra_shell}</rsp:Shell>', **kw)
        assert status == 200, ET.tostring(root)
        return root.find(".//rsp:ShellId", NS).text

    def command(self, shell_id, command, **kw):
        status, root = self.request(
            A_COMMAND, '<rsp:CommandLine><rsp:Command>'
            f'{xml_escape(command)}</rsp:Command></rsp:CommandLine>',
            shell_id=shell_id, **kw)
        assert status == 200, ET.tostring(root)
        return root.find(".//rsp:CommandId", NS).text

    def send(self, shell_id, command_id, data, end=True, **kw):
        payload = base64.b64encode(data).decode()
        return self.request(
            A_SEND, f'<rsp:Send><rsp:Stream Name="stdin" CommandId='
            f'"{command_id}" End="{"true" if end else "false"}">{payload}'
            '</rsp:Stream></rsp:Send>', shell_id=shell_id, **kw)

    def receive(self, shell_id, command_id, **kw):
        return self.request(
            A_RECEIVE, f'<rsp:Receive><rsp:DesiredStream CommandId='
            f'"{command_id}">stdout stderr</rsp:DesiredStream></rsp:Receive>',
            shell_id=shell_id, **kw)

    def signal(self, shell_id, command_id, code=TERMINATE, **kw):
        return self.request(
            A_SIGNAL, f'<rsp:Signal CommandId="{command_id}"><rsp:Code>'
            f'{code}</rsp:Code></rsp:Signal>', shell_id=shell_id, **kw)

    def delete(self, shell_id, **kw):
        return self.request(A_DELETE, "", shell_id=shell_id, **kw)

    def receive_all(self, shell_id, command_id, **kw):
        """Receives until Done; returns (stdout, stderr, exit code)."""
        out, err = b"", b""
        while True:
            status, root = self.receive(shell_id, command_id, **kw)
            if status != 200:
                code = root.find(".//f:WSManFault", NS).get("Code")
                assert code == "2150858793", ET.tostring(root)
                continue
            for stream in root.iter(f"{{{SHELL_NS}}}Stream"):
                data = base64.b64decode(stream.text or "")
                if stream.get("Name") == "stdout":
                    out += data
                else:
                    err += data
            state = root.find(".//rsp:CommandState", NS)
            if state is not None and state.get("State") == DONE:
                return out, err, int(root.find(".//rsp:ExitCode", NS).text)


def envelope_with_ns(action, resource, body, headers):
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
        f'xmlns:rsp="{SHELL_NS}">'
        '<s:Header><a:To>http://localhost/wsman</a:To>'
        f'<w:ResourceURI s:mustUnderstand="true">{resource}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">'
        'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'
        '</a:Address></a:ReplyTo>'
        f'<a:Action s:mustUnderstand="true">{action}</a:Action>'
        '<a:MessageID>uuid:'
        f'{os.urandom(4).hex()}-2222-3333-4444-555555555555</a:MessageID>'
        f'{headers}</s:Header><s:Body>{body}</s:Body></s:Envelope>')


def xml_escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def fault_of(root):
    """(subcode, WSManFault code, message) of a fault envelope."""
    sub = root.find(".//s:Subcode/s:Value", NS)
    wsf = root.find(".//f:WSManFault", NS)
    msg = root.find(".//f:Message", NS)
    return (sub.text if sub is not None else None,
            wsf.get("Code") if wsf is not None else None,
            msg.text if msg is not None else None)


def process_gone(pid):
    """True when pid no longer exists (not even as an unreaped zombie)."""
    return not os.path.exists(f"/proc/{pid}")
