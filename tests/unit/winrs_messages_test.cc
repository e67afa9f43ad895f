// WinRS messages (engine/winrs): base64, Receive framing within the envelope
// budget, parsing the recorded client and Windows requests, the response
// shapes and the fault mapping.
#include <libxml/parser.h>

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "engine/winrs/base64.h"
#include "engine/winrs/shell_routes.h"
#include "engine/winrs/winrs_messages.h"
#include "soap/envelope_parser.h"
#include "soap/fault.h"
#include "tests/unit/testing/xml.h"

namespace wsman::engine::winrs {
namespace {

std::string ReadVector(const std::string& rel) {
  std::ifstream in(std::string(WSMAND_VECTORS_DIR) + "/" + rel);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

soap::Envelope Parse(const std::string& xml) {
  auto env = soap::ParseEnvelope(xml, soap::ParseLimits{});
  EXPECT_TRUE(env.ok());
  return std::move(env).value();
}

using testutil::WellFormed;

TEST(ShellBase64Test, RoundTripsEveryLength) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("hi\r\n"), "aGkNCg==");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 7) {
    std::string decoded;
    std::string enc = Base64Encode(all.substr(0, n));
    EXPECT_EQ(enc.size(), Base64Size(n));
    ASSERT_TRUE(Base64Decode(enc, &decoded));
    EXPECT_EQ(decoded, all.substr(0, n));
  }
}

TEST(ShellBase64Test, DecodeToleratesXmlSpaceAndRejectsGarbage) {
  std::string out;
  EXPECT_TRUE(Base64Decode("  ZnJv\nbS1zdGRpbgo=\r\n", &out));
  EXPECT_EQ(out, "from-stdin\n");
  EXPECT_FALSE(Base64Decode("Zm9v!", &out));
  EXPECT_FALSE(Base64Decode("Zm9", &out));
  EXPECT_FALSE(Base64Decode("Zg==Zg==", &out));
  EXPECT_FALSE(Base64Decode("=Zg=", &out));
}

TEST(ShellFramingTest, ReceiveResponseFitsTheEnvelope) {
  const std::string mid = "uuid:4CECD2A8-45E1-4835-B5D9-F4CEB4308A0F";
  const std::string cid = "CF84C20A-0A35-43FA-AF78-0B4711DA5F30";
  for (size_t max_env : {8192u, 153600u, 512000u}) {
    size_t budget = ReceiveBudget(max_env, mid);
    ASSERT_GT(budget, max_env / 2) << max_env;
    // Worst case: both streams with data, both ending, Done with a code.
    providers::shell::ReceiveResult r;
    size_t half = budget / 2;
    r.chunks.push_back(
        {providers::shell::kStdout, std::string(budget - half, '\xff'), false});
    r.chunks.push_back({providers::shell::kStdout, "", true});
    r.chunks.push_back(
        {providers::shell::kStderr, std::string(half, 'x'), false});
    r.chunks.push_back({providers::shell::kStderr, "", true});
    r.done = true;
    r.exit_code = -2147483647;
    std::string out;
    WriteReceiveResponse(r, cid, mid, &out);
    EXPECT_LE(out.size(), max_env) << max_env;
    EXPECT_TRUE(WellFormed(out));
  }
}

