// engine/config: the winrm/config tree (addressing, Windows' shape with the
// resource URI as the namespace), Put bodies read against the tree, the
// routes over a fake ConfigHost (Get, Put, Enumerate/Pull/Release of
// config/listener with contexts owned by their user) and the listener
// context table's bounds.
#include <gtest/gtest.h>

#include "engine/config/config_routes.h"
#include "engine/config/config_tree.h"
#include "engine/config/listener_enumeration.h"
#include "engine/dispatch.h"
#include "soap/actions.h"
#include "soap/envelope_parser.h"
#include "tests/unit/testing/xml.h"

namespace wsman::engine::config {
namespace {

namespace action = soap::action;
using testutil::XmlEnvelope;

Node SmallTree() {
  return Node{"Config",
              {},
              {Node::Leaf("MaxEnvelopeSizekb", "500"),
               Node{"Service",
                    {},
                    {Node::Leaf("MaxConnections", "1024"),
                     Node{"Auth", {}, {Node::Leaf("Basic", "true")}}}}}};
}

TEST(EngineConfigTreeTest, ConfigPathOfAcceptsTheConfigUrisOnly) {
  std::string path;
  EXPECT_TRUE(ConfigPathOf(kConfigUri, &path));
  EXPECT_EQ(path, "");
  EXPECT_TRUE(ConfigPathOf(
      "http://schemas.microsoft.com/wbem/wsman/1/config/Service/Auth", &path));
  EXPECT_EQ(path, "service/auth");
  EXPECT_FALSE(ConfigPathOf(
      "http://schemas.microsoft.com/wbem/wsman/1/configuration", &path));
  EXPECT_FALSE(ConfigPathOf(
      "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/X", &path));
}

TEST(EngineConfigTreeTest, ResolveFindsContainersCaseInsensitively) {
  Node root = SmallTree();
  std::string canonical;
  const Node* auth = Resolve(root, "service/auth", &canonical);
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(auth->name, "Auth");
  EXPECT_EQ(canonical, "Service/Auth");
  EXPECT_EQ(Resolve(root, ""), &root);
  EXPECT_EQ(Resolve(root, "winrs"), nullptr);
  // A leaf is no resource.
  EXPECT_EQ(Resolve(root, "maxenvelopesizekb"), nullptr);
}

TEST(EngineConfigTreeTest, WriteTreeDeclaresTheResourceNamespaceOnce) {
  std::string out;
  soap::XmlWriter xml(&out);
  Node root = SmallTree();
  WriteTree(*Resolve(root, "service"), NamespaceOf("service"), &xml);
  EXPECT_EQ(out,
            "<cfg:Service xmlns:cfg=\"http://schemas.microsoft.com/wbem/wsman/"
            "1/config/service\"><cfg:MaxConnections>1024</cfg:MaxConnections>"
            "<cfg:Auth><cfg:Basic>true</cfg:Basic></cfg:Auth></cfg:Service>");
}

soap::Envelope ParseRequest(const std::string& action_uri,
                            const std::string& resource,
                            const std::string& body) {
  std::string xml =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
      "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\" "
      "xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\"><s:Header>"
      "<a:Action>" +
      action_uri +
      "</a:Action><a:MessageID>uuid:1</a:MessageID><w:ResourceURI>" + resource +
      "</w:ResourceURI></s:Header><s:Body>" + body + "</s:Body></s:Envelope>";
  auto parsed = soap::ParseEnvelope(xml, soap::ParseLimits{});
  EXPECT_TRUE(parsed.ok()) << xml;
  return std::move(parsed).value();
}

TEST(EngineConfigTreeTest, ReadPutReturnsTheChangedLeavesWithFullPaths) {
  Node root = SmallTree();
  auto e = ParseRequest(
      std::string(action::kPut), std::string(kConfigUri),
      "<cfg:Config xmlns:cfg=\"http://schemas.microsoft.com/wbem/wsman/1/"
      "config\"><cfg:MaxEnvelopeSizekb>150</cfg:MaxEnvelopeSizekb>"
      "<cfg:Service><cfg:MaxConnections>1024</cfg:MaxConnections>"
      "<cfg:Auth><cfg:Basic> false </cfg:Basic></cfg:Auth></cfg:Service>"
      "</cfg:Config>");
  auto changes = ReadPut(e.request().body, root, "", "");
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].path, "MaxEnvelopeSizekb");
  EXPECT_EQ((*changes)[0].value, "150");
  EXPECT_EQ((*changes)[1].path, "Service/Auth/Basic");
  EXPECT_EQ((*changes)[1].value, "false");
}

