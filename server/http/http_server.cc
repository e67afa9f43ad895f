#include "server/http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stop_token>

#include "base/log.h"
#include "certs/openssl_util.h"
#include "server/http/socket_stream.h"

namespace wsman::server::http {
namespace {

using Clock = std::chrono::steady_clock;

// epoll data: 0 is the wake eventfd, listeners have the top bit set, every
// other value is a connection id.
constexpr uint64_t kWakeId = 0;
constexpr uint64_t kListenerBit = uint64_t{1} << 63;
constexpr uint32_t kWaitEvents = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
constexpr uint32_t kWatchEvents = EPOLLRDHUP | EPOLLONESHOT;
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

// After answering a request whose body was refused unread, half-close and
// discard what the peer still sends for a short while, so that it reads our
// answer instead of a connection reset.
void LingeringClose(int sock) {
  constexpr auto kLinger = std::chrono::seconds(2);
  constexpr size_t kMaxDiscard = 1024 * 1024;
  ::shutdown(sock, SHUT_WR);
  auto until = Clock::now() + kLinger;
  size_t discarded = 0;
  char buf[16384];
  while (discarded < kMaxDiscard) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = ::recv(sock, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    discarded += static_cast<size_t>(n);
  }
}

std::string PeerText(const sockaddr_storage& addr, int* port) {
  char buf[INET6_ADDRSTRLEN] = {0};
  *port = 0;
  if (addr.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
      inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof buf);
    }
    *port = ntohs(a6->sin6_port);
  } else if (addr.ss_family == AF_INET) {
    const auto* a4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a4->sin_addr, buf, sizeof buf);
    *port = ntohs(a4->sin_port);
  }
  return buf;
}

// At most one log line a second for floods of the same event; the next
// line says how many were left out.
class RateLimitedLog {
 public:
  void Warn(std::string_view event, std::string_view peer,
            std::string_view reason) {
    int64_t now = Clock::now().time_since_epoch().count();
    int64_t last = last_.load(std::memory_order_relaxed);
    if (now - last < 1'000'000'000 ||
        !last_.compare_exchange_strong(last, now)) {
      suppressed_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::string left_out =
        std::to_string(suppressed_.exchange(0, std::memory_order_relaxed));
    log::Warn(event,
              {{"peer", peer}, {"reason", reason}, {"suppressed", left_out}});
  }

 private:
  std::atomic<int64_t> last_{0};
  std::atomic<uint64_t> suppressed_{0};
};

RateLimitedLog g_refusal_log;

}  // namespace

struct HttpServer::Listener {
  size_t index = 0;
  base::UniqueFd fd;
  ListenerOptions options;
  Clock::time_point paused_until{};  // accept paused (EMFILE) until then
  bool paused = false;
};

struct HttpServer::Connection {
  uint64_t id = 0;
  Listener* listener = nullptr;
  Clock::time_point accepted;
  ConnectionInfo info;
  // Destroyed in reverse order: the stream, then TLS, then the descriptor.
  base::UniqueFd fd;
  certs::SslPtr ssl;
  std::unique_ptr<SocketStream> stream;
  certs::ClientCertInfo client_cert;
  // Guarded by the server's mu_ (the analysis cannot name another
  // object's mutex here; every access is under base::MutexLock(&mu_)).
  bool watching = false;
  std::stop_source cancel;

  ~Connection() {
    if (stream) stream->CloseNotify();
  }
};

// How ServeRequest tells the server about one connection's request.
class HttpServer::Hooks : public ServeHooks {
 public:
  Hooks(HttpServer* server, Connection* conn) : server_(server), conn_(conn) {}

  void Authenticated() override {
    base::MutexLock lock(&server_->mu_);
    server_->table_.MarkAuthenticated(conn_->id);
  }
  std::stop_token WatchDisconnect() override {
    base::MutexLock lock(&server_->mu_);
    conn_->cancel = std::stop_source();
    if (server_->stopping_.load()) {
      conn_->cancel.request_stop();
      return conn_->cancel.get_token();
    }
    epoll_event ev{};
    ev.events = kWatchEvents;
    ev.data.u64 = conn_->id;
    conn_->watching = ::epoll_ctl(server_->epoll_.get(), EPOLL_CTL_MOD,
                                  conn_->fd.get(), &ev) == 0;
    return conn_->cancel.get_token();
  }
  void EndWatch() override {
    base::MutexLock lock(&server_->mu_);
    conn_->watching = false;
  }
  bool Stopping() const override { return server_->stopping_.load(); }

