#include "engine/config/config_routes.h"

#include <charconv>
#include <optional>
#include <string>

#include "base/strings.h"
#include "base/uuid.h"
#include "engine/config/listener_enumeration.h"
#include "engine/dispatch.h"
#include "soap/actions.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"
#include "soap/xml_doc.h"

namespace wsman::engine::config {
namespace {

namespace action = soap::action;
namespace fd = soap::fault_detail;
using soap::Fault;
using soap::FaultCode;

constexpr std::string_view kListenerPath = "listener";

Fault NeedsLogin() {
  return Fault(FaultCode::kAccessDenied, {},
               "winrm/config needs an authenticated user.");
}

// ConfigHost::Put's Status as the fault a client reads.
Fault FaultOf(const base::Status& status) {
  switch (status.code()) {
    case base::Status::Code::kPermissionDenied:
      // DSP0226 14.6.1 w:AccessDenied: the user may not change the config.
      return Fault(FaultCode::kAccessDenied, {}, status.message());
    case base::Status::Code::kFailedPrecondition:
    case base::Status::Code::kInvalidArgument:
      // DSP0226 14.6 w:InvalidParameter: the value cannot be taken (read
      // only, out of range, or applied only when wsmand restarts — the
      // message says which).
      return Fault(FaultCode::kInvalidParameter, fd::kInvalidValue,
                   status.message());
    default:
      return Fault(FaultCode::kInternalError, {}, status.message());
  }
}

// A positive integer child {ns}local of `parent`, or `fallback`.
soap::Result<uint32_t> CountOf(const xmlNode* parent, std::string_view ns,
                               uint32_t fallback) {
  const xmlNode* node = soap::FirstChildElement(parent, ns, "MaxElements");
  if (node == nullptr) return fallback;
  std::string text(soap::TrimXmlSpace(soap::TextOf(node)));
  uint32_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) {
    return Fault(FaultCode::kInvalidParameter, fd::kMaxElements,
                 "MaxElements must be a positive integer.");
  }
  return value;
}

struct Ops {
  std::shared_ptr<ConfigHost> host;
  std::shared_ptr<ListenerEnumerations> enumerations;

  static std::string PathOf(const soap::Request& r) {
    std::string path;
    ConfigPathOf(r.resource_uri, &path);
    return path;
  }

  // One resource's answer: <action>Response with its tree as the body.
  static void WriteResource(const soap::Request& r, std::string_view act,
                            const Node& node, std::string_view path,
                            std::string* out) {
    soap::ResponseWriter w(out);
    w.StartEnvelope(action::ResponseAction(act), r.message_id,
                    {{"x", soap::ns::kTransfer}});
    w.StartBody();
    WriteTree(node, NamespaceOf(path), &w.xml());
    w.Finish();
  }

  // The listener the selectors Address and Transport name (Windows' keys).
  soap::Result<Node> SelectedListener(const soap::Request& r) const {
    const soap::Selector* address = r.FindSelector("Address");
    const soap::Selector* transport = r.FindSelector("Transport");
    if (address == nullptr || transport == nullptr) {
      return Fault(FaultCode::kInvalidSelectors, fd::kInsufficientSelectors,
                   "A listener is named by the selectors Address and "
                   "Transport; enumerate config/listener to list them.");
    }
    for (Node& listener : host->Listeners()) {
      const Node* a = listener.Child("Address");
      const Node* t = listener.Child("Transport");
      if (a && t && base::EqualsIgnoreCase(a->text, address->value) &&
          base::EqualsIgnoreCase(t->text, transport->value)) {
        return std::move(listener);
      }
    }
    return Fault(FaultCode::kInvalidSelectors, fd::kInvalidValue,
                 "No listener has Address=" + address->value +
                     " and Transport=" + transport->value + ".");
  }

  // Fragment transfer is served for CIM instances only: a fragment of the
  // config resource is refused rather than answered whole (DSP0226 7.7).
  static std::optional<soap::Fault> NoFragments(const soap::Request& r) {
    if (!r.fragment) return std::nullopt;
    return Fault(FaultCode::kUnsupportedFeature, fd::kFragmentLevelAccess,
                 "The winrm/config resource does not support fragment "
                 "transfer; Get or Put the whole resource.");
  }

