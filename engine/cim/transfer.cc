// WS-Transfer Get, Put, Create and Delete (DSP0226 7, DSP0227 7.1-7.4),
// each as parse -> one provider call -> write over one skeleton
// (CimEngine::Transfer, which Invoke shares).
#include "engine/cim/engine_internal.h"
#include "engine/cim/fragment.h"
#include "engine/cim/mi_faults.h"
#include "soap/actions.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {
namespace {

using providers::ContextPtr;
using providers::Instance;
using providers::MiResult;
namespace action = soap::action;

// The body's class element, checked to name the class.
soap::Result<const xmlNode*> ClassElement(const soap::Request& r,
                                          const std::string& class_name) {
  if (!r.body || !providers::NameEquals(soap::LocalName(r.body), class_name)) {
    return soap::Fault(
        soap::FaultCode::kInvalidRepresentation, {},
        "The body must hold one " + class_name + " element (the instance).");
  }
  return static_cast<const xmlNode*>(r.body);
}

// The fragment a w:FragmentTransfer header selects, checked against the
// target class (fragment.h).
soap::Result<FragmentPath> SelectedFragment(
    const soap::FragmentTransfer& header, const providers::ClassDecl* decl,
    std::string_view class_name) {
  auto path = ParseFragmentTransfer(header);
  if (!path.ok()) return path;
  soap::Outcome resolved =
      ResolveFragment(&*path, decl, decl ? decl->name : class_name);
  if (!resolved.ok()) return std::move(resolved).fault();
  return path;
}

}  // namespace

soap::Outcome CimEngine::Transfer(
    const OperationContext& c, const Target& t, std::string_view operation,
    const std::function<void(const providers::CallInfo&, ContextPtr)>& call,
    std::initializer_list<soap::NamespaceDecl> namespaces,
    const BodyWriter& write_body, std::string* out) {
  providers::CallInfo info = t.Call(c);
  auto posted =
      RunProviderCall(*t.reg, operation, CallDeadline(c.request), c.cancel,
                      [&](ContextPtr ctx) { call(info, std::move(ctx)); });
  if (!posted.ok()) return std::move(posted).fault();
  soap::ResponseWriter w(out);
  w.StartEnvelope(action::ResponseAction(c.request.action),
                  c.request.message_id, namespaces);
  w.StartBody();
  soap::Outcome body = write_body(std::move(*posted), w.xml());
  if (!body.ok()) {
    out->clear();
    return body;
  }
  w.Finish();
  if (out->size() > c.max_envelope_size) {
    out->clear();
    return TooBig(c.max_envelope_size);
  }
  return soap::Ok{};
}

WriteOptions CimEngine::InstanceOptions(const Target& t) const {
  WriteOptions o;
  o.class_uri = t.uri;
  o.resolver = t.resolver;
  return o;
}

soap::Outcome CimEngine::Get(const OperationContext& c, const Target& t,
                             std::string* out) {
  auto keys = KeysFromSelectors(c.request.selectors, t.reg->decl.get(),
                                t.class_name, t.ns, t.resolver);
  if (!keys.ok()) return std::move(keys).fault();
  // A fragment Get (DSP0226 7.7) answers w:XmlFragment with the selected
  // property instead of the instance.
  std::optional<FragmentPath> fragment;
  if (c.request.fragment) {
    auto path =
        SelectedFragment(*c.request.fragment, t.reg->decl.get(), t.class_name);
    if (!path.ok()) return std::move(path).fault();
    fragment = std::move(path).value();
  }
  return Transfer(
      c, t, "GetInstance",
      [&](const providers::CallInfo& info, ContextPtr ctx) {
        t.reg->provider->GetInstance(info, *keys, std::move(ctx));
      },
      {{"x", soap::ns::kTransfer}},
      [&](std::optional<Instance> item, soap::XmlWriter& xml) -> soap::Outcome {
        if (!item) {
          return FaultFromMiResult(MiResult::kNotFound,
                                   "The provider found no such instance.");
        }
        if (fragment) {
          WriteFragment(xml, *item, *fragment, t.resolver);
        } else {
          WriteInstance(xml, *item, InstanceOptions(t));
        }
        return soap::Ok{};
      },
      out);
}

