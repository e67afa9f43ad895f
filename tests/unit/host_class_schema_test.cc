// The class declaration a class-schema Get answers (DSP0201 CLASS), for a
// host class with keys, arrays, references and methods.
#include <gtest/gtest.h>

#include "engine/cim/class_schema.h"
#include "providers/host/host_model.h"

namespace wsman::engine::cim {
namespace {

std::string Schema(std::string_view cls) {
  std::string out;
  soap::XmlWriter xml(&out);
  WriteClassSchema(xml, *providers::host::FindHostClass(cls)->decl);
  return out;
}

TEST(HostClassSchema, ProcessWithKeysAndMethods) {
  std::string s = Schema("Win32_Process");
  EXPECT_EQ(s.rfind("<CLASS NAME=\"Win32_Process\" SUPERCLASS=\"CIM_Process\" "
                    "DERIVATION=\"CIM_Process,CIM_EnabledLogicalElement,"
                    "CIM_LogicalElement,CIM_ManagedSystemElement,"
                    "CIM_ManagedElement\">",
                    0),
            0u)
      << s;
  // Inherited members name the class that declares them (DSP0201).
  EXPECT_NE(s.find("<PROPERTY NAME=\"Handle\" TYPE=\"string\" "
                   "CLASSORIGIN=\"CIM_Process\" PROPAGATED=\"true\">"
                   "<QUALIFIER NAME=\"Key\" "
                   "TYPE=\"boolean\" OVERRIDABLE=\"false\"><VALUE>true</VALUE>"
                   "</QUALIFIER></PROPERTY>"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("<PROPERTY NAME=\"SessionId\" TYPE=\"uint32\" "
                   "CLASSORIGIN=\"Win32_Process\"/>"),
            std::string::npos);
  EXPECT_NE(s.find("<PROPERTY NAME=\"Caption\" TYPE=\"string\" "
                   "CLASSORIGIN=\"CIM_ManagedElement\" PROPAGATED=\"true\"/>"),
            std::string::npos);
  EXPECT_NE(s.find("<METHOD NAME=\"Create\" TYPE=\"uint32\" "
                   "CLASSORIGIN=\"CIM_Process\" PROPAGATED=\"true\">"
                   "<QUALIFIER NAME=\"Static\""),
            std::string::npos);
  EXPECT_NE(s.find("<PARAMETER NAME=\"ProcessId\" TYPE=\"uint32\"><QUALIFIER "
                   "NAME=\"Out\""),
            std::string::npos);
}

TEST(HostClassSchema, ArraysAndReferences) {
  EXPECT_NE(Schema("Win32_NetworkAdapterConfiguration")
                .find("<PROPERTY.ARRAY NAME=\"IPAddress\" TYPE=\"string\""),
            std::string::npos);
  std::string s = Schema("CIM_OSProcess");
  EXPECT_NE(s.find("<PROPERTY.REFERENCE NAME=\"PartComponent\" "
                   "REFERENCECLASS=\"CIM_Process\""),
            std::string::npos)
      << s;
}

TEST(HostClassSchema, TargetFromSelectorOrUri) {
  soap::Request r;
  r.resource_uri = std::string(kCimSchemaPrefix) + "*";
  EXPECT_TRUE(IsClassSchemaUri(r.resource_uri));
  EXPECT_EQ(ClassSchemaTarget(r), "");
  r.selectors.push_back({"ClassName", " Win32_Service "});
  EXPECT_EQ(ClassSchemaTarget(r), "Win32_Service");
  r.selectors.clear();
  r.resource_uri = std::string(kCimSchemaPrefix) + "CIM_Process";
  EXPECT_EQ(ClassSchemaTarget(r), "CIM_Process");
  EXPECT_FALSE(IsClassSchemaUri(
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_Process"));
}

}  // namespace
}  // namespace wsman::engine::cim