  // [MS-WSMV] 3.1.4.2: Get of winrm/config or one of its sub-resources.
  soap::Outcome Get(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NeedsLogin();
    if (auto f = NoFragments(c.request)) return *f;
    const std::string path = PathOf(c.request);
    if (path == kListenerPath) {
      soap::Result<Node> listener = SelectedListener(c.request);
      if (!listener.ok()) return listener.fault();
      WriteResource(c.request, action::kGet, *listener, path, out);
      return soap::Ok{};
    }
    Node root = host->Current();
    const Node* node = Resolve(root, path);
    if (node == nullptr) return Unanswered(c.request);
    WriteResource(c.request, action::kGet, *node, path, out);
    return soap::Ok{};
  }

  // Put changes the leaves of the body that differ from the running values
  // (ConfigHost::Put decides whether they may change), then answers the
  // resource as it is now (WS-Transfer PutResponse, DSP0226 7.5).
  soap::Outcome Put(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NeedsLogin();
    if (auto f = NoFragments(c.request)) return *f;
    const std::string path = PathOf(c.request);
    if (path == kListenerPath) {
      return Fault(FaultCode::kInvalidParameter, fd::kInvalidValue,
                   "wsmand's listeners are the [server] listen addresses of "
                   "its config file; they change on restart.");
    }
    Node root = host->Current();
    std::string canonical;
    const Node* node = Resolve(root, path, &canonical);
    if (node == nullptr) return Unanswered(c.request);
    auto changes = ReadPut(c.request.body, *node, path, canonical);
    if (!changes.ok()) return changes.fault();
    // Even a Put that changes nothing is the host's to allow (w:AccessDenied
    // for anyone who may not change the config).
    base::Status put = host->Put(*c.identity, *changes);
    if (!put.ok()) return FaultOf(put);
    if (!changes->empty()) {
      root = host->Current();
      node = Resolve(root, path);
      if (node == nullptr) return Fault(FaultCode::kInternalError);
    }
    WriteResource(c.request, action::kPut, *node, path, out);
    return soap::Ok{};
  }

  static void StartEnumerationAnswer(const soap::Request& r,
                                     std::string_view act,
                                     soap::ResponseWriter* w) {
    w->StartEnvelope(action::ResponseAction(act), r.message_id,
                     {{"n", soap::ns::kEnumeration}});
    w->StartBody();
  }

  // DSP0226 8.2: Enumerate of config/listener, optimized (the items in the
  // answer, w:OptimizeEnumeration) or through a context Pull reads.
  soap::Outcome Enumerate(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NeedsLogin();
    if (PathOf(c.request) != kListenerPath) return Unanswered(c.request);
    const xmlNode* body = c.request.body;
    if (body == nullptr ||
        !soap::IsElement(body, soap::ns::kEnumeration, "Enumerate")) {
      return Fault(FaultCode::kInvalidParameter, {},
                   "The body of an Enumerate must be n:Enumerate.");
    }
    if (soap::FirstChildElement(body, soap::ns::kWsman, "Filter") ||
        soap::FirstChildElement(body, soap::ns::kEnumeration, "Filter")) {
      return Fault(FaultCode::kFilteringNotSupported);
    }
    if (const xmlNode* mode = soap::FirstChildElement(body, soap::ns::kWsman,
                                                      "EnumerationMode")) {
      return Fault(FaultCode::kUnsupportedFeature, fd::kEnumerationMode,
                   "config/listener enumerates objects only, not \"" +
                       std::string(soap::TrimXmlSpace(soap::TextOf(mode))) +
                       "\".");
    }
    const bool optimize =
        soap::FirstChildElement(body, soap::ns::kWsman,
                                "OptimizeEnumeration") != nullptr;
    auto max = CountOf(body, soap::ns::kWsman, 1);
    if (!max.ok()) return max.fault();

    std::vector<Node> items = host->Listeners();
    std::vector<Node> now;
    if (optimize) {
      size_t take = std::min<size_t>(*max, items.size());
      now.assign(std::make_move_iterator(items.begin()),
                 std::make_move_iterator(items.begin() + take));
      items.erase(items.begin(), items.begin() + take);
    }
    const bool end = optimize && items.empty();
    std::string id =
        end ? "uuid:" + base::NewUuid()
            : enumerations->Open(c.identity->user, std::move(items));
    soap::ResponseWriter w(out);
    StartEnumerationAnswer(c.request, action::kEnumerate, &w);
    soap::XmlWriter& xml = w.xml();
    xml.Open("n:EnumerateResponse");
    xml.Element("n:EnumerationContext", id);
    if (optimize) {
      xml.Open("w:Items");
      for (const Node& item : now) WriteTree(item, kListenerUri, &xml);
      xml.Close();
      if (end) xml.Open("w:EndOfSequence").Close();
    }
    xml.Close();
    w.Finish();
    return soap::Ok{};
  }