soap::Outcome CimEngine::Put(const OperationContext& c, const Target& t,
                             std::string* out) {
  auto keys = KeysFromSelectors(c.request.selectors, t.reg->decl.get(),
                                t.class_name, t.ns, t.resolver);
  if (!keys.ok()) return std::move(keys).fault();
  if (c.request.fragment) {
    // Fragment Put (DSP0226 7.7, [MS-WSMV] 3.1.4.1.18): the provider's
    // ModifyInstance contract (providers/provider.h) does not say whether a
    // property left out of the instance is kept or cleared, so the engine
    // reads the instance, replaces the one property and passes the whole
    // instance: right for either reading. Two provider calls, not atomic: a
    // concurrent Put of another property between them can be undone.
    auto path =
        SelectedFragment(*c.request.fragment, t.reg->decl.get(), t.class_name);
    if (!path.ok()) return std::move(path).fault();
    providers::CallInfo info = t.Call(c);
    auto current = RunProviderCall(
        *t.reg, "GetInstance", CallDeadline(c.request), c.cancel,
        [&](ContextPtr ctx) {
          t.reg->provider->GetInstance(info, *keys, std::move(ctx));
        });
    if (!current.ok()) return std::move(current).fault();
    if (!*current) {
      return FaultFromMiResult(MiResult::kNotFound,
                               "The provider found no such instance.");
    }
    Instance merged = std::move(**current);
    soap::Outcome applied = ApplyFragment(
        c.request.body, *path, t.reg->decl.get(), t.ns, t.resolver, &merged);
    if (!applied.ok()) return applied;
    for (const providers::Property& k : keys->properties()) {
      merged.SetKey(k.name, k.value);
    }
    return Transfer(
        c, t, "ModifyInstance",
        [&](const providers::CallInfo& call, ContextPtr ctx) {
          t.reg->provider->ModifyInstance(call, merged, std::move(ctx));
        },
        {{"x", soap::ns::kTransfer}},
        [&](std::optional<Instance> item,
            soap::XmlWriter& xml) -> soap::Outcome {
          // The answer is the fragment as it now is (DSP0226 7.7).
          WriteFragment(xml, item ? *item : merged, *path, t.resolver);
          return soap::Ok{};
        },
        out);
  }
  auto element = ClassElement(c.request, t.reg->decl->name);
  if (!element.ok()) return std::move(element).fault();
  auto instance = ParseInstance(*element, t.reg->decl.get(), t.ns, t.resolver);
  if (!instance.ok()) return std::move(instance).fault();
  // The selectors name the instance; they win over key values in the body.
  for (const providers::Property& k : keys->properties()) {
    instance->SetKey(k.name, k.value);
  }
  return Transfer(
      c, t, "ModifyInstance",
      [&](const providers::CallInfo& info, ContextPtr ctx) {
        t.reg->provider->ModifyInstance(info, *instance, std::move(ctx));
      },
      {{"x", soap::ns::kTransfer}},
      [&](std::optional<Instance> item, soap::XmlWriter& xml) -> soap::Outcome {
        if (item) WriteInstance(xml, *item, InstanceOptions(t));
        return soap::Ok{};
      },
      out);
}

soap::Outcome CimEngine::Create(const OperationContext& c, const Target& t,
                                std::string* out) {
  auto element = ClassElement(c.request, t.reg->decl->name);
  if (!element.ok()) return std::move(element).fault();
  auto instance = ParseInstance(*element, t.reg->decl.get(), t.ns, t.resolver);
  if (!instance.ok()) return std::move(instance).fault();
  return Transfer(
      c, t, "CreateInstance",
      [&](const providers::CallInfo& info, ContextPtr ctx) {
        t.reg->provider->CreateInstance(info, *instance, std::move(ctx));
      },
      {{"x", soap::ns::kTransfer}},
      [&](std::optional<Instance> item, soap::XmlWriter& xml) -> soap::Outcome {
        // The provider may post the created instance (with keys it chose).
        const Instance& created = item ? *item : *instance;
        xml.Open("x:ResourceCreated");
        WriteEprContent(xml, AddressOf(c.request), t.uri, created, t.ns,
                        t.resolver, t.family != UriFamily::kWmi);
        xml.Close();
        return soap::Ok{};
      },
      out);
}

soap::Outcome CimEngine::Delete(const OperationContext& c, const Target& t,
                                std::string* out) {
  auto keys = KeysFromSelectors(c.request.selectors, t.reg->decl.get(),
                                t.class_name, t.ns, t.resolver);
  if (!keys.ok()) return std::move(keys).fault();
  return Transfer(
      c, t, "DeleteInstance",
      [&](const providers::CallInfo& info, ContextPtr ctx) {
        t.reg->provider->DeleteInstance(info, *keys, std::move(ctx));
      },
      {{"x", soap::ns::kTransfer}},
      [](std::optional<Instance>, soap::XmlWriter&) -> soap::Outcome {
        return soap::Ok{};
      },
      out);
}

}  // namespace wsman::engine::cim