 private:
  HttpServer* server_;
  Connection* conn_;
};

HttpServer::HttpServer(const ConnectionLimits& limits, Handler* handler)
    : limits_(limits),
      serve_limits_{
          HeadLimits{limits.max_header_bytes, limits.max_header_fields, 8192},
          limits.header_timeout, limits.body_timeout, limits.max_body_bytes},
      handler_(handler),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      pool_(limits.warm_threads, limits.max_connections),
      table_(ConnectionTable::Limits{
          static_cast<size_t>(limits.max_connections),
          static_cast<size_t>(limits.max_connections_per_peer),
          limits.header_timeout, limits.keep_alive_timeout}) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeId;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
}

HttpServer::~HttpServer() {
  Shutdown();
  pool_.Shutdown();
}

base::StatusOr<int> HttpServer::Listen(const ListenAddress& address,
                                       const ListenerOptions& options) {
  int family = address.ipv6 ? AF_INET6 : AF_INET;
  base::UniqueFd fd(
      ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  auto fail = [&](std::string_view what) {
    int err = errno;
    return base::Status::IoError(
        "cannot listen on " + address.ToUrl() + ": " + std::string(what) +
        (err == EADDRINUSE ? std::string("address already in use")
                           : std::string(std::strerror(err))));
  };
  if (!fd) return fail("");
  int on = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  // Accepted sockets inherit TCP_NODELAY: no Nagle stall on keep-alive.
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (address.ipv6) {
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(address.port));
    if (inet_pton(AF_INET6, address.host.c_str(), &a6->sin6_addr) != 1) {
      errno = EINVAL;
      return fail("");
    }
    len = sizeof *a6;
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(address.port));
    if (inet_pton(AF_INET, address.host.c_str(), &a4->sin_addr) != 1) {
      errno = EINVAL;
      return fail("");
    }
    len = sizeof *a4;
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd.get(), SOMAXCONN) != 0) {
    return fail("");
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &bound_len);
  int port = 0;
  PeerText(bound, &port);

  auto listener = std::make_unique<Listener>();
  listener->index = listeners_.size();
  listener->fd = std::move(fd);
  listener->options = options;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerBit | listener->index;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener->fd.get(), &ev) != 0) {
    return fail("epoll: ");
  }
  listeners_.push_back(std::move(listener));
  return port;
}

void HttpServer::Wake() {
  uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

void HttpServer::Shutdown() {
  if (stopping_.exchange(true)) return;
  // Long-polls in progress end now rather than at their timeout.
  std::vector<std::stop_source> watched;
  {
    base::MutexLock lock(&mu_);
    for (auto& [id, conn] : connections_) {
      if (conn->watching) watched.push_back(conn->cancel);
    }
  }
  for (auto& source : watched) source.request_stop();
  Wake();
}

size_t HttpServer::connection_count() const {
  base::MutexLock lock(&mu_);
  return table_.size();
}

std::shared_ptr<HttpServer::Connection> HttpServer::Forget(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return nullptr;
  std::shared_ptr<Connection> conn = std::move(it->second);
  connections_.erase(it);
  table_.Remove(id);
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, conn->fd.get(), nullptr);
  return conn;
}

