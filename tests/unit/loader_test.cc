// The C-ABI loader (providers/loader.h) against the sample modules of
// providers/samples: the ABI growth rules of providers/abi/wsmand_provider.h
// (a module of the frozen 1.0 layout loads, a later minor loads, another
// major or a too-small struct_size is refused) and write_message as a
// bounded log line.
#include "providers/loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/log.h"
#include "providers/context.h"
#include "providers/registry.h"

namespace wsman::providers {
namespace {

namespace fs = std::filesystem;

// A private directory holding copies of the named sample modules.
class ModuleDir {
 public:
  explicit ModuleDir(const std::vector<std::string>& modules) {
    std::string templ = (fs::temp_directory_path() / "loader-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
    for (const std::string& m : modules) {
      fs::copy_file(fs::path(WSMAND_SAMPLES_DIR) / ("libwsmand_" + m + ".so"),
                    fs::path(path_) / (m + ".so"));
      ::chmod((fs::path(path_) / (m + ".so")).c_str(), 0644);
    }
  }
  ~ModuleDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Loaded {
  Registry registry;
  LoadReport report;
  std::string log;
};

void Load(const std::vector<std::string>& modules, Loaded* out) {
  ModuleDir dir(modules);
  ::testing::internal::CaptureStderr();
  out->report = LoadProviderDirectory(dir.path(), &out->registry);
  out->log = ::testing::internal::GetCapturedStderr();
}

// Enumerates `cls` through its provider; the instances' Id values.
std::vector<int64_t> Enumerate(const Registry& registry, const std::string& cls,
                               MiResult* result) {
  const ClassRegistration* reg = registry.Find("root/cimv2", cls);
  EXPECT_NE(reg, nullptr);
  if (!reg) return {};
  auto context = std::make_shared<Context>(16, false);
  CallInfo call;
  call.namespace_name = "root/cimv2";
  call.class_name = cls;
  CallProvider(context, cls + "/EnumerateInstances", [&](ContextPtr ctx) {
    reg->provider->EnumerateInstances(call, std::move(ctx));
  });
  std::vector<int64_t> ids;
  while (auto item = context->TryTake()) {
    ids.push_back(item->instance.Get("Id")->AsInt().value_or(-1));
  }
  *result = context->result();
  return ids;
}

TEST(Loader, ModuleOfTheFrozen10LayoutStillLoadsAndServes) {
  Loaded l;
  Load({"v1_provider"}, &l);
  EXPECT_EQ(l.report.modules_loaded, 1u) << l.log;
  EXPECT_EQ(l.report.modules_refused, 0u);
  MiResult result = MiResult::kFailed;
  log::SetLevel(log::Level::kInfo);
  EXPECT_EQ(Enumerate(l.registry, "WSMAN_SampleV1", &result),
            (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(result, MiResult::kOk);
}

TEST(Loader, CurrentSampleLoads) {
  Loaded l;
  Load({"sample_provider"}, &l);
  EXPECT_EQ(l.report.modules_loaded, 1u) << l.log;
  EXPECT_NE(l.registry.Find("root/cimv2", "WSMAN_SampleGreeting"), nullptr);
}

TEST(Loader, ALaterMinorLoadsWithItsExtraFieldsIgnored) {
  Loaded l;
  Load({"future_minor_provider"}, &l);
  EXPECT_EQ(l.report.modules_loaded, 1u) << l.log;
  EXPECT_NE(l.registry.Find("root/cimv2", "WSMAN_FromAFutureMinor"), nullptr);
}

TEST(Loader, AnotherMajorIsRefused) {
  Loaded l;
  Load({"bad_abi_provider"}, &l);
  EXPECT_EQ(l.report.modules_loaded, 0u);
  EXPECT_EQ(l.report.modules_refused, 1u);
  EXPECT_NE(l.log.find("event=provider-refused"), std::string::npos) << l.log;
  EXPECT_NE(l.log.find("ABI version 99.0"), std::string::npos) << l.log;
  EXPECT_FALSE(l.registry.HasClass("WSMAN_FromTheFuture"));
}

TEST(Loader, AStructSizeBelowItsMinorsLayoutIsRefused) {
  Loaded l;
  Load({"short_struct_provider"}, &l);
  EXPECT_EQ(l.report.modules_refused, 1u) << l.log;
  EXPECT_NE(l.log.find("struct_size 8"), std::string::npos) << l.log;
  EXPECT_FALSE(l.registry.HasClass("WSMAN_ShortStruct"));
}

TEST(Loader, WriteMessageIsABoundedDebugLineAndRefusedAfterTheResult) {
  Loaded l;
  Load({"v1_provider"}, &l);
  log::SetLevel(log::Level::kDebug);
  ::testing::internal::CaptureStderr();
  MiResult result = MiResult::kFailed;
  Enumerate(l.registry, "WSMAN_SampleV1", &result);
  std::string out = ::testing::internal::GetCapturedStderr();
  log::SetLevel(log::Level::kInfo);
  EXPECT_EQ(result, MiResult::kOk);
  EXPECT_NE(out.find("event=provider-message"), std::string::npos) << out;
  EXPECT_NE(out.find("v1 module enumerating"), std::string::npos) << out;
  // The 4,095-byte message is cut at 1,024 bytes.
  EXPECT_NE(out.find(std::string(1024, 'x')), std::string::npos);
  EXPECT_EQ(out.find(std::string(1025, 'x')), std::string::npos);
  // After PostResult write_message answers FAILED (the module logs
  // otherwise) and nothing is logged.
  EXPECT_EQ(out.find("too late"), std::string::npos) << out;
  EXPECT_EQ(out.find("after the result worked"), std::string::npos) << out;
}

}  // namespace
}  // namespace wsman::providers