TEST(EngineConfigTreeTest, ReadPutOfASubResourceKeepsItsPrefix) {
  Node root = SmallTree();
  auto e = ParseRequest(
      std::string(action::kPut), std::string(kConfigUri) + "/service",
      "<cfg:Service xmlns:cfg=\"http://schemas.microsoft.com/wbem/wsman/1/"
      "config/service\"><cfg:MaxConnections>9</cfg:MaxConnections>"
      "</cfg:Service>");
  std::string canonical;
  const Node* service = Resolve(root, "service", &canonical);
  auto changes = ReadPut(e.request().body, *service, "service", canonical);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].path, "Service/MaxConnections");
}

TEST(EngineConfigTreeTest, ReadPutRefusesUnknownElementsAndWrongRoots) {
  Node root = SmallTree();
  const std::string ns =
      "xmlns:cfg=\"http://schemas.microsoft.com/wbem/wsman/1/config\"";
  for (const std::string& body : std::vector<std::string>{
           "<cfg:Config " + ns + "><cfg:Bogus>1</cfg:Bogus></cfg:Config>",
           "<cfg:Service " + ns + "/>",
           std::string(
               "<cfg:Config xmlns:cfg=\"urn:other\"><cfg:MaxEnvelopeSizekb>1"
               "</cfg:MaxEnvelopeSizekb></cfg:Config>"),
           "<cfg:Config " + ns +
               "><cfg:MaxEnvelopeSizekb><cfg:X/></cfg:MaxEnvelopeSizekb>"
               "</cfg:Config>",
           "<cfg:Config " + ns +
               "><cfg:Service>7</cfg:Service></cfg:Config>"}) {
    auto e =
        ParseRequest(std::string(action::kPut), std::string(kConfigUri), body);
    auto changes = ReadPut(e.request().body, root, "", "");
    ASSERT_FALSE(changes.ok()) << body;
    EXPECT_EQ(changes.fault().code, soap::FaultCode::kInvalidRepresentation);
  }
  auto empty =
      ParseRequest(std::string(action::kPut), std::string(kConfigUri), "");
  EXPECT_FALSE(ReadPut(empty.request().body, root, "", "").ok());
}

class FakeHost : public ConfigHost {
 public:
  Node Current() const override { return tree; }
  std::vector<Node> Listeners() const override { return listeners; }
  base::Status Put(const providers::Identity& who,
                   const std::vector<Change>& changes) override {
    if (who.user != "root") return base::Status::PermissionDenied("no");
    for (const Change& c : changes) {
      if (c.path != "MaxEnvelopeSizekb") {
        return base::Status::FailedPrecondition("restart");
      }
      tree.children[0].text = c.value;
    }
    if (!changes.empty()) ++puts;
    return base::Status::Ok();
  }
  Node tree = SmallTree();
  std::vector<Node> listeners;
  int puts = 0;
};

Node Listener(std::string transport) {
  return Node{"Listener",
              {},
              {Node::Leaf("Address", "*"), Node::Leaf("Transport", transport)}};
}

class EngineConfigRoutesTest : public ::testing::Test {
 protected:
  EngineConfigRoutesTest() : host_(std::make_shared<FakeHost>()) {
    host_->listeners = {Listener("HTTP"), Listener("HTTPS")};
    dispatcher_.Add(ConfigRoutes(host_));
  }

