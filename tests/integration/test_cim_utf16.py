"""A UTF-16 client's MaxEnvelopeSize holds for the bytes it receives."""
import xml.etree.ElementTree as ET

from cim_util import (DMTF, ENUM, N, W, cim, enumerate_body, headers)
from conftest import envelope


def post_utf16(d, xml):
    body = b"\xff\xfe" + xml.encode("utf-16-le")
    return d.post(body, content_type="application/soap+xml;charset=UTF-16")


def test_utf16_responses_respect_max_envelope_size(cim):
    limit = 8192
    xml = envelope(ENUM + "Enumerate", DMTF + "WSMAN_TestItem",
                   enumerate_body(optimize=True, max_elements=500),
                   extra=headers(options={"Count": 200}, max_env=limit))
    status, hdrs, data = post_utf16(cim, xml)
    assert status == 200, data[:300]
    assert "utf-16" in hdrs["content-type"].lower()
    assert len(data) <= limit, len(data)
    got = 0
    root = ET.fromstring(data.decode("utf-16"))
    got += len(list(root.iter(DMTF_ITEM)))
    context = root.findtext(f".//{N}EnumerationContext")
    while context:
        pull = (f'<n:Pull xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
                f'enumeration"><n:EnumerationContext>{context}'
                '</n:EnumerationContext><n:MaxElements>500</n:MaxElements>'
                '</n:Pull>')
        status, _, data = post_utf16(cim, envelope(
            ENUM + "Pull", DMTF + "WSMAN_TestItem", pull,
            extra=headers(max_env=limit)))
        assert status == 200 and len(data) <= limit, (status, len(data))
        root = ET.fromstring(data.decode("utf-16"))
        got += len(list(root.iter(DMTF_ITEM)))
        if root.find(f".//{N}EndOfSequence") is not None:
            break
        context = root.findtext(f".//{N}EnumerationContext")
    assert got == 200


DMTF_ITEM = "{" + DMTF + "WSMAN_TestItem}WSMAN_TestItem"
