"""WS-Enumeration over the CIM engine: Enumerate/Pull/Release/Renew/GetStatus
against the test providers of a real wsmand."""
import time

from conftest import USER_B, PASSWORD_B
from faults import expect_fault
from cim_util import (A, DMTF, MSFT, W, cim, context_op, drain,  # noqa: F401
                      enumerate_, parse_enum, props, pull)

BOB = (USER_B, PASSWORD_B)


def test_plain_enumeration_then_pulls(cim):
    ctx, items, end = parse_enum(enumerate_(cim, "WSMAN_TestItem",
                                            options={"Count": 5}))
    assert ctx and not items and not end
    got = drain(cim, ctx, max_elements=2)
    assert [props(i)["Id"] for i in got] == ["0", "1", "2", "3", "4"]


def test_optimized_enumeration_all_fit(cim):
    ctx, items, end = parse_enum(enumerate_(
        cim, "WSMAN_TestItem", options={"Count": 3}, optimize=True,
        max_elements=10))
    assert end and len(items) == 3
    p = props(items[0])
    assert p["Name"] == "item-0" and p["Flag"] == "true"
    assert p["Letter"] == "A" and p["Tags"] == ["even", "t0"]
    assert p["When"] == "2024-01-01T00:00:00Z"
    # The context is gone after EndOfSequence.
    expect_fault(pull(cim, ctx), "InvalidEnumerationContext")


def test_optimized_enumeration_continues_with_pull(cim):
    ctx, items, end = parse_enum(enumerate_(
        cim, "WSMAN_TestItem", options={"Count": 7}, optimize=True,
        max_elements=3))
    assert not end and len(items) == 3
    rest = drain(cim, ctx, max_elements=3)
    ids = [props(i)["Id"] for i in items + rest]
    assert ids == [str(i) for i in range(7)]


def test_microsoft_resource_uri(cim):
    ctx, items, end = parse_enum(enumerate_(
        cim, "WSMAN_TestItem", uri=MSFT + "WSMAN_TestItem",
        options={"Count": 1}, optimize=True, max_elements=5))
    assert end and len(items) == 1
    assert items[0].tag == "{" + MSFT + "WSMAN_TestItem}WSMAN_TestItem"


def test_object_and_epr_mode(cim):
    _, items, end = parse_enum(enumerate_(
        cim, "WSMAN_TestItem", options={"Count": 2}, optimize=True,
        max_elements=5, mode="EnumerateObjectAndEPR"))
    assert end and len(items) == 2
    item = items[1]
    assert item.tag == f"{W}Item"
    assert props(item[0])["Id"] == "1"
    epr = item[1]
    assert epr.tag == f"{A}EndpointReference"
    assert epr.findtext(f"{A}ReferenceParameters/{W}ResourceURI") == \
        DMTF + "WSMAN_TestItem"
    sels = {s.get("Name"): s.text for s in
            epr.iter(f"{W}Selector")}
    assert sels == {"Id": "1", "__cimnamespace": "root/cimv2"}


def test_epr_mode(cim):
    ctx, _, _ = parse_enum(enumerate_(
        cim, "WSMAN_TestItem", options={"Count": 2}, mode="EnumerateEPR"))
    got = drain(cim, ctx)
    assert [e.tag for e in got] == [f"{A}EndpointReference"] * 2


def test_bad_enumeration_mode(cim):
    expect_fault(enumerate_(cim, "WSMAN_TestItem", mode="EnumerateSomething"),
                 "UnsupportedFeature", detail="EnumerationMode")


def test_pull_one_at_a_time_across_a_long_context(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestItem",
                                      options={"Count": 60}))
    ids = []
    while True:
        c, items, end = parse_enum(pull(cim, ctx, max_elements=1))
        assert len(items) == 1 or (end and not items)
        ids.extend(props(i)["Id"] for i in items)
        if end:
            assert c is None
            break
        assert c == ctx
    assert ids == [str(i) for i in range(60)]


def test_ten_thousand_instances_exactly_once_in_order(cim):
    ctx, items, end = parse_enum(enumerate_(
        cim, "WSMAN_TestItem", options={"Count": 10000}, optimize=True,
        max_elements=250))
    items += drain(cim, ctx, max_elements=500)
    ids = [int(props(i)["Id"]) for i in items]
    assert ids == list(range(10000))


def test_max_envelope_size_spreads_items(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestItem",
                                      options={"Count": 200}))
    seen = []
    pulls = 0
    while ctx:
        status, _, body = response = pull(cim, ctx, max_elements=1000,
                                          max_env=8192)
        assert len(body) <= 8192
        c, items, end = parse_enum(response)
        pulls += 1
        seen.extend(int(props(i)["Id"]) for i in items)
        ctx = None if end else c
    assert seen == list(range(200))
    assert pulls > 5


def test_max_characters(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestItem",
                                      options={"Count": 10}))
    _, items, _ = parse_enum(pull(cim, ctx, max_elements=10,
                                  max_chars=2500))
    assert 1 <= len(items) < 10
    context_op(cim, "Release", ctx)


def test_release_cancels_and_frees(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestItem",
                                      options={"Count": 1000000}))
    parse_enum(pull(cim, ctx, max_elements=5))
    status, _, _ = context_op(cim, "Release", ctx)
    assert status == 200
    expect_fault(pull(cim, ctx), "InvalidEnumerationContext")
    expect_fault(context_op(cim, "Release", ctx), "InvalidEnumerationContext")