  std::string Call(const std::string& act, const std::string& resource,
                   const std::string& body, const std::string& user,
                   soap::FaultCode* fault = nullptr) {
    soap::Envelope e = ParseRequest(act, resource, body);
    providers::Identity who;
    who.user = user;
    OperationContext c{e.request(), user.empty() ? nullptr : &who, "peer",
                       "host", 512000};
    std::string out;
    soap::Outcome outcome = dispatcher_.Dispatch(c, &out);
    if (!outcome.ok()) {
      if (fault) *fault = outcome.fault().code;
      return "fault:" + outcome.fault().message;
    }
    return out;
  }

  std::shared_ptr<FakeHost> host_;
  Dispatcher dispatcher_;
};

TEST_F(EngineConfigRoutesTest, GetAnswersEachResourceInItsNamespace) {
  XmlEnvelope root(
      Call(std::string(action::kGet), std::string(kConfigUri), "", "alice"));
  EXPECT_EQ(root.Text("//s:Body/*[local-name()='Config']/*[1]"), "500");
  XmlEnvelope auth(Call(std::string(action::kGet),
                        std::string(kConfigUri) + "/service/AUTH", "",
                        "alice"));
  EXPECT_EQ(auth.Count("//*[namespace-uri()='http://schemas.microsoft.com/"
                       "wbem/wsman/1/config/service/auth' and "
                       "local-name()='Auth']"),
            1u);
  soap::FaultCode fault{};
  Call(std::string(action::kGet), std::string(kConfigUri) + "/nothing", "",
       "alice", &fault);
  EXPECT_EQ(fault, soap::FaultCode::kDestinationUnreachable);
  Call(std::string(action::kGet), std::string(kConfigUri), "", "", &fault);
  EXPECT_EQ(fault, soap::FaultCode::kAccessDenied);
}

const char kPutBody[] =
    "<cfg:Config xmlns:cfg=\"http://schemas.microsoft.com/wbem/wsman/1/"
    "config\"><cfg:MaxEnvelopeSizekb>150</cfg:MaxEnvelopeSizekb>"
    "</cfg:Config>";

TEST_F(EngineConfigRoutesTest, PutMapsTheHostsRefusalsToFaults) {
  soap::FaultCode fault{};
  Call(std::string(action::kPut), std::string(kConfigUri), kPutBody, "alice",
       &fault);
  EXPECT_EQ(fault, soap::FaultCode::kAccessDenied);
  Call(std::string(action::kPut), std::string(kConfigUri),
       "<cfg:Config xmlns:cfg=\"http://schemas.microsoft.com/wbem/wsman/1/"
       "config\"><cfg:Service><cfg:MaxConnections>5</cfg:MaxConnections>"
       "</cfg:Service></cfg:Config>",
       "root", &fault);
  EXPECT_EQ(fault, soap::FaultCode::kInvalidParameter);
  EXPECT_EQ(host_->puts, 0);
}

TEST_F(EngineConfigRoutesTest, PutAnswersTheResourceAsItIsNow) {
  std::string answer = Call(std::string(action::kPut), std::string(kConfigUri),
                            kPutBody, "root");
  XmlEnvelope put(answer);
  EXPECT_EQ(put.Text("//a:Action"),
            "http://schemas.xmlsoap.org/ws/2004/09/transfer/PutResponse");
  EXPECT_EQ(put.Text("//s:Body/*[local-name()='Config']/*[1]"), "150");
  EXPECT_EQ(host_->puts, 1);
  // The same values again change nothing (and the host still decides who
  // may Put them).
  Call(std::string(action::kPut), std::string(kConfigUri), kPutBody, "root");
  EXPECT_EQ(host_->puts, 1);
  soap::FaultCode fault{};
  Call(std::string(action::kPut), std::string(kConfigUri), kPutBody, "alice",
       &fault);
  EXPECT_EQ(fault, soap::FaultCode::kAccessDenied);
}

