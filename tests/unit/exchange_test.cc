// server::Exchange and the /wsman endpoint's exit paths: every request,
// however it ends (a head refusal, an authentication failure, a body too
// large, a SOAP fault, an answer, a client that went away), writes exactly
// one access line.
#include "server/exchange.h"

#include <gtest/gtest.h>

#include <string>

#include "base/log.h"
#include "server/auth/accounts_file.h"
#include "server/http/serve_request.h"
#include "server/wsman_endpoint.h"
#include "tests/unit/auth_test_util.h"
#include "tests/unit/http_test_stream.h"
#include "tests/unit/testing/xml.h"

namespace wsman::server {
namespace {

constexpr char kEnvelope[] =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
    "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\"><s:Header>"
    "<a:Action>ACTION</a:Action><a:MessageID>uuid:1</a:MessageID>"
    "<w:ResourceURI>urn:res</w:ResourceURI></s:Header><s:Body/>"
    "</s:Envelope>";

std::string Envelope(const std::string& action) {
  std::string xml = kEnvelope;
  xml.replace(xml.find("ACTION"), 6, action);
  return xml;
}

using testutil::Count;

// Runs `body` with stderr captured; returns what was logged.
template <typename F>
std::string Logged(F body) {
  log::SetLevel(log::Level::kInfo);
  ::testing::internal::CaptureStderr();
  body();
  return ::testing::internal::GetCapturedStderr();
}

TEST(ExchangeTest, AnsweredWritesOneLineWhenItEnds) {
  http::ConnectionInfo connection;
  connection.peer = "192.0.2.7";
  std::string log = Logged([&] {
    Exchange exchange(connection);
    exchange.Authenticated(auth::Identity{.user = "alice"});
    exchange.Addressed("urn:get", "");
    exchange.Answered(500, "first");
    exchange.Answered(400, "InvalidSelectors", "why");
    EXPECT_EQ(exchange.identity()->user, "alice");
  });
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("peer=192.0.2.7"), std::string::npos) << log;
  EXPECT_NE(log.find("user=alice"), std::string::npos) << log;
  EXPECT_NE(log.find("action=urn:get"), std::string::npos) << log;
  EXPECT_NE(log.find("resource=-"), std::string::npos) << log;
  EXPECT_NE(log.find("status=400"), std::string::npos) << log;
  EXPECT_NE(log.find("outcome=InvalidSelectors"), std::string::npos) << log;
  EXPECT_NE(log.find("detail=why"), std::string::npos) << log;
}

TEST(ExchangeTest, UnansweredIsClientGone) {
  http::ConnectionInfo connection;
  connection.peer = "192.0.2.8";
  std::string log = Logged([&] {
    Exchange exchange(connection);
    EXPECT_EQ(exchange.identity(), nullptr);
    EXPECT_FALSE(exchange.answered());
  });
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("status=499"), std::string::npos) << log;
  EXPECT_NE(log.find("outcome=client-gone"), std::string::npos) << log;
}

// The endpoint behind the HTTP layer, fed whole requests from memory.
class EndpointExitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    accounts_ = dir_.File("accounts.db");
    ASSERT_TRUE(auth::AddAccount(accounts_, "alice", "wonderland").ok());
    auth::Authenticator::Options options;
    options.accounts_file = accounts_;
    options.use_pam = false;
    auto created = auth::Authenticator::Create(options);
    ASSERT_TRUE(created.ok()) << created.message();
    dispatcher_.Add(
        {{"urn:ok", "",
          [](const OperationContext& context, std::string* out) {
            *out = "<answer user=\"" + context.identity->user + "\"/>";
            return soap::Outcome(soap::Ok{});
          }},
         {"urn:fault", "", [](const OperationContext&, std::string*) {
            return soap::Outcome(
                soap::Fault(soap::FaultCode::kInvalidSelectors, {}, "no"));
          }}});
    EndpointSettings settings;
    settings.machine_name = "host";
    settings.max_envelope_size = 16384;
    settings.parse_limits.max_bytes = settings.max_envelope_size;
    endpoint_ = std::make_unique<WsmanEndpoint>(
        settings, &dispatcher_, std::shared_ptr(std::move(created.value())));
    connection_.peer = "127.0.0.1";
  }

  static std::string Post(const std::string& body, std::string path = "/wsman",
                          bool credentials = true) {
    std::string head = "POST " + path +
                       " HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/soap+xml;charset=UTF-8\r\n"
                       "Content-Length: " +
                       std::to_string(body.size()) + "\r\n";
    if (credentials) {
      head += "Authorization: " +
              auth::testing::BasicHeader("alice", "wonderland") + "\r\n";
    }
    return head + "\r\n" + body;
  }

  // Serves `input`; returns the log, the answer in `*out`.
  std::string Serve(const std::string& input, std::string* out = nullptr) {
    http::MemoryStream stream(input);
    http::ServeHooks hooks;
    http::ServeLimits limits;
    std::string log = Logged([&] {
      http::ServeRequest(stream, connection_, *endpoint_, limits, hooks);
    });
    if (out) *out = stream.out();
    return log;
  }

  auth::testing::TempDir dir_;
  std::string accounts_;
  Dispatcher dispatcher_;
  std::unique_ptr<WsmanEndpoint> endpoint_;
  http::ConnectionInfo connection_;
};

