"""Every refusal a client hides is in the log at the default level (info):
the access line of a fault answer carries the fault's subcode and its
message (issue 14; pywinrm shows only s:Reason), and never a secret."""
import base64

import pytest

from cim_util import DMTF, context_op, enumerate_, parse_enum
from conftest import PASSWORD, USER, envelope
from observability_util import close, info_daemon, lines
from shell_util import A_CREATE, A_RECEIVE, CMD_URI, IS_ROOT

SHELL_BODY = ('<rsp:Shell xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/'
              '1/windows/shell"><rsp:InputStreams>stdin</rsp:InputStreams>'
              '</rsp:Shell>')


@pytest.fixture(scope="module")
def d():
    daemon = info_daemon("[providers]\ntest_providers = true\n"
                         "[enumeration]\nmax_contexts_per_user = 1\n")
    yield daemon
    assert close(daemon) == 0


def access_line(d, **match):
    found = [f for f in lines(d.log(), "access")
             if all(f.get(k) == v for k, v in match.items())]
    assert found, f"no access line with {match}:\n{d.log()[-3000:]}"
    return found[-1]


def assert_no_secrets(d):
    log = d.log()
    assert PASSWORD not in log
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert token not in log
    assert "Authorization" not in log


def test_default_level_is_info(d):
    assert "level=debug" not in d.log()


@pytest.mark.skipif(not IS_ROOT, reason="only as root are accounts-file users "
                    "without a system account refused")
def test_access_denied_carries_subcode_and_message(d):
    status, _, _ = d.post(envelope(A_CREATE, CMD_URI, SHELL_BODY))
    assert status == 500
    line = access_line(d, action=A_CREATE, outcome="AccessDenied")
    assert line["fault"] == "w:AccessDenied"
    assert f'"{USER}"' in line["message"] or USER in line["message"]
    assert "no system account" in line["message"]
    assert "fallback_user" in line["message"]
    assert_no_secrets(d)


def test_quota_limit_carries_subcode_and_message(d):
    ctx, _, end = parse_enum(enumerate_(d, "WSMAN_TestItem"))
    assert ctx and not end
    try:
        status, _, _ = enumerate_(d, "WSMAN_TestItem")
        assert status == 500
        line = access_line(d, outcome="QuotaLimit")
        assert line["fault"] == "w:QuotaLimit"
        assert "open enumerations" in line["message"]
        assert line["action"].endswith("/Enumerate")
    finally:
        context_op(d, "Release", ctx)
    assert_no_secrets(d)


def test_invalid_selectors_carries_subcode_and_message(d):
    headers = ('<w:SelectorSet><w:Selector Name="ShellId">'
               '00000000-0000-4000-8000-00000000beef</w:Selector>'
               '</w:SelectorSet>')
    body = ('<rsp:Receive xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/'
            '1/windows/shell"><rsp:DesiredStream CommandId="00000000-0000-'
            '4000-8000-00000000cafe">stdout</rsp:DesiredStream></rsp:Receive>')
    status, _, _ = d.post(envelope(A_RECEIVE, CMD_URI, body, extra=headers))
    assert status == 500
    line = access_line(d, action=A_RECEIVE, outcome="InvalidSelectors")
    assert line["fault"] == "w:InvalidSelectors"
    assert line["message"]
    assert_no_secrets(d)


def test_catalogue_reason_when_no_message(d):
    # An unknown action: a:ActionNotSupported with the catalogue's text.
    status, _, _ = d.post(envelope("urn:wsmand-test:NoSuchAction",
                                   DMTF + "WSMAN_TestItem"))
    assert status == 500
    line = access_line(d, action="urn:wsmand-test:NoSuchAction")
    assert line["fault"].startswith("a:") or line["fault"].startswith("w:")
    assert line["message"]


def test_long_message_is_bounded(d):
    # A 4000-character resource URI is named in the fault's message; the
    # logged message stops at 512 bytes.
    uri = DMTF + "X" * 4000
    status, _, _ = d.post(envelope(
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get", uri))
    assert status >= 400
    line = access_line(d, resource=uri)
    assert line.get("message")
    assert len(line["message"].encode()) <= 512 + 3


def test_wrong_password_is_not_logged(d):
    status, _, _ = d.post(envelope(A_CREATE, CMD_URI, SHELL_BODY),
                          password="Wr0ng-Secret-Pass")
    assert status == 401
    assert "Wr0ng-Secret-Pass" not in d.log()
    assert_no_secrets(d)