const char kEnumerate[] =
    "<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>1</w:MaxElements>"
    "</n:Enumerate>";

std::string ContextIn(const std::string& answer) {
  XmlEnvelope e(answer);
  return e.Text("//n:EnumerationContext");
}

TEST_F(EngineConfigRoutesTest, EnumerateThenPullHandsOutEveryListener) {
  std::string first = Call(std::string(action::kEnumerate),
                           std::string(kListenerUri), kEnumerate, "alice");
  XmlEnvelope e(first);
  EXPECT_EQ(e.Count("//w:Items/*[local-name()='Listener']"), 1u);
  EXPECT_EQ(e.Count("//w:EndOfSequence"), 0u);
  std::string ctx = ContextIn(first);
  // Another user's Pull finds nothing.
  soap::FaultCode fault{};
  std::string pull_body = "<n:Pull><n:EnumerationContext>" + ctx +
                          "</n:EnumerationContext></n:Pull>";
  Call(std::string(action::kPull), std::string(kListenerUri), pull_body, "bob",
       &fault);
  EXPECT_EQ(fault, soap::FaultCode::kInvalidEnumerationContext);
  XmlEnvelope pulled(Call(std::string(action::kPull), std::string(kListenerUri),
                          pull_body, "alice"));
  EXPECT_EQ(pulled.Text("//n:Items/*/*[local-name()='Transport']"), "HTTPS");
  EXPECT_EQ(pulled.Count("//n:EndOfSequence"), 1u);
  // Finished: the context is gone.
  Call(std::string(action::kPull), std::string(kListenerUri), pull_body,
       "alice", &fault);
  EXPECT_EQ(fault, soap::FaultCode::kInvalidEnumerationContext);
}

TEST_F(EngineConfigRoutesTest, ReleaseDropsTheContext) {
  std::string ctx =
      ContextIn(Call(std::string(action::kEnumerate), std::string(kListenerUri),
                     "<n:Enumerate/>", "alice"));
  std::string body = "<n:Release><n:EnumerationContext>" + ctx +
                     "</n:EnumerationContext></n:Release>";
  soap::FaultCode fault{};
  Call(std::string(action::kRelease), std::string(kListenerUri), body, "bob",
       &fault);
  EXPECT_EQ(fault, soap::FaultCode::kInvalidEnumerationContext);
  XmlEnvelope released(Call(std::string(action::kRelease),
                            std::string(kListenerUri), body, "alice"));
  EXPECT_EQ(released.Text("//a:Action"),
            "http://schemas.xmlsoap.org/ws/2004/09/enumeration/"
            "ReleaseResponse");
  Call(std::string(action::kRelease), std::string(kListenerUri), body, "alice",
       &fault);
  EXPECT_EQ(fault, soap::FaultCode::kInvalidEnumerationContext);
}

TEST(EngineConfigEnumerationsTest, ContextsExpireAndAreBoundedPerUser) {
  ListenerEnumerations table(std::chrono::seconds(60), 2);
  auto t0 = ListenerEnumerations::Clock::time_point{};
  std::string a = table.Open("alice", {Listener("HTTP")}, t0);
  std::string b =
      table.Open("alice", {Listener("HTTP")}, t0 + std::chrono::seconds(1));
  std::string c =
      table.Open("alice", {Listener("HTTP")}, t0 + std::chrono::seconds(2));
  table.Open("bob", {Listener("HTTP")}, t0 + std::chrono::seconds(2));
  EXPECT_EQ(table.size(), 3u);  // alice's oldest went
  EXPECT_FALSE(table.Pull("alice", a, 1, t0 + std::chrono::seconds(3)));
  EXPECT_TRUE(table.Pull("alice", b, 1, t0 + std::chrono::seconds(3)));
  // Unused for the expiry: gone.
  EXPECT_FALSE(table.Pull("alice", c, 1, t0 + std::chrono::seconds(63)));
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace wsman::engine::config
