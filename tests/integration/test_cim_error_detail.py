"""A CIM operation's fault carries the CIM error instance in s:Detail
(docs/faults.md "CIM error detail", docs/mi-results.md): p:MSFT_WmiError in
Windows' shape, then p:OMI_Error for OMI's MI client, both after
f:WSManFault. Read the way the clients read them, against the real daemon:
pywinrm's Protocol.send_message (and the XPaths of its fault parser:
s:Detail/MSFT_WmiError/error_Code), pypsrp's _parse_wsman_fault paths
(s:Body/s:Fault, s:Detail/wsmanfault:WSManFault @Code, f:Message), WinRb/
WinRM's local-name() search for MSFT_WmiError/error_Code, and OMI's
WS_ParseFaultBody (OMI_Error after WSManFault, b:IsCIM_Error in the
cimbinding namespace, MessageID OMI:MI_Result:<n>). Also: a resource URI
nobody serves answers Windows' 2150858811 and no CIM error."""
import os
import xml.etree.ElementTree as ET

import pytest

from conftest import PASSWORD, USER, daemon, envelope  # noqa: F401
from faults import expect_fault
from host_util import get, invoke, uri_of

# pywinrm's namespace map (winrm/protocol.py) and pypsrp's (wsman.py).
PYWINRM_NS = {
    "soapenv": "http://www.w3.org/2003/05/soap-envelope",
    "wsmanfault": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
    "wmierror":
        "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError",
}
PYPSRP_NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsmanfault": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
CIMBINDING = "{http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
OMI = "{http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/OMI_Error}"
WMI = "{http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError}"

NOT_FOUND, METHOD_NOT_FOUND = 6, 17


def missing_process(d):
    return get(d, "Win32_Process", {"Handle": 999999999})


def missing_method(d):
    return invoke(d, "Win32_Process", "NoSuchMethod",
                  selectors={"Handle": os.getpid()})


def fault_body(response):
    status, _, body = response
    assert status == 500, body
    return body


def pypsrp_read(body):
    """What pypsrp's WSManFaultError gets: (code, machine, reason)."""
    root = ET.fromstring(body)
    fault = root.find("s:Body/s:Fault", PYPSRP_NS)
    assert fault is not None
    reason = fault.findtext("s:Reason/s:Text", namespaces=PYPSRP_NS)
    wsman = fault.find("s:Detail/wsmanfault:WSManFault", PYPSRP_NS)
    assert wsman is not None
    message = wsman.find("wsmanfault:Message", PYPSRP_NS)
    if message is not None and message.text:
        reason = message.text
    return int(wsman.get("Code")), wsman.get("Machine"), reason


def pywinrm_read(body):
    """The values pywinrm's WSManFaultError carries."""
    fault = ET.fromstring(body).find("soapenv:Body/soapenv:Fault", PYWINRM_NS)
    assert fault is not None
    code = fault.find("soapenv:Detail/wsmanfault:WSManFault[@Code]",
                      PYWINRM_NS)
    wmi = fault.find("soapenv:Detail/wmierror:MSFT_WmiError/"
                     "wmierror:error_Code", PYWINRM_NS)
    return (int(code.get("Code")) if code is not None else None,
            int(wmi.text) if wmi is not None and wmi.text else None)


def omi_read(body):
    """What OMI's client takes from s:Detail: the MI result of the last
    CIM error or WSManFault element it meets (a WSManFault resets it to
    MI_RESULT_FAILED), and the OMI_Error's Message."""
    detail = ET.fromstring(body).find(
        "{http://www.w3.org/2003/05/soap-envelope}Body/"
        "{http://www.w3.org/2003/05/soap-envelope}Fault/"
        "{http://www.w3.org/2003/05/soap-envelope}Detail")
    result, message = None, None
    for child in detail:
        local = child.tag.split("}")[-1]
        if local == "WSManFault":
            result = 1
        elif local == "OMI_Error" and \
                child.get(CIMBINDING + "IsCIM_Error") == "true":
            mid = child.findtext(OMI + "MessageID")
            if mid.startswith("OMI:MI_Result:"):
                result = int(mid[len("OMI:MI_Result:"):])
            message = child.findtext(OMI + "Message")
    return result, message


def wmi_error(body):
    node = ET.fromstring(body).find(".//" + WMI + "MSFT_WmiError")
    assert node is not None, body
    return node


def test_get_missing_instance_detail_as_windows(daemon):  # noqa: F811
    body = fault_body(missing_process(daemon))
    expect_fault((500, {"content-type": "application/soap+xml"}, body),
                 "DestinationUnreachable")
    node = wmi_error(body)
    assert node.get(CIMBINDING + "IsCIM_Error") == "true"
    assert node.get(XSI + "type") == "p:MSFT_WmiError_Type"
    p = {c.tag[len(WMI):]: c for c in node}
    assert p["CIMStatusCode"].text == str(NOT_FOUND)
    assert p["CIMStatusCode"].get(XSI + "type") == "cim:cimUnsignedInt"
    assert p["MessageID"].text == "MI RESULT 6"
    assert p["error_Type"].text == "MI"
    assert p["error_Code"].text == str(NOT_FOUND)
    assert p["error_Category"].text == "13"  # ObjectNotFound
    assert p["Message"].text
    assert p["OwningEntity"].get(XSI + "nil") == "true"
    # After WSManFault, in this order (OMI's client needs OMI_Error last).
    order = [c.tag.split("}")[-1] for c in ET.fromstring(body).find(
        ".//{http://www.w3.org/2003/05/soap-envelope}Detail")]
    assert order == ["WSManFault", "MSFT_WmiError", "OMI_Error"], order