TEST_F(EndpointExitTest, Success) {
  std::string out;
  std::string log = Serve(Post(Envelope("urn:ok")), &out);
  EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos) << out;
  EXPECT_NE(out.find("<answer user=\"alice\"/>"), std::string::npos) << out;
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("user=alice action=urn:ok resource=urn:res status=200 "
                     "outcome=ok"),
            std::string::npos)
      << log;
}

TEST_F(EndpointExitTest, SoapFault) {
  std::string out;
  std::string log = Serve(Post(Envelope("urn:fault")), &out);
  EXPECT_NE(out.find("HTTP/1.1 500"), std::string::npos) << out;
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("status=500 outcome=InvalidSelectors"), std::string::npos)
      << log;
  // A body that is no envelope at all: a fault too, one line.
  log = Serve(Post("<not-soap/>"), &out);
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("user=alice"), std::string::npos) << log;
}

TEST_F(EndpointExitTest, AuthenticationFailures) {
  std::string out;
  std::string log = Serve(Post(Envelope("urn:ok"), "/wsman", false), &out);
  EXPECT_NE(out.find("HTTP/1.1 401"), std::string::npos) << out;
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("outcome=no-credentials"), std::string::npos) << log;

  std::string wrong = Post(Envelope("urn:ok"));
  wrong.replace(wrong.find("Authorization: ") + 15,
                auth::testing::BasicHeader("alice", "wonderland").size(),
                auth::testing::BasicHeader("alice", "looking-glass"));
  log = Serve(wrong, &out);
  EXPECT_NE(out.find("HTTP/1.1 401"), std::string::npos) << out;
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("outcome=denied"), std::string::npos) << log;

  // Unencrypted Basic where the listener refuses it.
  connection_.allow_unencrypted = false;
  log = Serve(Post(Envelope("urn:ok")), &out);
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("outcome=unencrypted-refused"), std::string::npos) << log;

  // Anonymous, but not an Identify: refused once the envelope is read.
  connection_.allow_unencrypted = true;
  log = Serve(Post(Envelope("urn:ok"), "/wsman-anon", false), &out);
  EXPECT_NE(out.find("HTTP/1.1 401"), std::string::npos) << out;
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("action=urn:ok resource=urn:res status=401 "
                     "outcome=anonymous-not-identify"),
            std::string::npos)
      << log;
}

TEST_F(EndpointExitTest, HeadCheckRefusals) {
  struct Case {
    std::string input;
    std::string outcome;
  } cases[] = {
      {Post(Envelope("urn:ok"), "/other"), "status=404 outcome=not-found"},
      {"GET /wsman HTTP/1.1\r\nHost: x\r\n\r\n",
       "status=405 outcome=method-not-allowed"},
      {"POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
       "Content-Length: 2\r\n\r\nhi",
       "status=415 outcome=unsupported-media-type"},
      // A declared length over the envelope limit, before authentication.
      {Post(std::string(20000, 'x'), "/wsman", false),
       "status=500 outcome=EncodingLimit"},
  };
  for (const Case& c : cases) {
    std::string log = Serve(c.input);
    EXPECT_EQ(Count(log, "event=access"), 1u) << log;
    EXPECT_NE(log.find(c.outcome), std::string::npos) << c.outcome << log;
  }
}

TEST_F(EndpointExitTest, ChunkedBodyTooLargeOrMalformed) {
  std::string head =
      "POST /wsman HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/soap+xml;charset=UTF-8\r\n"
      "Transfer-Encoding: chunked\r\nAuthorization: " +
      auth::testing::BasicHeader("alice", "wonderland") + "\r\n\r\n";
  std::string big(20000, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", big.size());
  std::string log = Serve(head + size + "\r\n" + big + "\r\n0\r\n\r\n");
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("user=alice"), std::string::npos) << log;
  EXPECT_NE(log.find("outcome=EncodingLimit"), std::string::npos) << log;

  log = Serve(head + "zz\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("user=alice"), std::string::npos) << log;
  EXPECT_NE(log.find("status=400 outcome=bad-request"), std::string::npos)
      << log;
}

TEST_F(EndpointExitTest, ClientGoneBeforeTheBody) {
  std::string input = Post(Envelope("urn:ok"));
  input.resize(input.size() - 40);  // the client closes mid-body
  std::string out;
  std::string log = Serve(input, &out);
  EXPECT_EQ(out, "");
  EXPECT_EQ(Count(log, "event=access"), 1u) << log;
  EXPECT_NE(log.find("user=alice action=- resource=- status=499 "
                     "outcome=client-gone"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace wsman::server
