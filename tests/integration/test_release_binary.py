"""The release daemon has no test providers (issue 12): wsmand ignores
`[providers] test_providers = true` and WSMAND_TEST_PROVIDERS=1, which turn
them on in wsmand-testing only (built from the same main)."""
import os
import shutil
import tempfile

import pytest

from conftest import WSMAND, Daemon, binary_for
from faults import expect_fault
from cim_util import TEST_CONFIG, enumerate_, parse_enum


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="wsmand-release-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_release_daemon_ignores_every_switch_for_test_providers(workdir):
    env = dict(os.environ, WSMAND_TEST_PROVIDERS="1")
    d = Daemon(workdir, TEST_CONFIG, env=env, binary=WSMAND)
    try:
        for cls in ("WSMAN_TestItem", "WSMAN_TestThrowing", "WSMAN_TestSlow"):
            expect_fault(enumerate_(d, cls), "DestinationUnreachable",
                         detail="InvalidResourceURI")
        assert "test_providers ignored" in d.log()
        assert d.identify_ok()
    finally:
        assert d.stop() == 0


def test_testing_daemon_serves_them(workdir):
    binary = binary_for(TEST_CONFIG)
    assert os.path.basename(binary) == "wsmand-testing"
    d = Daemon(workdir, TEST_CONFIG)
    try:
        ctx, _, _ = parse_enum(enumerate_(d, "WSMAN_TestItem"))
        assert ctx
        assert "test providers registered" in d.log()
    finally:
        assert d.stop() == 0