def test_get_missing_instance_read_by_the_clients(daemon):  # noqa: F811
    body = fault_body(missing_process(daemon))
    code, machine, reason = pypsrp_read(body)
    assert code == 2150858752 and machine and reason
    assert pywinrm_read(body) == (2150858752, NOT_FOUND)
    # WinRb/WinRM: //*[local-name()='MSFT_WmiError']//*[local-name()=
    # 'error_Code'].
    assert ET.fromstring(body).findtext(
        ".//{*}MSFT_WmiError/{*}error_Code") == str(NOT_FOUND)
    result, message = omi_read(body)
    assert result == NOT_FOUND
    assert message == wmi_error(body).findtext(WMI + "Message")


def test_pywinrm_protocol_send_message_sees_the_fault(daemon):  # noqa: F811
    from winrm.exceptions import WinRMError, WinRMTransportError
    from winrm.protocol import Protocol
    protocol = Protocol(endpoint=daemon.url, transport="plaintext",
                        username=USER, password=PASSWORD)
    request = envelope(
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get",
        uri_of("Win32_Process"), "",
        extra='<w:SelectorSet><w:Selector Name="Handle">999999999'
              '</w:Selector></w:SelectorSet>')
    with pytest.raises(WinRMError) as raised:
        protocol.send_message(request)
    err = raised.value
    if hasattr(err, "wmierror_code"):  # pywinrm >= 0.5: WSManFaultError
        assert err.wmierror_code == NOT_FOUND
        assert err.wsman_fault_code == 2150858752
    else:  # older pywinrm puts the fault data in the message
        assert "2150858752" in str(err), str(err)
    # What its transport hands the fault parser: the 500 and the envelope.
    with pytest.raises(WinRMTransportError) as transport:
        protocol.transport.send_message(request)
    assert transport.value.code == 500
    assert pywinrm_read(transport.value.response_text) == \
        (2150858752, NOT_FOUND)


def test_invoke_missing_method(daemon):  # noqa: F811
    body = fault_body(missing_method(daemon))
    expect_fault((500, {"content-type": "application/soap+xml"}, body),
                 "ActionNotSupported")
    p = {c.tag[len(WMI):]: c.text for c in wmi_error(body)}
    assert p["CIMStatusCode"] == str(METHOD_NOT_FOUND)
    assert p["MessageID"] == "MI RESULT 17"
    assert p["error_Code"] == str(METHOD_NOT_FOUND)
    assert p["error_Category"] == "10"  # MetadataError
    code, _, _ = pypsrp_read(body)
    assert pywinrm_read(body) == (code, METHOD_NOT_FOUND)
    assert omi_read(body)[0] == METHOD_NOT_FOUND


def test_unserved_resource_uri_is_windows_code_without_cim_error(
        daemon):  # noqa: F811
    response = daemon.post(envelope(
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get",
        "http://example.com/wsmand/no/such/resource", ""))
    fault = expect_fault(response, "DestinationUnreachable",
                         detail="InvalidResourceURI")
    assert fault.wsman_code == "2150858811"
    body = response[2]
    assert pywinrm_read(body) == (2150858811, None)
    assert b"MSFT_WmiError" not in body and b"OMI_Error" not in body
    # pypsrp's code is the WSManFault's, as Windows sends it.
    assert pypsrp_read(body)[0] == 2150858811


def test_a_providers_own_cim_error_reaches_the_client():
    """A provider's PostResult with its own CIM_Error instance (MI's
    PostCimError): its MessageID, OwningEntity and Message are what the
    client reads; CIMStatusCode follows the result."""
    import shutil
    import tempfile
    from cim_util import TEST_CONFIG, get as cim_get
    from conftest import Daemon
    workdir = tempfile.mkdtemp(prefix="wsmand-cimerr-")
    d = Daemon(workdir, TEST_CONFIG)
    try:
        body = fault_body(cim_get(d, "WSMAN_TestFailing", {"Id": "1"}))
        p = {c.tag[len(WMI):]: c.text for c in wmi_error(body)}
        assert p["MessageID"] == "WSMAN_TEST_0042"
        assert p["OwningEntity"] == "wsmand test provider"
        assert p["Message"] == "The test row is locked."
        assert p["CIMStatusCode"] == "1"  # MI_RESULT_FAILED
        assert "The test row is locked." in pypsrp_read(body)[2]
    finally:
        assert d.stop() == 0
        shutil.rmtree(workdir, ignore_errors=True)
