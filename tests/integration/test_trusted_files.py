"""Trusted files and identities (Hardening II 17, 18; review L4, L5 and the
`user add` symlink finding): as root, wsmand refuses an accounts file,
certificate map, config file, TLS file or provider directory/module that is
not root's or that others may write, before reading or loading it
(docs/security.md, "Trusted files"); and a client certificate maps by its
UPN SAN or thumbprint, never by its subject CN (docs/https.md).

Replays against the real daemon: the accounts-file root escalation, the
evil.so constructor in a 1777 provider directory, and the certificate whose
CN names another user."""
import http.client
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import (IDENTIFY, PASSWORD, USER, USER_B, WSMAND, Daemon, basic,
                      run_cli)
from test_https import (MUTUAL, curl, make_ca, make_leaf, start, stop,
                        wait_for_log, write_pair)
from trusted_util import (NOBODY, AccountsExploit, as_nobody, build_evil_so,
                          try_root_shell)

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="ownership checks as root need root")


def authenticated_ok(d, user=USER, password=PASSWORD):
    """An authenticated Identify from 127.0.0.2: the legitimate client, from
    another address than the attacker's refused logins (which the per-peer
    throttle answers)."""
    conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30,
                                      source_address=("127.0.0.2", 0))
    try:
        conn.request("POST", "/wsman", body=IDENTIFY, headers={
            "Content-Type": "application/soap+xml;charset=UTF-8",
            "Authorization": basic(user, password)})
        resp = conn.getresponse()
        return resp.status == 200 and b"IdentifyResponse" in resp.read()
    finally:
        conn.close()


