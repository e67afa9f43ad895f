"""The sample C provider (providers/samples/sample_provider.c), built as a
shared object, loaded by the daemon from its [providers] directory; a module
built for another ABI version is refused."""
import os
import shutil

from conftest import WSMAND
from faults import expect_fault
from cim_util import (enumerate_, get, invoke, ok_root, parse_enum, props,
                      drain)

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(WSMAND)), "providers",
                       "samples")


def start(make_daemon, tmp_path, modules):
    for m in modules:
        shutil.copy(os.path.join(SAMPLES, m), tmp_path / m)
    return make_daemon(f'[providers]\ndirectory = "{tmp_path}"\n')


def test_sample_provider_through_the_daemon(make_daemon, tmp_path):
    d = start(make_daemon, tmp_path, ["libwsmand_sample_provider.so",
                                      "libwsmand_bad_abi_provider.so"])
    log = d.log()
    assert "event=provider-loaded" in log and "sample-greeting" in log
    assert "event=provider-refused" in log and "ABI version 99" in log

    ctx, items, end = parse_enum(enumerate_(d, "WSMAN_SampleGreeting",
                                            optimize=True, max_elements=10))
    assert end
    got = [props(i) for i in items]
    assert [g["Text"] for g in got] == ["hello", "bonjour", "hallo"]
    assert got[1]["Languages"] == "fr"
    assert got[0]["Created"] == "2024-01-02T03:04:05Z"

    ctx, _, _ = parse_enum(enumerate_(d, "WSMAN_SampleGreeting"))
    assert len(drain(d, ctx, max_elements=1)) == 3

    body = ok_root(get(d, "WSMAN_SampleGreeting", {"Id": "2"}))
    inst = body.find("{http://www.w3.org/2003/05/soap-envelope}Body")[0]
    assert props(inst)["Text"] == "hallo"
    expect_fault(get(d, "WSMAN_SampleGreeting", {"Id": "7"}),
                 "DestinationUnreachable")

    out = ok_root(invoke(d, "WSMAN_SampleGreeting", "Greet",
                         "<p:Name>Ada</p:Name>"))
    result = out.find("{http://www.w3.org/2003/05/soap-envelope}Body")[0]
    assert props(result) == {"Greeting": "Hello, Ada!", "ReturnValue": "0"}
    expect_fault(invoke(d, "WSMAN_SampleGreeting", "Greet"),
                 "InvalidParameter")

    # The refused module's class does not exist.
    expect_fault(enumerate_(d, "WSMAN_FromTheFuture"),
                 "DestinationUnreachable", detail="InvalidResourceURI")


def test_missing_directory_is_logged(make_daemon, tmp_path):
    d = make_daemon(f'[providers]\ndirectory = "{tmp_path}/nope"\n')
    assert "event=provider-directory" in d.log()
