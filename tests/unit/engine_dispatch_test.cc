// Dispatcher routing: Identify by body, (action, resource) before action
// before resource matcher, and the two "nobody serves this" faults.
#include "engine/dispatch.h"

#include <gtest/gtest.h>

#include "soap/actions.h"
#include "soap/envelope_parser.h"

namespace wsman::engine {
namespace {

namespace action = soap::action;

constexpr char kGetEnvelope[] =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
    "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\"><s:Header>"
    "<a:Action>ACTION</a:Action><a:MessageID>uuid:1</a:MessageID>"
    "<w:ResourceURI>RESOURCE</w:ResourceURI></s:Header><s:Body/>"
    "</s:Envelope>";

soap::Envelope Parse(const std::string& action, const std::string& resource) {
  std::string xml = kGetEnvelope;
  xml.replace(xml.find("ACTION"), 6, action);
  xml.replace(xml.find("RESOURCE"), 8, resource);
  auto parsed = soap::ParseEnvelope(xml, soap::ParseLimits{});
  EXPECT_TRUE(parsed.ok());
  return std::move(parsed).value();
}

Operation Answer(std::string text) {
  return [text](const OperationContext&, std::string* out) {
    *out = text;
    return soap::Outcome(soap::Ok{});
  };
}

std::string Dispatch(const Dispatcher& d, const soap::Envelope& e,
                     soap::FaultCode* fault = nullptr) {
  OperationContext context{e.request(), nullptr, "peer", "host", 512000};
  std::string out;
  soap::Outcome status = d.Dispatch(context, &out);
  if (!status.ok()) {
    if (fault) *fault = status.fault().code;
    return "fault";
  }
  return out;
}

ResourceMatcher Serves(std::string uri) {
  return [uri](std::string_view u) { return u == uri; };
}

TEST(DispatchTest, MostSpecificRouteWins) {
  Dispatcher d;
  d.Add({{"urn:get", "", Answer("by-action")},
         {"", "", Answer("by-matcher"), Serves("urn:res")},
         {"urn:get", "urn:res", Answer("exact")}});
  EXPECT_EQ(Dispatch(d, Parse("urn:get", "urn:res")), "exact");
  EXPECT_EQ(Dispatch(d, Parse("urn:other", "urn:res")), "by-matcher");
  EXPECT_EQ(Dispatch(d, Parse("urn:get", "urn:elsewhere")), "by-action");
}

TEST(DispatchTest, ActionRouteWinsOverMatcher) {
  // Pull names its context in the body: the CIM engine takes it by action
  // whatever the resource URI, before its resource matcher.
  Dispatcher d;
  d.Add({{"", "", Answer("by-matcher"), Serves("urn:cim")},
         {std::string(action::kPull), "", Answer("pull")}});
  EXPECT_EQ(Dispatch(d, Parse(std::string(action::kPull), "urn:cim")), "pull");
  EXPECT_EQ(Dispatch(d, Parse(std::string(action::kEnumerate), "urn:cim")),
            "by-matcher");
}

TEST(DispatchTest, MatcherRunsOnlyForWhatItServes) {
  Dispatcher d;
  d.Add({{"urn:get", "", Answer("by-action")},
         {"", "", Answer("matcher"), Serves("urn:cim")}});
  EXPECT_EQ(Dispatch(d, Parse("urn:get", "urn:cim")), "by-action");
  EXPECT_EQ(Dispatch(d, Parse(std::string(action::kEnumerate), "urn:cim")),
            "matcher");
  soap::FaultCode code{};
  EXPECT_EQ(Dispatch(d, Parse(std::string(action::kEnumerate), "urn:x"), &code),
            "fault");
  EXPECT_EQ(code, soap::FaultCode::kDestinationUnreachable);
}

TEST(DispatchTest, UnknownActionAndUnknownResourceFaults) {
  Dispatcher d;
  soap::FaultCode code{};
  Dispatch(d, Parse("urn:no-such-action", "urn:r"), &code);
  EXPECT_EQ(code, soap::FaultCode::kActionNotSupported);
  Dispatch(d, Parse(std::string(action::kGet), "urn:r"), &code);
  EXPECT_EQ(code, soap::FaultCode::kDestinationUnreachable);
  // A method invocation on an unserved resource.
  Dispatch(d, Parse("urn:r/StartService", "urn:r"), &code);
  EXPECT_EQ(code, soap::FaultCode::kDestinationUnreachable);
}

TEST(DispatchTest, UnansweredIsWhatDispatchAnswersForNobody) {
  // An operation that finds the request is not its own answers the same.
  Dispatcher d;
  auto e = Parse(std::string(action::kGet), "urn:r");
  soap::FaultCode code{};
  Dispatch(d, e, &code);
  EXPECT_EQ(Unanswered(e.request()).code, code);
  EXPECT_EQ(Unanswered(Parse("urn:odd", "urn:r").request()).code,
            soap::FaultCode::kActionNotSupported);
}

TEST(DispatchTest, AddInstallsEngineRoutes) {
  Dispatcher d;
  d.Add({{"urn:a", "", Answer("a")},
         {"urn:b", "urn:r", Answer("b")},
         {"", "", Answer("s"), Serves("urn:s")}});
  EXPECT_EQ(Dispatch(d, Parse("urn:a", "urn:anything")), "a");
  EXPECT_EQ(Dispatch(d, Parse("urn:b", "urn:r")), "b");
  EXPECT_EQ(Dispatch(d, Parse("urn:whatever", "urn:s")), "s");
}

}  // namespace
}  // namespace wsman::engine