TEST(ShellFramingTest, EndFlagsAndCommandState) {
  providers::shell::ReceiveResult r;
  r.chunks.push_back({providers::shell::kStdout, "hi\r\n", false});
  r.chunks.push_back({providers::shell::kStdout, "", true});
  r.done = true;
  r.exit_code = 0;
  std::string out;
  WriteReceiveResponse(r, "CID", "uuid:X", &out);
  EXPECT_NE(out.find("<rsp:Stream Name=\"stdout\" CommandId=\"CID\">aGkNCg=="
                     "</rsp:Stream>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("<rsp:Stream Name=\"stdout\" CommandId=\"CID\" "
                     "End=\"true\"/>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(std::string("State=\"") + std::string(kCommandStateDone) +
                     "\"><rsp:ExitCode>0</rsp:ExitCode>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("ReceiveResponse</a:Action>"), std::string::npos);

  r.chunks.clear();
  r.done = false;
  out.clear();
  WriteReceiveResponse(r, "CID", "uuid:X", &out);
  EXPECT_NE(out.find(kCommandStateRunning), std::string::npos);
  EXPECT_EQ(out.find("ExitCode"), std::string::npos);
}

TEST(ShellMessagesTest, ParsesWindowsCreateWithOptions) {
  auto env = Parse(ReadVector("windows/winrs_extra_opts/01.request.xml"));
  auto spec = ParseCreate(env.request());
  ASSERT_TRUE(spec.ok()) << spec.fault().message;
  EXPECT_EQ(spec->idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(spec->lifetime, std::chrono::seconds(60));
  EXPECT_EQ(spec->working_directory, "C:\\Windows");
  EXPECT_EQ(spec->output_streams, "stdout stderr");
}

TEST(ShellMessagesTest, ParsesEnvironmentVariables) {
  auto env = Parse(ReadVector("windows/winrs_environment/01.request.xml"));
  auto spec = ParseCreate(env.request());
  ASSERT_TRUE(spec.ok()) << spec.fault().message;
  ASSERT_EQ(spec->environment.size(), 3u);
  EXPECT_EQ(spec->environment[0].first, "env1");
  EXPECT_EQ(spec->environment[0].second, "var1");
  EXPECT_EQ(spec->environment[2].first, "_-(){}[]<>*+-/\\?\"!@#$^&|;:i,.`~0");
}

TEST(ShellMessagesTest, ParsesClientCommandLines) {
  // pywinrm: one Arguments element with everything joined.
  auto py = Parse(ReadVector("clients/pywinrm-run_cmd/02-Command.xml"));
  auto spec = ParseCommand(py.request());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->command_line, "echo hello");
  EXPECT_FALSE(spec->skip_shell);
  // Go: the command in CDATA, unprefixed mustUnderstand.
  auto go = Parse(ReadVector("clients/go-winrm-run/02-Command.xml"));
  spec = ParseCommand(go.request());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->command_line, "echo go-hello");
  // Windows' own: several Arguments elements.
  auto win = Parse(ReadVector("windows/winrs_standard/02.request.xml"));
  spec = ParseCommand(win.request());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->command_line, "cmd.exe /c echo hi");
  EXPECT_EQ(spec->argv.size(), 4u);
}

TEST(ShellMessagesTest, ParsesSendReceiveSignal) {
  auto send = Parse(ReadVector("windows/winrs_send/04.request.xml"));
  auto in = ParseSend(send.request());
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->command_id, "B0973E54-434E-4D99-B4BE-ADE584CE3BFB");
  EXPECT_EQ(in->data, "Write-Host \"output 2\";");
  EXPECT_TRUE(in->end);
  auto go_send = Parse(ReadVector("clients/go-winrm-stdin/03-Send.xml"));
  in = ParseSend(go_send.request());
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->data, "from-stdin\n");
  EXPECT_FALSE(in->end);

  auto receive = Parse(ReadVector("windows/winrs_standard/03.request.xml"));
  auto r = ParseReceive(receive.request());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->command_id, "CF84C20A-0A35-43FA-AF78-0B4711DA5F30");
  EXPECT_TRUE(r->want_stdout && r->want_stderr);
  auto shell_id = ShellIdOf(receive.request());
  ASSERT_TRUE(shell_id.ok());
  EXPECT_EQ(*shell_id, "4283CBDC-3706-415B-88BD-B385F3E51A53");

  auto signal = Parse(ReadVector("windows/winrs_standard/04.request.xml"));
  auto s = ParseSignal(signal.request());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->code, providers::shell::SignalCode::kCtrlC);
  auto term = Parse(ReadVector("clients/pywinrm-run_cmd/04-Signal.xml"));
  s = ParseSignal(term.request());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->code, providers::shell::SignalCode::kTerminate);
}

TEST(ShellMessagesTest, CodePages) {
  for (const char* folder : {"clients/pywinrm-run_cmd/01-Create.xml",  // 437
                             "clients/go-winrm-run/01-Create.xml"}) {  // 65001
    auto env = Parse(ReadVector(folder));
    EXPECT_TRUE(ParseCreate(env.request()).ok()) << folder;
  }
  std::string xml = ReadVector("clients/go-winrm-run/01-Create.xml");
  size_t at = xml.find(">65001<");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, 7, ">1252<");
  auto env = Parse(xml);
  auto spec = ParseCreate(env.request());
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.fault().code, soap::FaultCode::kInvalidOptions);
  EXPECT_NE(spec.fault().message.find("1252"), std::string::npos);
}

