// The CIM engine's enumeration contexts: quota, ownership, expiry, and Pull
// sizing against MaxElements / MaxEnvelopeSize, driven through
// CimEngine::Handle with parsed envelopes.
#include <gtest/gtest.h>

#include <thread>

#include "engine/cim/cim_engine.h"
#include "providers/testing/test_providers.h"
#include "soap/envelope_parser.h"

namespace wsman::engine::cim {
namespace {

using namespace std::chrono_literals;

constexpr const char* kItemUri =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/WSMAN_TestItem";

std::string Envelope(const std::string& action, const std::string& body,
                     const std::string& extra = "",
                     const std::string& uri = kItemUri) {
  return "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
         "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\" "
         "xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\">"
         "<s:Header><a:To>http://x/wsman</a:To><w:ResourceURI>" +
         uri +
         "</w:ResourceURI><a:Action>http://schemas.xmlsoap.org/ws/2004/09/"
         "enumeration/" +
         action + "</a:Action><a:MessageID>uuid:1</a:MessageID>" + extra +
         "</s:Header><s:Body>" + body + "</s:Body></s:Envelope>";
}

std::string Between(const std::string& s, const std::string& open,
                    const std::string& close) {
  size_t a = s.find(open);
  if (a == std::string::npos) return {};
  a += open.size();
  return s.substr(a, s.find(close, a) - a);
}

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos;
       p = s.find(what, p + 1)) {
    ++n;
  }
  return n;
}

class EngineEnumeration : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = std::make_shared<providers::Registry>();
    std::string error;
    ASSERT_TRUE(
        providers::testing::RegisterTestProviders(registry.get(), &error));
    CimEngineSettings settings;
    settings.enumeration.max_contexts_per_user = 3;
    settings.enumeration.queue_capacity = 16;
    settings.enumeration.reap_interval = 50ms;
    engine_ = std::make_unique<CimEngine>(registry, settings);
    alice_.user = "alice";
    bob_.user = "bob";
  }

  soap::Result<std::string> Call(const std::string& xml,
                                 const providers::Identity& who,
                                 size_t max_envelope = 512000) {
    auto env = soap::ParseEnvelope(xml, soap::ParseLimits{});
    if (!env.ok()) return std::move(env).fault();
    OperationContext ctx{env->request(), &who, "peer", "machine", max_envelope};
    std::string out;
    auto status = engine_->Handle(ctx, &out);
    EXPECT_TRUE(status.has_value());
    if (!status->ok()) return status->fault();
    return out;
  }

  std::string Open(int count, const providers::Identity& who,
                   const std::string& expires = "") {
    auto r =
        Call(Envelope("Enumerate",
                      "<n:Enumerate>" +
                          (expires.empty()
                               ? std::string()
                               : "<n:Expires>" + expires + "</n:Expires>") +
                          "</n:Enumerate>",
                      "<w:OptionSet><w:Option Name=\"Count\">" +
                          std::to_string(count) + "</w:Option></w:OptionSet>"),
             who);
    EXPECT_TRUE(r.ok());
    return r.ok() ? Between(*r, "<n:EnumerationContext>",
                            "</n:EnumerationContext>")
                  : "";
  }

  soap::Result<std::string> Pull(const std::string& id, int max,
                                 const providers::Identity& who,
                                 size_t max_envelope = 512000) {
    return Call(
        Envelope("Pull", "<n:Pull><n:EnumerationContext>" + id +
                             "</n:EnumerationContext><n:MaxElements>" +
                             std::to_string(max) + "</n:MaxElements></n:Pull>"),
        who, max_envelope);
  }

  std::unique_ptr<CimEngine> engine_;
  providers::Identity alice_, bob_;
};