void HttpServer::AcceptFrom(Listener& listener) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    base::UniqueFd fd(::accept4(listener.fd.get(),
                                reinterpret_cast<sockaddr*>(&addr), &len,
                                SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // Out of descriptors or memory: stop accepting for a moment instead
      // of spinning on a listener that stays readable.
      g_refusal_log.Warn("accept-failed", "-", std::strerror(errno));
      epoll_event ev{};
      ev.data.u64 = kListenerBit | listener.index;
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, listener.fd.get(), &ev);
      listener.paused = true;
      listener.paused_until = Clock::now() + kAcceptPause;
      return;
    }
    auto conn = std::make_shared<Connection>();
    conn->id = next_id_.fetch_add(1);
    conn->listener = &listener;
    conn->accepted = Clock::now();
    conn->info.peer = PeerText(addr, &conn->info.peer_port);
    conn->info.tls = listener.options.tls != nullptr;
    conn->info.allow_unencrypted = listener.options.allow_unencrypted;

    std::vector<std::shared_ptr<Connection>> shed;
    ConnectionTable::Admission admission;
    {
      base::MutexLock lock(&mu_);
      if (stopping_.load()) return;
      admission = table_.Admit(conn->id, conn->info.peer, conn->accepted);
      if (admission.admitted) {
        for (const ConnectionTable::Victim& v : admission.victims) {
          if (v.busy) {
            // Its worker sees the socket end and closes it.
            auto it = connections_.find(v.id);
            if (it != connections_.end()) {
              ::shutdown(it->second->fd.get(), SHUT_RDWR);
            }
          } else if (auto victim = Forget(v.id)) {
            shed.push_back(std::move(victim));
          }
        }
        epoll_event ev{};
        ev.events = kWaitEvents;
        ev.data.u64 = conn->id;
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev) == 0) {
          conn->fd = std::move(fd);
          connections_[conn->id] = conn;
        } else {
          table_.Remove(conn->id);
          admission.admitted = false;
          admission.refusal = "epoll";
        }
      }
    }
    if (!shed.empty() || !admission.victims.empty()) {
      log::Debug("connection-shed",
                 {{"peer", conn->info.peer},
                  {"shed", std::to_string(admission.victims.size())}});
    }
    if (!admission.admitted) {
      if (!listener.options.tls) {
        // Best effort: a client over its share learns why.
        static constexpr std::string_view kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n";
        (void)!::send(fd.get(), kBusy.data(), kBusy.size(),
                      MSG_DONTWAIT | MSG_NOSIGNAL);
      }
      g_refusal_log.Warn("connection-refused", conn->info.peer,
                         admission.refusal);
    }
  }
}

void HttpServer::OnConnectionEvent(uint64_t id, uint32_t events) {
  std::shared_ptr<Connection> conn;
  std::shared_ptr<Connection> closed;
  std::stop_source cancel;
  bool dispatch = false, do_cancel = false;
  {
    base::MutexLock lock(&mu_);
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    conn = it->second;
    if (table_.PhaseOf(id) == ConnectionTable::Phase::kBusy) {
      // Watched while its request is answered: the client went away.
      if (conn->watching && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        cancel = conn->cancel;
        do_cancel = true;
      }
    } else if ((events & EPOLLIN) != 0 && !stopping_.load()) {
      dispatch = table_.StartWork(id, Clock::now());
    } else {
      closed = Forget(id);  // hung up while waiting
    }
  }
  if (do_cancel) {
    log::Debug("client-disconnected", {{"peer", conn->info.peer}});
    cancel.request_stop();
  }
  if (dispatch) Dispatch(std::move(conn));
}

void HttpServer::Dispatch(std::shared_ptr<Connection> conn) {
  uint64_t id = conn->id;
  if (pool_.Submit([this, conn] { RunConnection(conn); })) return;
  std::shared_ptr<Connection> closed;
  {
    base::MutexLock lock(&mu_);
    closed = Forget(id);
  }
  g_refusal_log.Warn("connection-refused", conn->info.peer,
                     "no worker available");
}

