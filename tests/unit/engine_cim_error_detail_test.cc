// The CIM error a failed MI result carries (engine/cim/mi_faults.cc,
// docs/mi-results.md): Windows' MI values per result, the category column of
// the docs table, a provider's own error instance, the rendered detail, and
// the Windows code of an unserved resource URI (engine::Unanswered).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "engine/cim/mi_faults.h"
#include "engine/dispatch.h"
#include "soap/response_writer.h"

namespace wsman::engine::cim {
namespace {

using providers::Instance;
using providers::MiResult;
using providers::Value;

TEST(EngineCimErrorDetail, NotFoundAsWindowsMiProviders) {
  const soap::CimError e = CimErrorFor(MiResult::kNotFound, "no row 9");
  EXPECT_EQ(e.cim_status_code, 6u);
  EXPECT_EQ(e.message, "no row 9");
  EXPECT_EQ(e.message_id, "MI RESULT 6");
  EXPECT_EQ(e.error_type_name, "MI");
  EXPECT_EQ(e.error_code, 6u);
  EXPECT_EQ(e.error_category, 13u);  // ObjectNotFound
  EXPECT_EQ(e.windows_error_message, MappingFor(MiResult::kNotFound).text);
  EXPECT_TRUE(e.owning_entity.empty());  // nil, as Windows sends it
}

TEST(EngineCimErrorDetail, DefaultMessageIsTheTableText) {
  const soap::CimError e = CimErrorFor(MiResult::kMethodNotFound);
  EXPECT_EQ(e.message, MappingFor(MiResult::kMethodNotFound).text);
  EXPECT_EQ(e.error_category, 10u);  // MetadataError
}

TEST(EngineCimErrorDetail, OkIsReportedAsFailed) {
  const soap::CimError e = CimErrorFor(MiResult::kOk);
  EXPECT_EQ(e.cim_status_code, 1u);
  EXPECT_EQ(e.message_id, "MI RESULT 1");
}

TEST(EngineCimErrorDetail, EveryFaultFromMiResultHasItsCimError) {
  for (MiResult r : providers::kAllMiResults) {
    if (r == MiResult::kOk) continue;
    const soap::Fault f = FaultFromMiResult(r, "m");
    ASSERT_TRUE(f.cim_error.has_value()) << providers::MiResultName(r);
    EXPECT_EQ(f.cim_error->cim_status_code, static_cast<uint32_t>(r));
    EXPECT_EQ(f.cim_error->error_category,
              static_cast<uint16_t>(MappingFor(r).category));
    EXPECT_EQ(f.cim_error->message, "m");
  }
}

// The error_Category column of docs/mi-results.md ("13 ObjectNotFound") is
// the table's category for every result.
TEST(EngineCimErrorDetail, CategoryColumnMatchesDocs) {
  std::ifstream in(std::string(WSMAND_SOURCE_DIR) + "/docs/mi-results.md");
  ASSERT_TRUE(in);
  std::map<std::string, std::string> documented;  // result name -> cell
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| MI_RESULT_", 0) != 0) continue;
    std::istringstream cells(line.substr(1));
    std::string cell;
    std::vector<std::string> row;
    while (std::getline(cells, cell, '|')) {
      const size_t a = cell.find_first_not_of(' ');
      const size_t b = cell.find_last_not_of(' ');
      row.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
    }
    ASSERT_GE(row.size(), 5u) << line;
    documented[row[0]] = row[4];
  }
  for (MiResult r : providers::kAllMiResults) {
    const std::string name(providers::MiResultName(r));
    ASSERT_TRUE(documented.count(name)) << name;
    const std::string number =
        std::to_string(static_cast<unsigned>(MappingFor(r).category));
    EXPECT_EQ(documented[name].substr(0, documented[name].find(' ')), number)
        << name << ": " << documented[name];
  }
}

TEST(EngineCimErrorDetail, ProviderErrorInstanceSetsItsProperties) {
  Instance err("CIM_Error");
  err.Set("Message", Value::String("disk on fire"));
  err.Set("MessageID", Value::String("WSMAND0042"));
  err.Set("OwningEntity", Value::String("wsmand:disks"));
  err.Set("PerceivedSeverity", Value::Uint16(7));
  err.Set("ProbableCause", Value::Uint16(12));
  err.Set("error_Code", Value::Uint32(5));
  err.Set("error_Type", Value::String("WIN32"));
  err.Set("CIMStatusCode", Value::Uint32(17));  // ignored: follows the result
  const soap::Fault f = FaultFromMiResult(MiResult::kAccessDenied, {}, err);
  ASSERT_TRUE(f.cim_error.has_value());
  EXPECT_EQ(f.cim_error->cim_status_code, 2u);
  EXPECT_EQ(f.cim_error->message, "disk on fire");
  EXPECT_EQ(f.cim_error->message_id, "WSMAND0042");
  EXPECT_EQ(f.cim_error->owning_entity, "wsmand:disks");
  EXPECT_EQ(f.cim_error->perceived_severity, 7u);
  EXPECT_EQ(f.cim_error->probable_cause, 12u);
  EXPECT_EQ(f.cim_error->error_code, 5u);
  EXPECT_EQ(f.cim_error->error_type_name, "WIN32");
  EXPECT_EQ(f.cim_error->error_category, 18u);  // table: PermissionDenied
  // The instance's message reaches f:Message too when PostResult gave none.
  EXPECT_NE(f.message.find("disk on fire"), std::string::npos);
  EXPECT_NE(f.message.find("MI_RESULT_ACCESS_DENIED"), std::string::npos);
}

TEST(EngineCimErrorDetail, PostResultMessageWinsOverInstanceMessage) {
  Instance err("CIM_Error");
  err.Set("Message", Value::String("from instance"));
  err.Set("PerceivedSeverity", Value::Uint32(70000));  // out of range: ignored
  const soap::Fault f =
      FaultFromMiResult(MiResult::kNotFound, "from PostResult", err);
  ASSERT_TRUE(f.cim_error.has_value());
  EXPECT_EQ(f.cim_error->perceived_severity, 0u);
  EXPECT_NE(f.message.find("from PostResult"), std::string::npos);
  // The instance names what it sets; its Message is the CIM error's.
  EXPECT_EQ(f.cim_error->message, "from instance");
}

TEST(EngineCimErrorDetail, RenderedFaultCarriesBothInstances) {
  const std::string xml = soap::RenderFault(
      FaultFromMiResult(MiResult::kNotFound, "no such handle"), "uuid:1",
      "host");
  const size_t wsman = xml.find("<f:WSManFault");
  const size_t wmi = xml.find("<p:MSFT_WmiError");
  const size_t omi = xml.find("<p:OMI_Error");
  ASSERT_NE(wsman, std::string::npos);
  ASSERT_NE(wmi, std::string::npos);
  ASSERT_NE(omi, std::string::npos);
  EXPECT_LT(wsman, wmi);
  EXPECT_LT(wmi, omi);
  EXPECT_NE(xml.find(">MI RESULT 6<"), std::string::npos);
  EXPECT_NE(xml.find(">OMI:MI_Result:6<"), std::string::npos);
}

TEST(EngineCimErrorDetail, UnservedResourceUriAnswersWindowsCode) {
  soap::Request request;
  request.action = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
  request.resource_uri = "http://example.com/nothing";
  const soap::Fault f = Unanswered(request);
  EXPECT_EQ(f.code, soap::FaultCode::kDestinationUnreachable);
  EXPECT_EQ(f.detail, soap::fault_detail::kInvalidResourceURI);
  EXPECT_EQ(f.wsman_code, 2150858811u);  // ERROR_WSMAN_INVALID_RESOURCE_URI
  const std::string xml = soap::RenderFault(f, "uuid:1", "host");
  EXPECT_NE(xml.find("Code=\"2150858811\""), std::string::npos);
}

}  // namespace
}  // namespace wsman::engine::cim