TEST(ShellMessagesTest, CreateResponseHasBothShapes) {
  providers::shell::ShellInfo info;
  info.id = "4283CBDC-3706-415B-88BD-B385F3E51A53";
  info.owner = "vagrant";
  info.client_ip = "192.168.56.1";
  info.idle_timeout = std::chrono::hours(2);
  info.input_streams = "stdin";
  info.output_streams = "stdout stderr";
  std::string out;
  WriteCreateResponse(info, "http://h:5985/wsman", "uuid:M", &out);
  EXPECT_TRUE(WellFormed(out));
  for (const char* needle :
       {"<a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/"
        "CreateResponse</a:Action>",
        "<x:ResourceCreated><a:Address>http://h:5985/wsman</a:Address>",
        "<w:Selector Name=\"ShellId\">4283CBDC-3706-415B-88BD-B385F3E51A53"
        "</w:Selector>",
        "<rsp:ShellId>4283CBDC-3706-415B-88BD-B385F3E51A53</rsp:ShellId>",
        "<rsp:Owner>vagrant</rsp:Owner>",
        "<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>",
        "<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>",
        "<a:RelatesTo>uuid:M</a:RelatesTo>"}) {
    EXPECT_NE(out.find(needle), std::string::npos) << needle << "\n" << out;
  }
}

// The host's errors are base::Status values: the Errc rides in detail(),
// the general code beside it, and FaultFor reads only the Errc.
TEST(ShellMessagesTest, HostErrorsAreStatusesWithTheErrcAsDetail) {
  using base::Status;
  using providers::shell::Errc;
  using providers::shell::ErrcOf;
  using providers::shell::ShellError;
  Status s = ShellError(Errc::kMaxProcessesPerShell, "quota");
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(ErrcOf(s), Errc::kMaxProcessesPerShell);
  EXPECT_EQ(s.message(), "quota");
  EXPECT_EQ(ShellError(Errc::kShellNotFound, "").code(),
            Status::Code::kNotFound);
  EXPECT_EQ(ShellError(Errc::kTimedOut, "").code(),
            Status::Code::kDeadlineExceeded);
  EXPECT_EQ(ShellError(Errc::kAccessDenied, "").code(),
            Status::Code::kPermissionDenied);
  EXPECT_TRUE(ShellError(Errc::kOk, "ignored").ok());
  EXPECT_EQ(ErrcOf(Status::Ok()), Errc::kOk);
}

TEST(ShellMessagesTest, FaultMapping) {
  using providers::shell::Errc;
  using providers::shell::ShellError;
  soap::Fault f = FaultFor(ShellError(Errc::kShellNotFound, {}), "ABC", {});
  EXPECT_EQ(f.code, soap::FaultCode::kInvalidSelectors);
  EXPECT_NE(f.message.find("ShellId ABC"), std::string::npos);
  EXPECT_EQ(soap::Describe(f.code).wsman_code, 2150858843u);
  f = FaultFor(ShellError(Errc::kTimedOut, {}), "ABC", "C");
  EXPECT_EQ(f.code, soap::FaultCode::kTimedOut);
  EXPECT_EQ(soap::Describe(f.code).wsman_code, 2150858793u);
  EXPECT_NE(soap::Describe(f.code).reason.find("OperationTimeout"),
            std::string::npos);
  EXPECT_EQ(FaultFor(ShellError(Errc::kMaxShellsPerUser, "m"), "", "").code,
            soap::FaultCode::kQuotaLimit);
  EXPECT_EQ(FaultFor(ShellError(Errc::kAccessDenied, "m"), "", "").code,
            soap::FaultCode::kAccessDenied);
}

TEST(ShellMessagesTest, ReceiveWait) {
  EXPECT_EQ(ReceiveWait(std::chrono::seconds(60)), std::chrono::seconds(54));
}

}  // namespace
}  // namespace wsman::engine::winrs
