"""Helpers to read SOAP faults the way WinRM clients do."""
import xml.etree.ElementTree as ET

S = "{http://www.w3.org/2003/05/soap-envelope}"
A = "{http://schemas.xmlsoap.org/ws/2004/08/addressing}"
W = "{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}"
F = "{http://schemas.microsoft.com/wbem/wsman/1/wsmanfault}"


class Fault:
    def __init__(self, xml_bytes):
        self.root = ET.fromstring(xml_bytes)
        fault = self.root.find(f"{S}Body/{S}Fault")
        assert fault is not None, xml_bytes
        self.code = fault.findtext(f"{S}Code/{S}Value")
        self.subcode = fault.findtext(f"{S}Code/{S}Subcode/{S}Value")
        self.reason = fault.findtext(f"{S}Reason/{S}Text")
        self.detail = fault.findtext(f"{S}Detail/{W}FaultDetail")
        wsman_fault = fault.find(f"{S}Detail/{F}WSManFault")
        self.wsman_code = (wsman_fault.get("Code")
                           if wsman_fault is not None else None)
        self.action = self.root.findtext(f"{S}Header/{A}Action")
        self.relates_to = self.root.findtext(f"{S}Header/{A}RelatesTo")

    @property
    def subcode_local(self):
        return (self.subcode or "").split(":")[-1]


def expect_fault(response, subcode, detail=None, code=None):
    status, headers, body = response
    assert status == 500, (status, body)
    assert headers["content-type"].startswith("application/soap+xml"), \
        headers
    fault = Fault(body)
    # SOAP's own faults (VersionMismatch, MustUnderstand) are Code values
    # with no Subcode; every other fault is named by its Subcode.
    name = fault.subcode_local or (fault.code or "").split(":")[-1]
    assert name == subcode, (fault.code, fault.subcode, body)
    if detail is not None:
        assert fault.detail is not None and fault.detail.endswith(
            "/" + detail), (fault.detail, body)
    if code is not None:
        assert fault.code == code, fault.code
    return fault