def test_unknown_context(cim):
    expect_fault(pull(cim, "uuid:00000000-0000-0000-0000-000000000000"),
                 "InvalidEnumerationContext")


def test_another_users_context(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestItem",
                                      options={"Count": 3}))
    expect_fault(pull(cim, ctx, user=BOB), "InvalidEnumerationContext")
    expect_fault(context_op(cim, "Release", ctx, user=BOB),
                 "InvalidEnumerationContext")
    # Still alive for its owner.
    assert len(drain(cim, ctx)) == 3


def test_renew_and_get_status(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestItem",
                                      options={"Count": 3}, expires="PT30S"))
    from cim_util import ok_root, N
    root = ok_root(context_op(cim, "GetStatus", ctx))
    assert root.find(f".//{N}GetStatusResponse/{N}Expires") is not None
    root = ok_root(context_op(cim, "Renew", ctx, expires="PT60S"))
    assert root.findtext(f".//{N}RenewResponse/{N}Expires").startswith("PT6")
    assert len(drain(cim, ctx)) == 3


def test_invalid_expires(cim):
    expect_fault(enumerate_(cim, "WSMAN_TestItem", expires="PT0S"),
                 "InvalidExpirationTime")
    expect_fault(enumerate_(cim, "WSMAN_TestItem",
                            expires="2030-01-01T00:00:00Z"),
                 "UnsupportedExpirationType")


def test_expiry_reaps_the_context(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestItem",
                                      options={"Count": 100000},
                                      expires="PT1S"))
    time.sleep(2.5)
    expect_fault(pull(cim, ctx), "InvalidEnumerationContext")
    assert "enumeration-expired" in cim.log()


def test_operation_timeout_returns_ready_items_or_times_out(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestSlow",
                                      options={"Count": 2, "DelayMs": 1500}))
    expect_fault(pull(cim, ctx, timeout="PT0.3S"), "TimedOut")
    _, items, _ = parse_enum(pull(cim, ctx, timeout="PT5S", max_elements=5))
    assert len(items) == 1
    context_op(cim, "Release", ctx)


def test_failure_mid_stream_after_posted_items(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestFailing",
                                      options={"Count": 3, "Result": 2}))
    time.sleep(0.2)
    _, items, end = parse_enum(pull(cim, ctx, max_elements=10))
    assert len(items) == 3 and not end
    expect_fault(pull(cim, ctx), "AccessDenied")
    expect_fault(pull(cim, ctx), "InvalidEnumerationContext")


def test_failure_in_optimized_enumerate(cim):
    expect_fault(enumerate_(cim, "WSMAN_TestFailing",
                            options={"Count": 0, "Result": 6},
                            optimize=True, max_elements=5),
                 "DestinationUnreachable")


def test_throwing_provider_gives_internal_error(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestThrowing"))
    items = []
    while True:
        response = pull(cim, ctx, max_elements=10)
        if response[0] != 200:
            expect_fault(response, "InternalError")
            break
        _, got, _ = parse_enum(response)
        items += got
    assert len(items) == 1
    assert "threw an exception" in cim.log()


def test_provider_without_post_result(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestSilent"))
    _, items, _ = parse_enum(pull(cim, ctx, max_elements=10))
    assert len(items) == 1
    expect_fault(pull(cim, ctx), "InternalError")
    assert "without calling PostResult" in cim.log()


def test_posts_after_post_result_are_ignored(cim):
    ctx, items, end = parse_enum(enumerate_(
        cim, "WSMAN_TestLate", optimize=True, max_elements=10))
    assert end and len(items) == 2


def test_asynchronous_provider(cim):
    ctx, _, _ = parse_enum(enumerate_(cim, "WSMAN_TestAsync",
                                      options={"Count": 4}))
    assert len(drain(cim, ctx)) == 4


def test_unknown_resource_uri_is_destination_unreachable(cim):
    expect_fault(enumerate_(cim, "No_Such_Class"), "DestinationUnreachable",
                 detail="InvalidResourceURI")
    expect_fault(enumerate_(cim, "x", uri="http://example.com/nothing"),
                 "DestinationUnreachable", detail="InvalidResourceURI")


def test_invalid_namespace(cim):
    expect_fault(enumerate_(cim, "WSMAN_TestItem",
                            selectors={"__cimnamespace": "root/nowhere"}),
                 "DestinationUnreachable")


def test_quota_of_open_contexts(make_daemon):
    d = make_daemon("[providers]\ntest_providers = true\n"
                    "[enumeration]\nmax_contexts_per_user = 2\n")
    contexts = [parse_enum(enumerate_(d, "WSMAN_TestItem"))[0]
                for _ in range(2)]
    expect_fault(enumerate_(d, "WSMAN_TestItem"), "QuotaLimit")
    # Another user has a quota of their own.
    parse_enum(enumerate_(d, "WSMAN_TestItem", user=BOB))
    context_op(d, "Release", contexts[0])
    parse_enum(enumerate_(d, "WSMAN_TestItem"))


def test_test_providers_are_off_by_default(make_daemon):
    d = make_daemon()
    expect_fault(enumerate_(d, "WSMAN_TestItem"), "DestinationUnreachable",
                 detail="InvalidResourceURI")
