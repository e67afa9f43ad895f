"""`wsmand config check [--config FILE]` (issue 14): validates a config and
the files it names (accounts file, TLS certificate and key, client CA,
certificate map, provider directory) under the daemon's trusted-file
rules, without starting the daemon: exit 0 when fine, 2 when not, one
line per problem."""
import os
import socket

import pytest

from conftest import run_cli


def check(*args):
    return run_cli(["config", "check", *args], check=False)


@pytest.fixture
def good(tmp_path):
    """A config with an accounts file, an https listener with its
    certificate and key, a client CA and a certificate map."""
    os.chmod(tmp_path, 0o755)
    accounts = tmp_path / "accounts"
    run_cli(["user", "add", "op", "--accounts", str(accounts),
             "--password-stdin"], stdin="Op-Password-1\n")
    tls = tmp_path / "tls"
    run_cli(["cert", "create", "--out-dir", str(tls), "--key-type", "ecdsa"])
    cert_map = tmp_path / "certmap"
    run_cli(["cert", "map", "add", "op", "--map", str(cert_map),
             "--thumbprint", "a" * 40])
    config = tmp_path / "wsmand.toml"
    text = ('[server]\nlisten = ["http://127.0.0.1:0", '
            '"https://127.0.0.1:0"]\n'
            f'[auth]\naccounts_file = "{accounts}"\n'
            f'[tls]\ncertificate = "{tls}/server.pem"\n'
            f'private_key = "{tls}/server-key.pem"\n'
            f'client_ca = "{tls}/ca.pem"\n'
            f'client_cert_map = "{cert_map}"\n')
    config.write_text(text)
    return {"dir": tmp_path, "config": config, "text": text,
            "accounts": accounts, "tls": tls}


def test_good_config(good):
    proc = check("--config", str(good["config"]))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith(f"{good['config']}: OK")
    assert proc.stderr == ""


def test_global_config_flag_works_too(good):
    proc = run_cli(["--config", str(good["config"]), "config", "check"],
                   check=False)
    assert proc.returncode == 0, proc.stderr


def test_defaults_without_a_file():
    proc = check()
    assert proc.returncode == 0, proc.stderr
    assert "built-in defaults: OK" in proc.stdout


def test_syntax_error(good):
    good["config"].write_text(good["text"] + "[http\nworker_threads = 4\n")
    proc = check("--config", str(good["config"]))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"wsmand: {good['config']}:")


def test_unknown_key(good):
    good["config"].write_text(good["text"] + "[http]\nworkers = 4\n")
    proc = check("--config", str(good["config"]))
    assert proc.returncode == 2
    assert proc.stderr.strip() == \
        f"wsmand: {good['config']}:11: unknown key http.workers"


def test_world_writable_accounts_file(good):
    os.chmod(good["accounts"], 0o666)
    proc = check("--config", str(good["config"]))
    assert proc.returncode == 2
    assert f"refusing {good['accounts']}: it is writable by group or " \
        "others (mode 0666)" in proc.stderr
    assert "chmod go-w" in proc.stderr


def test_missing_certificate(good):
    os.unlink(good["tls"] / "server.pem")
    proc = check("--config", str(good["config"]))
    assert proc.returncode == 2
    assert f"{good['tls']}/server.pem" in proc.stderr


def test_every_problem_is_a_line(good):
    os.chmod(good["accounts"], 0o666)
    os.unlink(good["tls"] / "server.pem")
    (good["dir"] / "certmap").write_text("not a mapping line\n")
    os.chmod(good["dir"] / "certmap", 0o600)
    proc = check("--config", str(good["config"]))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 3, proc.stderr
    assert lines[0].startswith("wsmand: auth.accounts_file: ")
    assert lines[1].startswith("wsmand: tls: ")
    assert lines[2].startswith("wsmand: tls.client_cert_map: ")


def test_untrusted_config_file(good):
    os.chmod(good["config"], 0o666)
    proc = check("--config", str(good["config"]))
    assert proc.returncode == 2
    assert f"refusing {good['config']}" in proc.stderr


def test_provider_directory_others_may_write(good, tmp_path):
    providers = tmp_path / "providers"
    providers.mkdir()
    os.chmod(providers, 0o777)
    good["config"].write_text(good["text"] +
                              f'[providers]\ndirectory = "{providers}"\n')
    proc = check("--config", str(good["config"]))
    assert proc.returncode == 2
    assert f"refusing {providers}" in proc.stderr


def test_starts_nothing(good):
    # The listeners of the config are never bound: a port the check would
    # take stays free.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    good["config"].write_text(good["text"].replace(
        "http://127.0.0.1:0", f"http://127.0.0.1:{port}"))
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", port))
        holder.listen()
        proc = check("--config", str(good["config"]))
    assert proc.returncode == 0, proc.stderr
