#include "server/http/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "base/log.h"
#include "certs/openssl_util.h"
#include "server/http/socket_stream.h"
#include "server/http/worker_pool.h"

namespace wsman::server::http {
namespace {

// The connection being served on this worker thread.
struct ConnectionState {
  SocketStream* stream = nullptr;
  std::chrono::seconds body_timeout{30};
  bool close_after_response = false;
  bool tls = false;
  certs::ClientCertInfo client_cert;
};
thread_local ConnectionState* t_connection = nullptr;

// After answering a request whose body was refused unread, half-close and
// discard what the peer still sends for a short while, so that it reads our
// answer instead of a connection reset.
void LingeringClose(int sock) {
  constexpr auto kLinger = std::chrono::seconds(2);
  constexpr size_t kMaxDiscard = 16 * 1024 * 1024;
  ::shutdown(sock, SHUT_WR);
  auto until = std::chrono::steady_clock::now() + kLinger;
  size_t discarded = 0;
  char buf[16384];
  while (discarded < kMaxDiscard) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = ::recv(sock, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    discarded += static_cast<size_t>(n);
  }
}

}  // namespace

HttpServer::HttpServer(const ConnectionLimits& limits) : limits_(limits) {
  new_task_queue = [this] {
    return new WorkerPool(limits_.warm_threads, limits_.max_connections);
  };
  set_payload_max_length(limits_.max_body_bytes);
  set_keep_alive_timeout(limits_.keep_alive_timeout.count());
  set_read_timeout(limits_.header_timeout.count());
  set_write_timeout(limits_.write_timeout.count());
}

bool HttpServer::Bind(const ListenAddress& address, std::string* error) {
  set_address_family(address.ipv6 ? AF_INET6 : AF_INET);
  set_socket_options([ipv6 = address.ipv6](int sock) {
    int on = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    // Listening sockets pass TCP_NODELAY on to accepted ones on Linux; the
    // connection loop sets it again to be sure.
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (ipv6) ::setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  });
  bool bound = false;
  if (address.port == 0) {
    bound_port_ = bind_to_any_port(address.host);
    bound = bound_port_ > 0;
  } else if (bind_to_port(address.host, address.port)) {
    bound_port_ = address.port;
    bound = true;
  }
  if (bound) {
    // httplib listens with a backlog of 5; a burst of clients connecting at
    // once would overflow it. Listening again raises the backlog.
    ::listen(svr_sock_, SOMAXCONN);
    return true;
  }
  int err = errno;
  *error = "cannot listen on " + address.ToUrl() + ": " +
           (err == EADDRINUSE ? std::string("address already in use")
                              : std::string(std::strerror(err)));
  return false;
}

void HttpServer::Serve() { listen_after_bind(); }

void HttpServer::Shutdown() {
  stopping_.store(true);
  stop();
}

void HttpServer::CloseAfterResponse() {
  if (t_connection != nullptr) t_connection->close_after_response = true;
}

const certs::ClientCertInfo* HttpServer::CurrentClientCert() {
  if (t_connection == nullptr || !t_connection->tls) return nullptr;
  return &t_connection->client_cert;
}

void HttpServer::StartBodyPhase() {
  if (t_connection != nullptr && t_connection->stream != nullptr) {
    t_connection->stream->SetReadDeadline(SocketStream::Clock::now() +
                                          t_connection->body_timeout);
  }
}

bool HttpServer::process_and_close_socket(int sock) {
  if (WorkerPool::Refused() || stopping_.load()) {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return false;
  }
  int on = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);

  // HTTPS: a TLS object on the context current at accept time; a reload
  // swaps the holder's context, never this connection's.
  certs::SslPtr ssl;
  if (tls_ != nullptr) {
    std::shared_ptr<SSL_CTX> ctx = tls_->Get();
    if (ctx) ssl.reset(SSL_new(ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), sock) != 1) {
      log::Error("tls",
                 {{"error", "cannot start TLS: " + certs::OpenSslErrors()}});
      ::shutdown(sock, SHUT_RDWR);
      ::close(sock);
      return false;
    }
  }

  SocketStream stream(sock, limits_.write_timeout, &stopping_, ssl.get());
  ConnectionState state;
  state.stream = &stream;
  state.body_timeout = limits_.body_timeout;
  if (ssl) {
    // The handshake counts against the header deadline: a client that
    // opens TLS and stalls frees the worker after header_timeout.
    std::string reason;
    if (!stream.Handshake(SocketStream::Clock::now() + limits_.header_timeout,
                          &reason)) {
      log::Info("tls-handshake-failed",
                {{"peer", stream.peer()}, {"reason", reason}});
      ::shutdown(sock, SHUT_RDWR);
      ::close(sock);
      return false;
    }
    state.tls = true;
    state.client_cert = certs::InspectClientCertificate(ssl.get());
    if (state.client_cert.present) {
      log::Debug("tls-client-certificate",
                 {{"peer", stream.peer()},
                  {"thumbprint", state.client_cert.thumbprint},
                  {"subject", state.client_cert.subject},
                  {"verified", state.client_cert.verified ? "yes" : "no"},
                  {"error", state.client_cert.verify_error}});
    }
  }
  t_connection = &state;
  std::function<void(httplib::Request&)> setup_request;
  if (ssl) {
    setup_request = [s = ssl.get()](httplib::Request& req) { req.ssl = s; };
  }

  bool first = true;
  bool ok = true;
  while (ok && !stopping_.load()) {
    auto wait = first ? limits_.header_timeout : limits_.keep_alive_timeout;
    if (!stream.WaitForRequest(wait)) break;
    first = false;
    stream.SetReadDeadline(SocketStream::Clock::now() + limits_.header_timeout);
    bool connection_closed = false;
    ok = process_request(stream, /*close_connection=*/stopping_.load(),
                         connection_closed, setup_request);
    stream.SetReadDeadline(SocketStream::Clock::time_point::max());
    if (!stream.Flush() || connection_closed || state.close_after_response) {
      break;
    }
  }
  stream.Flush();
  stream.CloseNotify();
  t_connection = nullptr;
  if (state.close_after_response) LingeringClose(sock);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace wsman::server::http
