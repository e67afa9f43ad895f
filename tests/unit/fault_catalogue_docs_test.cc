// docs/faults.md keeps itself true: its catalogue table has one row per
// FaultCode, in enum order, and every row's SOAP Code, Subcode, Action and
// WSManFault Code (decimal and hex) are the catalogue's (Describe()). A
// change to either side fails here until the other follows.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "soap/fault.h"

namespace wsman::soap {
namespace {

std::string ReadDoc() {
  std::ifstream in(std::string(WSMAND_SOURCE_DIR) + "/docs/faults.md");
  EXPECT_TRUE(in) << "docs/faults.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line.substr(1));  // past the leading '|'
  while (std::getline(in, cell, '|')) {
    const size_t a = cell.find_first_not_of(' ');
    const size_t b = cell.find_last_not_of(' ');
    cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
  }
  return cells;
}

// The rows of the table under "## The catalogue" ("| kName | ...").
std::vector<std::vector<std::string>> CatalogueRows() {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(ReadDoc());
  std::string line;
  bool in_section = false;
  while (std::getline(lines, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## The catalogue";
    if (in_section && line.rfind("| k", 0) == 0) rows.push_back(Cells(line));
  }
  return rows;
}

std::string SoapCodeText(SoapCodeValue v) {
  switch (v) {
    case SoapCodeValue::kSender:
      return "s:Sender";
    case SoapCodeValue::kReceiver:
      return "s:Receiver";
    case SoapCodeValue::kVersionMismatch:
      return "s:VersionMismatch";
    case SoapCodeValue::kMustUnderstand:
      return "s:MustUnderstand";
  }
  return "?";
}

// The Subcode as the table writes it: "—" or prefix:local.
std::string SubcodeText(const FaultInfo& info) {
  if (info.subcode_local.empty()) return "—";
  const std::string ns(info.subcode_ns);
  std::string prefix = "?";
  if (ns == "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd") prefix = "w";
  if (ns == "http://schemas.xmlsoap.org/ws/2004/08/addressing") prefix = "a";
  if (ns == "http://schemas.xmlsoap.org/ws/2004/09/enumeration") prefix = "n";
  if (ns == "http://schemas.xmlsoap.org/ws/2004/08/eventing") prefix = "e";
  if (ns == "http://schemas.xmlsoap.org/ws/2004/09/transfer") prefix = "x";
  return prefix + ":" + std::string(info.subcode_local);
}

// The Action as the table abbreviates it (see the list above the table).
std::string ActionText(std::string_view action) {
  const std::string a(action);
  if (a == "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault") return "wsman";
  if (a == "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault") {
    return "addressing";
  }
  if (a == "http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault") {
    return "enumeration";
  }
  if (a == "http://schemas.xmlsoap.org/ws/2004/08/eventing/fault") {
    return "eventing";
  }
  if (a == "http://schemas.xmlsoap.org/ws/2004/09/transfer/fault") {
    return "transfer";
  }
  return "?" + a;
}

TEST(FaultCatalogueDocs, OneRowPerFaultCodeWithUniqueNames) {
  const auto rows = CatalogueRows();
  EXPECT_EQ(rows.size(), static_cast<size_t>(FaultCode::kCount));
  std::set<std::string> names;
  for (const auto& row : rows) {
    ASSERT_GE(row.size(), 7u) << row[0];
    EXPECT_TRUE(names.insert(row[0]).second) << "twice: " << row[0];
  }
}

TEST(FaultCatalogueDocs, EveryRowIsTheCatalogueEntry) {
  const auto rows = CatalogueRows();
  const std::regex code_cell(R"(^(\d+) \(0x([0-9A-Fa-f]+)\)$)");
  for (size_t i = 0;
       i < rows.size() && i < static_cast<size_t>(FaultCode::kCount); ++i) {
    const auto& row = rows[i];
    if (row.size() < 7) continue;
    const FaultInfo& info = Describe(static_cast<FaultCode>(i));
    SCOPED_TRACE(row[0]);
    EXPECT_EQ(row[1], SoapCodeText(info.soap_code));
    EXPECT_EQ(row[2], SubcodeText(info));
    EXPECT_EQ(row[3], ActionText(info.action));
    std::smatch m;
    ASSERT_TRUE(std::regex_match(row[4], m, code_cell)) << row[4];
    EXPECT_EQ(std::stoul(m[1].str()), info.wsman_code);
    EXPECT_EQ(std::stoul(m[2].str(), nullptr, 16), info.wsman_code)
        << "hex and decimal disagree";
  }
}

TEST(FaultCatalogueDocs, UnknownResourceUriCodeIsDocumented) {
  // The DestinationUnreachable row names the code an unknown resource URI
  // gets (engine::Unanswered sends it).
  for (const auto& row : CatalogueRows()) {
    if (row.size() < 7 || row[2] != "a:DestinationUnreachable") continue;
    EXPECT_NE(row[6].find(std::to_string(wsman_code::kInvalidResourceUri)),
              std::string::npos)
        << row[6];
    return;
  }
  ADD_FAILURE() << "no a:DestinationUnreachable row";
}

}  // namespace
}  // namespace wsman::soap
