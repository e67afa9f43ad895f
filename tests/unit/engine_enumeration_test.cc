// The CIM engine's enumeration contexts: quota, ownership, expiry, and Pull
// sizing against MaxElements / MaxEnvelopeSize, driven through
// CimEngine::Handle with parsed envelopes.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "engine/cim/cim_engine.h"
#include "engine/dispatch.h"
#include "providers/testing/test_providers.h"
#include "soap/envelope_parser.h"
#include "tests/unit/testing/xml.h"

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

using testutil::Between;
using testutil::Count;

// Waits (polling) until `done` holds, for another thread's progress; false
// after 10 s.
template <typename Pred>
bool WaitFor(Pred done) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class EngineEnumeration : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = std::make_shared<providers::Registry>();
    ASSERT_TRUE(providers::testing::RegisterTestProviders(registry.get()).ok());
    CimEngineSettings settings;
    settings.enumeration.max_contexts_per_user = 3;
    settings.enumeration.queue_capacity = 16;
    settings.enumeration.reap_interval = 50ms;
    settings.enumeration.clock = clock_.AsMonotonic();
    engine_ = std::make_shared<CimEngine>(registry, settings);
    dispatcher_.Add(CimRoutes(engine_));
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
    soap::Outcome status = dispatcher_.Dispatch(ctx, &out);
    if (!status.ok()) return std::move(status).fault();
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

  base::ManualClock clock_;  // expiry time; outlives the engine
  std::shared_ptr<CimEngine> engine_;
  Dispatcher dispatcher_;
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
  EXPECT_EQ(engine_->enumerations().OpenCount(), 1u);
  clock_.Advance(200ms);
  // The reaper thread (every 50 ms) closes it.
  EXPECT_TRUE(
      WaitFor([&] { return engine_->enumerations().OpenCount() == 0; }));
  auto r = Pull(id, 1, alice_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().code, soap::FaultCode::kInvalidEnumerationContext);
}

