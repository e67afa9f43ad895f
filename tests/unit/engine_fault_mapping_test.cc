// The MI result -> WS-Management fault table: complete, and documented.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/cim/mi_faults.h"

namespace wsman::engine::cim {
namespace {

using providers::MiResult;
using soap::FaultCode;

TEST(EngineFaultMapping, EveryMiResultHasItsOwnEntry) {
  for (MiResult r : providers::kAllMiResults) {
    EXPECT_EQ(MappingFor(r).result, r) << providers::MiResultName(r);
    EXPECT_FALSE(MappingFor(r).text.empty());
  }
}

TEST(EngineFaultMapping, WindowsShapes) {
  EXPECT_EQ(MappingFor(MiResult::kFailed).fault, FaultCode::kInternalError);
  EXPECT_EQ(MappingFor(MiResult::kAccessDenied).fault,
            FaultCode::kAccessDenied);
  EXPECT_EQ(MappingFor(MiResult::kNotFound).fault,
            FaultCode::kDestinationUnreachable);
  EXPECT_EQ(MappingFor(MiResult::kInvalidClass).detail,
            soap::fault_detail::kInvalidResourceURI);
  EXPECT_EQ(MappingFor(MiResult::kNotSupported).fault,
            FaultCode::kActionNotSupported);
  EXPECT_EQ(MappingFor(MiResult::kMethodNotFound).fault,
            FaultCode::kActionNotSupported);
  EXPECT_EQ(MappingFor(MiResult::kAlreadyExists).fault,
            FaultCode::kAlreadyExists);
  EXPECT_EQ(MappingFor(MiResult::kInvalidQuery).fault,
            FaultCode::kCannotProcessFilter);
  EXPECT_EQ(MappingFor(MiResult::kQueryLanguageNotSupported).fault,
            FaultCode::kFilterDialectRequestedUnavailable);
  EXPECT_EQ(MappingFor(MiResult::kInvalidEnumerationContext).fault,
            FaultCode::kInvalidEnumerationContext);
  EXPECT_EQ(MappingFor(MiResult::kServerLimitsExceeded).fault,
            FaultCode::kQuotaLimit);
  EXPECT_EQ(MappingFor(MiResult::kServerIsShuttingDown).fault,
            FaultCode::kEndpointUnavailable);
}

TEST(EngineFaultMapping, FaultCarriesProviderMessageAndResultName) {
  soap::Fault f = FaultFromMiResult(MiResult::kNotFound, "no such row");
  EXPECT_EQ(f.code, FaultCode::kDestinationUnreachable);
  EXPECT_NE(f.message.find("no such row"), std::string::npos);
  EXPECT_NE(f.message.find("MI_RESULT_NOT_FOUND"), std::string::npos);
}

TEST(EngineFaultMapping, DocumentedInDocsMiResults) {
  std::ifstream in(std::string(WSMAND_SOURCE_DIR) + "/docs/mi-results.md");
  ASSERT_TRUE(in) << "docs/mi-results.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  for (MiResult r : providers::kAllMiResults) {
    std::string row = "| " + std::string(providers::MiResultName(r)) + " |";
    EXPECT_NE(text.str().find(row), std::string::npos) << row;
  }
}

}  // namespace
}  // namespace wsman::engine::cim