  static std::string ContextOf(const soap::Request& r, std::string_view op) {
    if (r.body == nullptr ||
        !soap::IsElement(r.body, soap::ns::kEnumeration, op)) {
      return {};
    }
    const xmlNode* ctx = soap::FirstChildElement(r.body, soap::ns::kEnumeration,
                                                 "EnumerationContext");
    return ctx ? std::string(soap::TrimXmlSpace(soap::TextOf(ctx))) : "";
  }

  static Fault NoContext() {
    // DSP0226 8.4: a context that is unknown, expired, released, finished
    // or another user's.
    return Fault(FaultCode::kInvalidEnumerationContext, {},
                 "The enumeration context is not valid (unknown, expired, "
                 "released, finished, or another user's).");
  }

  // DSP0226 8.4: the next items of a config/listener context.
  soap::Outcome Pull(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NeedsLogin();
    std::string id = ContextOf(c.request, "Pull");
    auto max = CountOf(c.request.body, soap::ns::kEnumeration, 1);
    if (!max.ok()) return max.fault();
    auto batch = enumerations->Pull(c.identity->user, id, *max);
    if (!batch) return NoContext();
    soap::ResponseWriter w(out);
    StartEnumerationAnswer(c.request, action::kPull, &w);
    soap::XmlWriter& xml = w.xml();
    xml.Open("n:PullResponse");
    if (!batch->end) xml.Element("n:EnumerationContext", id);
    xml.Open("n:Items");
    for (const Node& item : batch->items) WriteTree(item, kListenerUri, &xml);
    xml.Close();
    if (batch->end) xml.Open("n:EndOfSequence").Close();
    xml.Close();
    w.Finish();
    return soap::Ok{};
  }

  // DSP0226 8.6: Release drops the context; the answer has an empty body.
  soap::Outcome Release(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NeedsLogin();
    if (!enumerations->Release(c.identity->user,
                               ContextOf(c.request, "Release"))) {
      return NoContext();
    }
    soap::ResponseWriter w(out);
    StartEnumerationAnswer(c.request, action::kRelease, &w);
    w.Finish();
    return soap::Ok{};
  }

  soap::Outcome Any(const OperationContext& c, std::string* out) const {
    const std::string& a = c.request.action;
    if (a == action::kGet) return Get(c, out);
    if (a == action::kPut) return Put(c, out);
    if (a == action::kEnumerate) return Enumerate(c, out);
    if (a == action::kPull) return Pull(c, out);
    if (a == action::kRelease) return Release(c, out);
    return Unanswered(c.request);
  }
};

}  // namespace

std::vector<Route> ConfigRoutes(std::shared_ptr<ConfigHost> host,
                                ConfigEngineOptions options) {
  auto ops = std::make_shared<Ops>(
      Ops{std::move(host),
          std::make_shared<ListenerEnumerations>(
              options.context_expiry, options.max_contexts_per_user)});
  auto any = [ops](const OperationContext& c, std::string* out) {
    return ops->Any(c, out);
  };
  std::vector<Route> routes;
  // Pull and Release are dispatched by action alone to the CIM engine
  // unless the (action, resource) pair is routed here; clients send the
  // ResourceURI on both (winrm.vbs, pypsrp, pywinrm).
  for (std::string_view a : {action::kGet, action::kPut, action::kEnumerate,
                             action::kPull, action::kRelease}) {
    routes.push_back({std::string(a), std::string(kConfigUri), any});
    routes.push_back({std::string(a), std::string(kListenerUri), any});
  }
  // Every other spelling of a config URI (sub-resources, any case).
  routes.push_back({"", "", any, [](std::string_view uri) {
                      std::string path;
                      return ConfigPathOf(uri, &path);
                    }});
  return routes;
}

}  // namespace wsman::engine::config