TEST_F(EngineEnumeration, BoundedQueueKeepsAMillionItemProviderWaiting) {
  std::string id = Open(1000000, alice_);
  auto ec = engine_->enumerations().Find(id, "alice");
  ASSERT_TRUE(ec);
  // The provider fills the queue of 16 and waits.
  EXPECT_TRUE(WaitFor([&] { return ec->mi->queued() == 16u; }));
  auto r = Pull(id, 5, alice_);
  ASSERT_TRUE(r.ok());
  // Pulled 5 of a million; the provider is blocked on a queue of 16.
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
  auto ec = engine_->enumerations().Find(id, "alice");
  ASSERT_TRUE(ec);
  std::thread releaser([&] {
    // Once the Pull is waiting for the first item.
    EXPECT_TRUE(WaitFor([&] {
      return engine_->enumerations().TEST_PullsInProgress(*ec) == 1;
    }));
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
  clock_.Advance(300ms);
  EXPECT_EQ(engine_->enumerations().ReapExpired(), 0u);
  engine_->enumerations().EndPull(*ec);
  EXPECT_TRUE(engine_->enumerations().Find(id, "alice"));
}

// ------------------------------------------------ client durations (L1)

std::string GetEnvelope(const std::string& cls, const std::string& extra) {
  return "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
         "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\">"
         "<s:Header><a:To>http://x/wsman</a:To><w:ResourceURI>"
         "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/" +
         cls +
         "</w:ResourceURI><a:Action>http://schemas.xmlsoap.org/ws/2004/09/"
         "transfer/Get</a:Action><a:MessageID>uuid:1</a:MessageID>"
         "<w:SelectorSet><w:Selector Name=\"Id\">1</w:Selector>"
         "</w:SelectorSet>" +
         extra + "</s:Header><s:Body/></s:Envelope>";
}

// Registers `provider` for a class `name` in root/cimv2 with key Id.
void RegisterOne(providers::Registry* registry, const std::string& name,
                 std::shared_ptr<providers::Provider> provider) {
  providers::ClassRegistration reg;
  reg.namespace_name = "root/cimv2";
  auto decl = std::make_shared<providers::ClassDecl>();
  decl->name = name;
  decl->Key("Id", providers::CimType::kUint32);
  reg.decl = decl;
  reg.provider = std::move(provider);
  reg.origin = "test";
  base::Status registered = registry->Register(std::move(reg));
  ASSERT_TRUE(registered.ok()) << registered.message();
}

// Answers a Get asynchronously, and only once cancelled (or after 2 s).
class BlockingProvider : public providers::Provider {
 public:
  void GetInstance(const providers::CallInfo&, const providers::Instance&,
                   providers::ContextPtr ctx) override {
    std::thread([ctx] {
      auto until = std::chrono::steady_clock::now() + 2s;
      while (!ctx->IsCancelled() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(5ms);
      }
      ctx->PostResult(providers::MiResult::kFailed);
    }).detach();
  }
};

class EngineTimeouts : public EngineEnumeration {
 protected:
  void SetUp() override {
    EngineEnumeration::SetUp();
    auto registry = std::make_shared<providers::Registry>();
    ASSERT_TRUE(providers::testing::RegisterTestProviders(registry.get()).ok());
    RegisterOne(registry.get(), "WSMAN_TestBlocking",
                std::make_shared<BlockingProvider>());
    CimEngineSettings settings;
    // Far below the slow providers' delays: a clamped wait ends first.
    settings.max_operation_timeout = 150ms;
    settings.enumeration.max_expiry = 30s;
    engine_ = std::make_shared<CimEngine>(registry, settings);
    dispatcher_ = Dispatcher();
    dispatcher_.Add(CimRoutes(engine_));
  }
  const std::string kSlow =
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/WSMAN_TestSlow";
  const std::string kLongDelay =
      "<w:OptionSet><w:Option Name=\"DelayMs\">1500</w:Option>"
      "</w:OptionSet>";
};

TEST_F(EngineTimeouts, OperationTimeoutIsClampedToTheMaximum) {
  // The blocking provider answers a Get only when cancelled: the engine
  // waits until the deadline. P300Y overflowed the clock arithmetic (UBSan:
  // signed overflow in CallDeadline); clamped, it is a TimedOut after the
  // maximum (150 ms), long before the provider's own 2 s.
  for (const char* timeout : {"P300Y", "P100000000Y", "PT9223372036854S",
                              "P10000D", "PT61S", "PT0S"}) {
    SCOPED_TRACE(timeout);
    auto r = Call(GetEnvelope("WSMAN_TestBlocking",
                              std::string("<w:OperationTimeout>") + timeout +
                                  "</w:OperationTimeout>"),
                  alice_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.fault().code, soap::FaultCode::kTimedOut) << r.fault().message;
  }
  // A provider that answers still answers.
  auto ok = Call(GetEnvelope("WSMAN_TestItem",
                             "<w:OperationTimeout>P300Y</w:OperationTimeout>"),
                 alice_);
  ASSERT_TRUE(ok.ok()) << ok.fault().message;
}

TEST_F(EngineTimeouts, PullMaxTimeAndOperationTimeoutAreClamped) {
  auto r =
      Call(Envelope("Enumerate", "<n:Enumerate/>", kLongDelay, kSlow), alice_);
  ASSERT_TRUE(r.ok());
  std::string id =
      Between(*r, "<n:EnumerationContext>", "</n:EnumerationContext>");
  for (const std::string& extra_body :
       {std::string("<n:MaxTime>P300Y</n:MaxTime>"),
        std::string("<n:MaxTime>PT9223372036854S</n:MaxTime>"),
        std::string()}) {
    SCOPED_TRACE(extra_body);
    auto pulled =
        Call(Envelope("Pull",
                      "<n:Pull><n:EnumerationContext>" + id +
                          "</n:EnumerationContext>" + extra_body + "</n:Pull>",
                      "<w:OperationTimeout>P300Y</w:OperationTimeout>", kSlow),
             alice_);
    ASSERT_FALSE(pulled.ok());
    EXPECT_EQ(pulled.fault().code, soap::FaultCode::kTimedOut);
  }
  // The optimized Enumerate waits under the same clamp.
  auto optimized = Call(
      Envelope(
          "Enumerate", "<n:Enumerate><w:OptimizeEnumeration/></n:Enumerate>",
          kLongDelay + "<w:OperationTimeout>P300Y</w:OperationTimeout>", kSlow),
      alice_);
  ASSERT_TRUE(optimized.ok());
  EXPECT_EQ(Count(*optimized, "<p:WSMAN_TestSlow "), 0u);
}

TEST_F(EngineTimeouts, ExpiresIsClampedToTheMaximumExpiry) {
  for (const char* expires : {"P300Y", "PT9223372036854S", "P1D"}) {
    SCOPED_TRACE(expires);
    auto r =
        Call(Envelope("Enumerate", std::string("<n:Enumerate><n:Expires>") +
                                       expires + "</n:Expires></n:Enumerate>"),
             alice_);
    ASSERT_TRUE(r.ok()) << r.fault().message;
    EXPECT_EQ(Between(*r, "<n:Expires>", "</n:Expires>"), "PT30.000S");
    std::string id =
        Between(*r, "<n:EnumerationContext>", "</n:EnumerationContext>");
    auto renewed =
        Call(Envelope("Renew", "<n:Renew><n:EnumerationContext>" + id +
                                   "</n:EnumerationContext><n:Expires>" +
                                   expires + "</n:Expires></n:Renew>"),
             alice_);
    ASSERT_TRUE(renewed.ok()) << renewed.fault().message;
    EXPECT_EQ(Between(*renewed, "<n:Expires>", "</n:Expires>"), "PT30.000S");
    engine_->enumerations().Close(id);
  }
}

// ------------------------------------------ context publication (L7)

TEST_F(EngineEnumeration, OpenRefusesAContextWithoutItsProvider) {
  auto half_built = std::make_shared<EnumerationContext>();
  half_built->owner = "alice";
  half_built->lifetime = 1ms;
  auto opened = engine_->enumerations().Open(half_built);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.fault().code, soap::FaultCode::kInternalError);
  EXPECT_EQ(engine_->enumerations().OpenCount(), 0u);
  // The reaper, Shutdown and Close may all Cancel() what is published.
  engine_->enumerations().ReapExpired();
  std::string id = Open(5, alice_, "PT0.001S");
  ASSERT_FALSE(id.empty());
  clock_.Advance(5ms);
  EXPECT_EQ(engine_->enumerations().ReapExpired(), 1u);
}

TEST_F(EngineEnumeration, ContextsExpiringAtOnceRaceTheReaper) {
  // L7: with Expires PT0.001S the reaper (every millisecond here) finds a
  // context the moment Open publishes it, and cancels its provider. The
  // context used to be published before its provider handle was set.
  auto registry = std::make_shared<providers::Registry>();
  ASSERT_TRUE(providers::testing::RegisterTestProviders(registry.get()).ok());
  CimEngineSettings settings;
  settings.enumeration.max_contexts_per_user = 1000000;
  settings.enumeration.reap_interval = 1ms;
  engine_ = std::make_shared<CimEngine>(registry, settings);
  dispatcher_ = Dispatcher();
  dispatcher_.Add(CimRoutes(engine_));
  std::atomic<bool> stop{false};
  std::thread reaper([&] {
    while (!stop) engine_->enumerations().ReapExpired();
  });
  const std::string enumerate =
      Envelope("Enumerate",
               "<n:Enumerate><n:Expires>PT0.001S</n:Expires></n:Enumerate>");
  for (int i = 0; i < 2000; ++i) {
    auto r = Call(enumerate, alice_);
    // A burst can find every pool worker still finishing the provider of a
    // context the reaper just cancelled: QuotaLimit is the pool's answer
    // and a client's cue to retry, not the race this test is about.
    while (!r.ok() && r.fault().code == soap::FaultCode::kQuotaLimit) {
      std::this_thread::yield();
      r = Call(enumerate, alice_);
    }
    EXPECT_TRUE(r.ok()) << r.fault().message;
    if (!r.ok()) break;  // still stop and join the reaper below
  }
  stop = true;
  reaper.join();
  engine_->Shutdown();
  EXPECT_EQ(engine_->enumerations().OpenCount(), 0u);
}

// ------------------------------------------------ provider pool (item 5)

// Enumerates nothing until cancelled (or 10 s pass): holds its pool worker.
class HangingProvider : public providers::Provider {
 public:
  void EnumerateInstances(const providers::CallInfo&,
                          providers::ContextPtr ctx) override {
    auto until = std::chrono::steady_clock::now() + 10s;
    while (!ctx->IsCancelled() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(1ms);
    }
    ctx->PostResult(providers::MiResult::kFailed);
  }
};

class EnginePool : public EngineEnumeration {
 protected:
  void SetUp() override {
    EngineEnumeration::SetUp();
    auto registry = std::make_shared<providers::Registry>();
    ASSERT_TRUE(providers::testing::RegisterTestProviders(registry.get()).ok());
    RegisterOne(registry.get(), "WSMAN_TestHanging",
                std::make_shared<HangingProvider>());
    CimEngineSettings settings;
    settings.enumeration.provider_threads = 2;
    settings.enumeration.clock = clock_.AsMonotonic();
    engine_ = std::make_shared<CimEngine>(registry, settings);
    dispatcher_ = Dispatcher();
    dispatcher_.Add(CimRoutes(engine_));
  }
  // An enumeration whose provider holds its worker until cancelled.
  soap::Result<std::string> OpenSlow(const providers::Identity& who) {
    return Call(Envelope("Enumerate", "<n:Enumerate/>", "",
                         "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
                         "WSMAN_TestHanging"),
                who);
  }
};

TEST_F(EnginePool, AFullPoolAnswersQuotaLimitAndFreesOnRelease) {
  auto a = OpenSlow(alice_);
  ASSERT_TRUE(a.ok()) << a.fault().message;
  auto b = OpenSlow(bob_);
  ASSERT_TRUE(b.ok()) << b.fault().message;
  EXPECT_EQ(engine_->enumerations().BusyWorkers(), 2u);
  // The pool is shared by every user: a third user's Enumerate is refused,
  // and the context it would have opened is not left behind.
  providers::Identity carol;
  carol.user = "carol";
  auto full = OpenSlow(carol);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.fault().code, soap::FaultCode::kQuotaLimit);
  EXPECT_NE(full.fault().message.find("provider_threads"), std::string::npos)
      << full.fault().message;
  EXPECT_EQ(engine_->enumerations().OpenCount("carol"), 0u);
  EXPECT_EQ(engine_->enumerations().OpenCount(), 2u);
  // Operations that need no pool worker are still served.
  auto get = Call(GetEnvelope("WSMAN_TestItem", ""), carol);
  EXPECT_TRUE(get.ok()) << get.fault().message;
  // Releasing one cancels its provider; its worker serves the next.
  std::string id =
      Between(*a, "<n:EnumerationContext>", "</n:EnumerationContext>");
  auto released =
      Call(Envelope("Release", "<n:Release><n:EnumerationContext>" + id +
                                   "</n:EnumerationContext></n:Release>"),
           alice_);
  ASSERT_TRUE(released.ok()) << released.fault().message;
  EXPECT_TRUE(
      WaitFor([&] { return engine_->enumerations().BusyWorkers() == 1u; }));
  auto again = OpenSlow(carol);
  EXPECT_TRUE(again.ok()) << again.fault().message;
}

TEST_F(EnginePool, ShutdownCancelsAndJoinsEveryWorker) {
  ASSERT_TRUE(OpenSlow(alice_).ok());
  ASSERT_TRUE(OpenSlow(bob_).ok());
  EXPECT_EQ(engine_->enumerations().BusyWorkers(), 2u);
  engine_->Shutdown();
  // The providers honour cancellation: every worker was joined.
  EXPECT_EQ(engine_->enumerations().BusyWorkers(), 0u);
  EXPECT_EQ(engine_->enumerations().OpenCount(), 0u);
  auto after = OpenSlow(alice_);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.fault().code, soap::FaultCode::kEndpointUnavailable);
}

}  // namespace
}  // namespace wsman::engine::cim