TEST_F(EngineEnumeration, PullHonoursMaxElementsAndEnvelopeSize) {
  std::string id = Open(500, alice_);
  auto first = Pull(id, 3, alice_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Count(*first, "<p:WSMAN_TestItem "), 3u);
  size_t total = 3;
  size_t pulls = 0;
  for (;;) {
    auto r = Pull(id, 1000, alice_, 8192);
    ASSERT_TRUE(r.ok()) << r.fault().message;
    EXPECT_LE(r->size(), 8192u);
    total += Count(*r, "<p:WSMAN_TestItem ");
    ++pulls;
    if (r->find("<n:EndOfSequence/>") != std::string::npos) break;
  }
  EXPECT_EQ(total, 500u);
  EXPECT_GT(pulls, 10u);
  EXPECT_EQ(engine_->enumerations().OpenCount(), 0u);
}

TEST_F(EngineEnumeration, TooSmallEnvelopeForOneItemIsEncodingLimit) {
  std::string id = Open(5, alice_);
  auto r = Pull(id, 1, alice_, 900);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().code, soap::FaultCode::kEncodingLimit);
  // The item stays; a larger envelope gets it.
  auto again = Pull(id, 10, alice_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Count(*again, "<p:WSMAN_TestItem "), 5u);
}

TEST_F(EngineEnumeration, OwnershipAndQuota) {
  std::string a1 = Open(10, alice_);
  Open(10, alice_);
  Open(10, alice_);
  EXPECT_EQ(engine_->enumerations().OpenCount("alice"), 3u);
  auto over = Call(Envelope("Enumerate", "<n:Enumerate/>"), alice_);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.fault().code, soap::FaultCode::kQuotaLimit);
  auto stolen = Pull(a1, 1, bob_);
  ASSERT_FALSE(stolen.ok());
  EXPECT_EQ(stolen.fault().code, soap::FaultCode::kInvalidEnumerationContext);
  EXPECT_TRUE(Pull(a1, 1, alice_).ok());
  EXPECT_FALSE(Open(1, bob_).empty());
}

TEST_F(EngineEnumeration, ExpiredContextsAreReapedAndProvidersCancelled) {
  std::string id = Open(1000000, alice_, "PT0.1S");
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(engine_->enumerations().OpenCount(), 0u);
  auto r = Pull(id, 1, alice_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().code, soap::FaultCode::kInvalidEnumerationContext);
}

TEST_F(EngineEnumeration, BoundedQueueKeepsAMillionItemProviderWaiting) {
  std::string id = Open(1000000, alice_);
  std::this_thread::sleep_for(100ms);
  auto r = Pull(id, 5, alice_);
  ASSERT_TRUE(r.ok());
  // Pulled 5 of a million; the provider is blocked on a queue of 16.
  auto ec = engine_->enumerations().Find(id, "alice");
  ASSERT_TRUE(ec);
  EXPECT_LE(ec->mi->peak_queued(), 16u);
  engine_->enumerations().Close(id);
  EXPECT_TRUE(ec->mi->IsCancelled());
}

TEST_F(EngineEnumeration, ReleaseDuringAWaitingPullEndsItAtOnce) {
  // The slow provider posts its first item after 1 s.
  auto r = Call(Envelope("Enumerate", "<n:Enumerate/>", "",
                         "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
                         "WSMAN_TestSlow"),
                alice_);
  ASSERT_TRUE(r.ok());
  std::string id =
      Between(*r, "<n:EnumerationContext>", "</n:EnumerationContext>");
  std::thread releaser([&] {
    std::this_thread::sleep_for(200ms);
    engine_->enumerations().Close(id);
  });
  auto start = std::chrono::steady_clock::now();
  auto pulled = Pull(id, 1, alice_);
  releaser.join();
  ASSERT_FALSE(pulled.ok());
  EXPECT_EQ(pulled.fault().code, soap::FaultCode::kInvalidEnumerationContext);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(EngineEnumeration, APullInProgressKeepsTheContextFromExpiring) {
  std::string id = Open(1, alice_, "PT0.1S");
  auto ec = engine_->enumerations().Find(id, "alice");
  ASSERT_TRUE(ec);
  engine_->enumerations().BeginPull(*ec);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(engine_->enumerations().ReapExpired(), 0u);
  engine_->enumerations().EndPull(*ec);
  EXPECT_TRUE(engine_->enumerations().Find(id, "alice"));
}

}  // namespace
}  // namespace wsman::engine::cim