def wait_log(d, pattern, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(pattern, d.log())
        if m:
            return m
        time.sleep(0.05)
    raise AssertionError(f"{pattern!r} not in log:\n" + d.log())


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="wsmand-trust-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


# --- 17: the accounts file --------------------------------------------------

def test_world_writable_accounts_file_gives_no_root_shell():
    """Review L4: chmod 666, an unprivileged user appends root:<hash>; the
    old daemon reloaded it and answered `id` with uid=0 within a second."""
    exploit = AccountsExploit()
    try:
        d = exploit.daemon
        assert authenticated_ok(d)
        start_t = exploit.attack()
        took = exploit.seconds_to_root(start_t, window=4)
        assert took is None, f"uid-0 shell {took:.2f} s after the append"
        # The watcher saw the change and said why it refused it.
        path = re.escape(exploit.accounts)
        wait_log(d, r"level=error event=accounts_reload_failed "
                    rf'error="refusing {path}: it is writable by group or '
                    rf'others \(mode 0666\); run: chmod go-w {path}"')
        # The accounts in force before stay: alice is still served.
        assert authenticated_ok(d)
        assert try_root_shell(d) is None
        # SIGHUP re-reads it with the same checks.
        d.proc.send_signal(signal.SIGHUP)
        wait_log(d, r"level=error event=reload [^\n]*refusing " + path)
        assert authenticated_ok(d) and try_root_shell(d) is None
    finally:
        assert exploit.close() == 0


def test_daemon_refuses_to_start_on_an_accounts_file_of_another_user(workdir):
    accounts = os.path.join(workdir, "accounts")
    run_cli(["user", "add", USER, "--accounts", accounts, "--password-stdin"],
            stdin=PASSWORD + "\n")
    os.chown(accounts, NOBODY, NOBODY)
    proc = subprocess.run([WSMAND, "--listen", "http://127.0.0.1:0",
                           "--accounts", accounts], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2
    out = proc.stdout + proc.stderr
    assert f"refusing {accounts}: it is owned by uid 65534" in out, out
    assert f"run: chown root {accounts}" in out, out
    # And in a directory others may write, even with a good file.
    os.chown(accounts, 0, 0)
    os.chmod(workdir, 0o777)
    proc = subprocess.run([WSMAND, "--listen", "http://127.0.0.1:0",
                           "--accounts", accounts], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2
    assert (f"refusing {accounts}: the directory {workdir} is writable by "
            f"group or others (mode 0777); run: chmod go-w {workdir}") in \
        proc.stdout + proc.stderr


def test_user_add_on_a_symlinked_accounts_path_is_refused(workdir):
    """Info finding: `user add` replaced the link with a file (and left the
    target as it was). Refused now; the link and the target are kept."""
    target = os.path.join(workdir, "real-accounts")
    link = os.path.join(workdir, "accounts")
    run_cli(["user", "add", USER, "--accounts", target, "--password-stdin"],
            stdin=PASSWORD + "\n")
    os.symlink(target, link)
    before = open(target).read()
    proc = run_cli(["user", "add", "carol", "--accounts", link,
                    "--password-stdin"], stdin="pw-carol\n", check=False)
    assert proc.returncode == 1
    assert (f"refusing to replace {link}: it is a symbolic link to {target}; "
            "give the path of the file itself") in proc.stderr
    assert os.path.islink(link) and os.readlink(link) == target
    assert open(target).read() == before
    # Reading through the link is fine (the target is checked) ...
    assert run_cli(["user", "list", "--accounts", link]).stdout == USER + "\n"
    # ... and the target path is edited as usual.
    run_cli(["user", "add", "carol", "--accounts", target,
             "--password-stdin"], stdin="pw-carol\n")
    # A world-writable accounts file is not laundered into a 0600 one.
    os.chmod(target, 0o666)
    proc = run_cli(["user", "add", "dave", "--accounts", target,
                    "--password-stdin"], stdin="pw-dave\n", check=False)
    assert proc.returncode == 1 and "chmod go-w" in proc.stderr
    assert "dave" not in open(target).read()


# --- 17: provider modules ---------------------------------------------------

def start_with_providers(workdir, directory):
    return Daemon(workdir, f'[providers]\ndirectory = "{directory}"\n')


def test_evil_so_in_a_1777_provider_directory_never_runs(workdir):
    """Review L4: evil.so by another user in a 1777 provider directory was
    dlopen()ed as root (its constructor ran) before being refused."""
    providers = os.path.join(workdir, "providers")
    os.mkdir(providers)
    os.chmod(providers, 0o1777)
    marker = os.path.join(workdir, "evil-ran")
    so = build_evil_so(providers, marker)
    os.chown(so, NOBODY, NOBODY)
    os.mkdir(os.path.join(workdir, "d"))
    d = start_with_providers(os.path.join(workdir, "d"), providers)
    try:
        assert not os.path.exists(marker), open(marker).read()
        m = wait_log(d, r"level=error event=provider-directory [^\n]*")
        assert (f"refusing {providers}: it is writable by group or others "
                f"(mode 1777); run: chmod go-w {providers}") in m.group(0)
        assert "event=provider-loaded" not in d.log()
        assert d.identify_ok() and authenticated_ok(d)
    finally:
        assert d.stop() == 0


@pytest.mark.parametrize("case", ["nobody-owned", "group-writable",
                                  "trusted"])
def test_provider_modules_are_checked_before_dlopen(workdir, case):
    providers = os.path.join(workdir, "providers")
    os.mkdir(providers, 0o755)
    marker = os.path.join(workdir, "evil-ran")
    so = build_evil_so(providers, marker)
    if case == "nobody-owned":
        os.chown(so, NOBODY, NOBODY)
    elif case == "group-writable":
        os.chmod(so, 0o775)
    os.mkdir(os.path.join(workdir, "d"))
    d = start_with_providers(os.path.join(workdir, "d"), providers)
    try:
        refused = wait_log(d, r"level=error event=provider-refused [^\n]*")
        if case == "trusted":
            # The control: a root-owned module does load (its constructor
            # runs), then is refused for having no entry point. Without it
            # the checks above could pass by never loading anything.
            assert open(marker).read() == "loaded with euid=0\n"
            assert "entry point" in refused.group(0), refused.group(0)
        else:
            assert not os.path.exists(marker)
            want = ("it is owned by uid 65534" if case == "nobody-owned"
                    else "it is writable by group or others (mode 0775)")
            assert f"refusing {so}: {want}" in refused.group(0), \
                refused.group(0)
        assert d.identify_ok()
    finally:
        assert d.stop() == 0


# --- 17: the config file ----------------------------------------------------

def test_config_file_others_may_write(workdir):
    config = os.path.join(workdir, "wsmand.toml")
    with open(config, "w") as f:
        f.write("[http]\nworker_threads = 2\n")
    os.chmod(config, 0o666)
    proc = run_cli(["--config", config], check=False)
    assert proc.returncode == 2
    assert (f"refusing {config}: it is writable by group or others (mode "
            f"0666); run: chmod go-w {config}") in proc.stderr
    # Reload: a config made writable while running is refused, the running
    # one kept.
    os.chmod(config, 0o600)
    os.mkdir(os.path.join(workdir, "d"))
    d = Daemon(os.path.join(workdir, "d"), "[http]\nworker_threads = 2\n")
    try:
        os.chmod(d.config, 0o646)
        d.proc.send_signal(signal.SIGHUP)
        wait_log(d, r"level=error event=reload [^\n]*refusing " +
                 re.escape(d.config) + r"[^\n]*keeping the running config")
        assert authenticated_ok(d)
    finally:
        assert d.stop() == 0


# --- 17: TLS files and the certificate map ---------------------------------

@pytest.fixture(scope="module")
def tls_files():
    root = tempfile.mkdtemp(prefix="wsmand-trust-pki-")
    server = os.path.join(root, "server")
    run_cli(["cert", "create", "--out-dir", server, "--hostname",
             "localhost", "--key-type", "ecdsa"])
    ca, ca_key = make_ca("wsmand trust test client CA")
    client_ca, _ = write_pair(root, "client-ca", ca, ca_key)
    yield {"root": root, "ca": os.path.join(server, "ca.pem"),
           "cert": os.path.join(server, "server.pem"),
           "key": os.path.join(server, "server-key.pem"),
           "client_ca": client_ca, "client_ca_cert": ca,
           "client_ca_key": ca_key}
    shutil.rmtree(root, ignore_errors=True)


def https_args(t, cert_map):
    return ["--listen", "https://127.0.0.1:0", "--tls-cert", t["cert"],
            "--tls-key", t["key"], "--tls-client-ca", t["client_ca"],
            "--tls-client-cert-map", cert_map]


def accounts_file(directory):
    path = os.path.join(directory, "accounts")
    run_cli(["user", "add", USER, "--accounts", path, "--password-stdin"],
            stdin=PASSWORD + "\n")
    return path


def daemon_fails(args):
    proc = subprocess.run([WSMAND] + args, capture_output=True, text=True,
                          timeout=30)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("which", ["key", "cert", "client_ca"])
def test_tls_files_of_another_user_are_refused(tls_files, workdir, which):
    cert_map = os.path.join(workdir, "certmap")
    run_cli(["cert", "map", "add", USER, "--map", cert_map, "--thumbprint",
             "ab" * 20])
    path = tls_files[which]
    os.chown(path, NOBODY, NOBODY)
    try:
        code, out = daemon_fails(https_args(tls_files, cert_map) +
                                 ["--accounts", accounts_file(workdir)])
    finally:
        os.chown(path, 0, 0)
    assert code == 2, out
    assert f"refusing {path}: it is owned by uid 65534" in out, out


def test_tls_key_made_writable_keeps_the_running_certificate(tls_files,
                                                             workdir):
    cert_map = os.path.join(workdir, "certmap")
    run_cli(["cert", "map", "add", USER, "--map", cert_map, "--thumbprint",
             "ab" * 20])
    d = start(https_args(tls_files, cert_map))
    try:
        os.chmod(tls_files["key"], 0o660)
        d.proc.send_signal(signal.SIGHUP)
        wait_log(d, r"level=error event=reload [^\n]*refusing " +
                 re.escape(tls_files["key"]) + r"[^\n]*keeping the running")
        _, code, body, _ = curl("--cacert", tls_files["ca"],
                                d.https_url + "-anon")
        assert code == 200 and b"IdentifyResponse" in body
    finally:
        os.chmod(tls_files["key"], 0o600)
        assert stop(d) == 0


def test_certificate_map_others_may_write(tls_files, workdir):
    """A map made world-writable and edited by another user: not read; the
    mapping in force stays (it is re-checked once a second)."""
    t = tls_files
    cert, key = write_pair(workdir, "bob", *make_leaf(
        "bob-laptop", t["client_ca_cert"], t["client_ca_key"]))
    os.chmod(workdir, 0o755)  # nobody reaches the map
    cert_map = os.path.join(workdir, "certmap")
    run_cli(["cert", "map", "add", USER_B, "--map", cert_map, "--cert", cert])
    d = start(https_args(t, cert_map))
    try:
        mutual = ["--cacert", t["ca"], "--cert", cert, "--key", key, "-H",
                  "Authorization: " + MUTUAL, d.https_url]
        assert curl(*mutual)[1] == 200
        wait_for_log(d, r"event=access [^\n]*user=bob[^\n]*status=200")
        os.chmod(cert_map, 0o666)
        text = open(cert_map).read().replace(f"{USER_B} thumbprint=",
                                             "root thumbprint=")
        proc = as_nobody("sh", "-c", 'printf "%s" "$1" > "$2"', "sh", text,
                         cert_map)
        assert proc.returncode == 0, proc.stderr
        time.sleep(1.2)
        assert curl(*mutual)[1] == 200
        wait_log(d, r"level=error event=cert-map-reload-failed "
                    r'error="refusing ' + re.escape(cert_map) +
                 r": it is writable by group or others \(mode 0666\)")
        assert "user=root" not in d.log()
        wait_for_log(d, r"event=access [^\n]*user=bob[^\n]*status=200",
                     count=2)
    finally:
        assert stop(d) == 0


# --- 18: certificate mapping ------------------------------------------------

def test_a_cn_naming_another_user_does_not_pick_the_mapping(tls_files,
                                                            workdir):
    """Review L5: CN=alice@example.com with UPN mallory@ops.example.com, map
    `alice subject=alice@example.com` and `bob subject=*@ops.example.com`:
    the old daemon logged in as alice (the CN's, more specific, line)."""
    t = tls_files
    ca, ca_key = t["client_ca_cert"], t["client_ca_key"]
    mallory = write_pair(workdir, "mallory", *make_leaf(
        "alice@example.com", ca, ca_key, upn="mallory@ops.example.com"))
    cn_only = write_pair(workdir, "cn-only", *make_leaf(
        "alice@example.com", ca, ca_key))
    nul = write_pair(workdir, "nul", *make_leaf(
        "x", ca, ca_key, upn="x@evil.com\x00@ops.example.com"))
    cert_map = os.path.join(workdir, "certmap")
    run_cli(["cert", "map", "add", USER, "--map", cert_map, "--subject",
             "alice@example.com", "--issuer-cert", t["client_ca"]])
    run_cli(["cert", "map", "add", USER_B, "--map", cert_map, "--subject",
             "*@ops.example.com", "--issuer-cert", t["client_ca"]])
    d = start(https_args(t, cert_map))

    def login(pair):
        cert, key = pair
        return curl("--cacert", t["ca"], "--cert", cert, "--key", key, "-H",
                    "Authorization: " + MUTUAL, d.https_url)[1]

    try:
        assert login(mallory) == 200
        wait_for_log(d, r"event=access [^\n]*user=bob[^\n]*status=200")
        assert not re.search(r"event=access [^\n]*user=alice", d.log())
        # The CN alone names nobody; a UPN with a NUL is refused outright.
        assert login(cn_only) == 401
        wait_for_log(d, r"no userPrincipalName")
        assert login(nul) == 401
        wait_for_log(d, r"NUL or control character")
        assert not re.search(r"event=access [^\n]*user=alice", d.log())
        # Without the *@ops line the audit's certificate maps to nobody.
        run_cli(["cert", "map", "del", USER_B, "--map", cert_map])
        time.sleep(1.2)
        assert login(mallory) == 401
        wait_for_log(d, r"status=401 outcome=cert-unmapped", count=3)
        assert not re.search(r"event=access [^\n]*user=alice", d.log())
        # A legitimate client is still served.
        _, code, _, _ = curl("--cacert", t["ca"], "-u",
                             f"{USER}:{PASSWORD}", d.https_url)
        assert code == 200
    finally:
        assert stop(d) == 0
