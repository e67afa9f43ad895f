"""Fragment-level WS-Transfer (DSP0226 7.7, [MS-WSMV] 3.1.4.1.18) against
the real daemon: `winrm get ... -fragment:Prop` and `winrm set ...
-fragment:Prop` in the shape winrm.vbs / WSMan.Automation send them
(w:FragmentTransfer s:mustUnderstand="true" in the header), a host class
and the test providers' in-memory table."""
import os
import socket
import xml.etree.ElementTree as ET

from conftest import envelope
from faults import expect_fault
from cim_util import DMTF, TRANSFER, W, cim, headers, ok_root, props  # noqa

WMI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/"
TABLE = DMTF + "WSMAN_TestTable"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
S_BODY = "{http://www.w3.org/2003/05/soap-envelope}Body"


def fragment_header(expr, dialect=None, mu='s:mustUnderstand="true"'):
    d = f' Dialect="{dialect}"' if dialect else ""
    return f"<w:FragmentTransfer {mu}{d}>{expr}</w:FragmentTransfer>"


def fragment_get(d, uri, selectors, expr, **kw):
    req = envelope(TRANSFER + "Get", uri, "",
                   extra=headers(selectors=selectors) +
                   fragment_header(expr, **kw))
    return d.post(req)


def fragment_put(d, uri, selectors, expr, body, **kw):
    req = envelope(TRANSFER + "Put", uri, body,
                   extra=headers(selectors=selectors) +
                   fragment_header(expr, **kw))
    return d.post(req)


def xml_fragment(response):
    body = ok_root(response).find(S_BODY)
    assert len(body) == 1, ET.tostring(body)
    frag = body[0]
    assert frag.tag == f"{W}XmlFragment", ET.tostring(body)
    return frag


def table_row(d, name):
    req = envelope(TRANSFER + "Get", TABLE, "",
                   extra=headers(selectors={"Name": name}))
    return props(ok_root(d.post(req)).find(S_BODY)[0])


def create_row(d, name, value, note):
    body = (f'<p:WSMAN_TestTable xmlns:p="{TABLE}">'
            f"<p:Name>{name}</p:Name><p:Value>{value}</p:Value>"
            f"<p:Note>{note}</p:Note><p:Scores>1</p:Scores>"
            "<p:Scores>2</p:Scores></p:WSMAN_TestTable>")
    status, _, out = d.post(envelope(TRANSFER + "Create", TABLE, body))
    assert status == 200, out


def host_name():
    return socket.gethostname().split(".")[0]


def test_fragment_get_of_a_host_class_property(cim):
    # winrm get wmicimv2/Win32_ComputerSystem?Name=<host> -fragment:Name
    sel = {"Name": host_name()}
    whole = ok_root(cim.post(envelope(TRANSFER + "Get",
                                      WMI + "Win32_ComputerSystem", "",
                                      extra=headers(selectors=sel))))
    full = props(whole.find(S_BODY)[0])
    frag = xml_fragment(fragment_get(cim, WMI + "Win32_ComputerSystem", sel,
                                     "Name"))
    assert [c.tag for c in frag] == ["Name"]
    assert frag[0].text == full["Name"]
    # text(): the value alone, no element.
    frag = xml_fragment(fragment_get(cim, WMI + "Win32_ComputerSystem", sel,
                                     "Name/text()", dialect=XPATH))
    assert len(frag) == 0 and frag.text == full["Name"]


def test_fragment_get_forms_on_the_table(cim):
    sel = {"Name": "first"}
    frag = xml_fragment(fragment_get(cim, TABLE, sel, "Value"))
    assert [(c.tag, c.text) for c in frag] == [("Value", "1")]
    # A prefix, the class step, an absolute path, any case.
    for expr in ("p:Value", "WSMAN_TestTable/Value", "/p:WSMAN_TestTable/value"):
        frag = xml_fragment(fragment_get(cim, TABLE, sel, expr))
        assert [(c.tag, c.text) for c in frag] == [("Value", "1")], expr
    frag = xml_fragment(fragment_get(cim, TABLE, sel, "Scores"))
    assert [c.text for c in frag] == ["1", "2"]
    frag = xml_fragment(fragment_get(cim, TABLE, sel, "Note/text()"))
    assert frag.text == "the first row"