void HttpServer::RunConnection(const std::shared_ptr<Connection>& conn) {
  AfterRequest after = AfterRequest::kClose;
  if (!conn->stream) {
    if (conn->listener->options.tls) {
      // HTTPS: a TLS object on the context current now; a reload swaps the
      // holder's context, never this connection's. The handshake counts
      // against the header deadline from accept.
      std::shared_ptr<SSL_CTX> ctx = conn->listener->options.tls->Get();
      if (ctx) conn->ssl.reset(SSL_new(ctx.get()));
      if (!conn->ssl || SSL_set_fd(conn->ssl.get(), conn->fd.get()) != 1) {
        log::Error("tls",
                   {{"error", "cannot start TLS: " + certs::OpenSslErrors()}});
        conn->ssl.reset();
      } else {
        auto stream = std::make_unique<SocketStream>(
            conn->fd.get(), limits_.write_timeout, &stopping_, conn->ssl.get());
        std::string reason;
        if (stream->Handshake(conn->accepted + limits_.header_timeout,
                              &reason)) {
          conn->client_cert = certs::InspectClientCertificate(conn->ssl.get());
          conn->info.client_cert = &conn->client_cert;
          if (conn->client_cert.present) {
            log::Debug("tls-client-certificate",
                       {{"peer", conn->info.peer},
                        {"thumbprint", conn->client_cert.thumbprint},
                        {"subject", conn->client_cert.subject},
                        {"verified", conn->client_cert.verified ? "yes" : "no"},
                        {"error", conn->client_cert.verify_error}});
          }
          conn->stream = std::move(stream);
        } else {
          log::Info("tls-handshake-failed",
                    {{"peer", conn->info.peer}, {"reason", reason}});
        }
      }
    } else {
      conn->stream = std::make_unique<SocketStream>(
          conn->fd.get(), limits_.write_timeout, &stopping_);
    }
  }
  if (conn->stream) {
    Hooks hooks(this, conn.get());
    for (;;) {
      after = ServeRequest(*conn->stream, conn->info, *handler_, serve_limits_,
                           hooks);
      if (after != AfterRequest::kKeepAlive || stopping_.load()) break;
      // Pipelined bytes are served at once; otherwise back to the poller.
      if (conn->stream->HasPendingInput()) continue;
      ParkOrClose(conn);
      return;
    }
    conn->stream->Flush();
    if (after == AfterRequest::kLingerClose) LingeringClose(conn->fd.get());
  }
  std::shared_ptr<Connection> closed;
  {
    base::MutexLock lock(&mu_);
    closed = Forget(conn->id);
  }
}

void HttpServer::ParkOrClose(const std::shared_ptr<Connection>& conn) {
  conn->stream->ReleaseBuffers();
  std::shared_ptr<Connection> closed;
  base::MutexLock lock(&mu_);
  if (stopping_.load() || !connections_.count(conn->id)) {
    closed = Forget(conn->id);
    return;
  }
  table_.FinishWork(conn->id, Clock::now());
  epoll_event ev{};
  ev.events = kWaitEvents;
  ev.data.u64 = conn->id;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, conn->fd.get(), &ev) != 0) {
    closed = Forget(conn->id);
  }
}

void HttpServer::CloseExpired() {
  std::vector<std::shared_ptr<Connection>> closed;
  Clock::time_point now = Clock::now();
  base::MutexLock lock(&mu_);
  for (uint64_t id : table_.Expired(now)) {
    if (auto conn = Forget(id)) closed.push_back(std::move(conn));
  }
  for (auto& listener : listeners_) {
    if (listener->paused && now >= listener->paused_until) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kListenerBit | listener->index;
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, listener->fd.get(), &ev);
      listener->paused = false;
    }
  }
  // `closed` is destroyed (descriptors closed) after the lock is released.
}

void HttpServer::CloseAllWaiting() {
  std::vector<std::shared_ptr<Connection>> closed;
  base::MutexLock lock(&mu_);
  for (uint64_t id : table_.NotBusy()) {
    if (auto conn = Forget(id)) closed.push_back(std::move(conn));
  }
}

void HttpServer::Serve() {
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  while (!stopping_.load()) {
    Clock::time_point next;
    {
      base::MutexLock lock(&mu_);
      next = table_.NextDeadline();
    }
    auto wait = std::chrono::milliseconds(1000);
    if (next != Clock::time_point::max()) {
      auto left =
          std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now());
      wait = std::clamp(left, std::chrono::milliseconds(0), wait);
    }
    for (auto& listener : listeners_) {
      if (listener->paused) wait = std::min(wait, kAcceptPause);
    }
    int n = ::epoll_wait(epoll_.get(), events, kMaxEvents,
                         static_cast<int>(wait.count()));
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kWakeId) {
        uint64_t count;
        (void)!::read(wake_.get(), &count, sizeof count);
      } else if (id & kListenerBit) {
        AcceptFrom(*listeners_[id & ~kListenerBit]);
      } else {
        OnConnectionEvent(id, events[i].events);
      }
    }
    CloseExpired();
  }
  for (auto& listener : listeners_) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener->fd.get(), nullptr);
    listener->fd.reset();
  }
  CloseAllWaiting();
  // Requests in progress finish (answered with Connection: close); their
  // workers close the connections. Every worker thread is joined.
  pool_.Shutdown();
  CloseAllWaiting();
}

}  // namespace wsman::server::http