def test_fragment_faults(cim):
    sel = {"Name": "first"}
    expect_fault(fragment_get(cim, TABLE, sel, "Value",
                              dialect="http://example.com/not-xpath"),
                 "FragmentDialectNotSupported")
    expect_fault(fragment_get(cim, TABLE, sel, "Nope"),
                 "InvalidRepresentation", detail="InvalidFragment")
    expect_fault(fragment_put(cim, TABLE, sel, "Nope",
                              "<w:XmlFragment><Nope>1</Nope></w:XmlFragment>"),
                 "InvalidRepresentation", detail="InvalidFragment")
    for expr in ("Value[1]", "//Value", "Scores/text()", "Note/Sub", ""):
        expect_fault(fragment_get(cim, TABLE, sel, expr),
                     "CannotProcessFilter")
    # A missing instance is still DestinationUnreachable.
    expect_fault(fragment_get(cim, TABLE, {"Name": "nobody"}, "Value"),
                 "DestinationUnreachable")
    # mustUnderstand="false": [MS-WSMV] 3.1.4.1.18's fault.
    expect_fault(fragment_get(cim, TABLE, sel, "Value",
                              mu='s:mustUnderstand="false"'),
                 "InvalidMessageInformationHeader")
    # Fragment transfer on an operation other than Get and Put.
    req = envelope(TRANSFER + "Delete", TABLE, "",
                   extra=headers(selectors=sel) + fragment_header("Value"))
    expect_fault(cim.post(req), "UnsupportedFeature",
                 detail="FragmentLevelAccess")
    assert table_row(cim, "first")["Name"] == "first"  # not deleted


def test_fragment_put_changes_only_that_property(cim):
    create_row(cim, "frag-put", 5, "keep me")
    sel = {"Name": "frag-put"}
    frag = xml_fragment(fragment_put(
        cim, TABLE, sel, "Value",
        "<w:XmlFragment><Value>77</Value></w:XmlFragment>"))
    assert [(c.tag, c.text) for c in frag] == [("Value", "77")]
    row = table_row(cim, "frag-put")
    assert row["Value"] == "77"
    assert row["Note"] == "keep me" and row["Scores"] == ["1", "2"]

    # text() form (winrm set -fragment:Note/text()).
    frag = xml_fragment(fragment_put(
        cim, TABLE, sel, "Note/text()",
        "<w:XmlFragment>changed</w:XmlFragment>"))
    assert frag.text == "changed"
    row = table_row(cim, "frag-put")
    assert row["Note"] == "changed" and row["Value"] == "77"

    # Refusals leave the row as it was.
    expect_fault(fragment_put(cim, TABLE, sel, "Value",
                              "<w:XmlFragment><Value>x</Value></w:XmlFragment>"),
                 "InvalidRepresentation")
    expect_fault(fragment_put(cim, TABLE, sel, "Value",
                              "<w:XmlFragment><Value>1</Value><Note>n</Note>"
                              "</w:XmlFragment>"),
                 "InvalidRepresentation", detail="InvalidFragment")
    expect_fault(fragment_put(cim, TABLE, sel, "Name",
                              "<w:XmlFragment><Name>x</Name></w:XmlFragment>"),
                 "InvalidRepresentation", detail="InvalidFragment")
    expect_fault(fragment_put(cim, TABLE, sel, "Value",
                              f'<p:WSMAN_TestTable xmlns:p="{TABLE}">'
                              "<p:Value>3</p:Value></p:WSMAN_TestTable>"),
                 "InvalidRepresentation", detail="InvalidFragment")
    row = table_row(cim, "frag-put")
    assert row["Value"] == "77" and row["Note"] == "changed"
    assert row["Scores"] == ["1", "2"]


def test_omi_vector_fragment_header_shape(cim):
    # OMI's recorded Get carries <wsman:FragmentTransfer> with no
    # mustUnderstand and no Dialect: the header is understood (no
    # MustUnderstand fault, no UnsupportedFeature), and honoured: its
    # expression "xpath expression" is no property path.
    path = os.path.join(os.environ.get("WSMAND_VECTORS",
                                       "/work/shared/vectors"),
                        "omi", "xml_wsman_get.xml")
    with open(path, "rb") as f:
        raw = f.read().decode("utf-8")
    assert "<wsman:FragmentTransfer>xpath expression" in raw
    # Point it at a class served here, keeping every header as recorded.
    req = raw.replace(
        "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_Person",
        TABLE).replace('<wsman:Selector Name="Key">1001</wsman:Selector>',
                       '<wsman:Selector Name="Name">first</wsman:Selector>')
    expect_fault(cim.post(req), "CannotProcessFilter")
    # The same shape with a property path answers the fragment.
    req = req.replace("xpath expression", "Value")
    frag = xml_fragment(cim.post(req))
    assert [(c.tag, c.text) for c in frag] == [("Value", "1")]
