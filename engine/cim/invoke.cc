// Method invocation (DSP0227 9): the action <resourceURI>/<Method>, the
// body <Method>_INPUT, the answer <Method>_OUTPUT; on an instance named by
// the key selectors, or on the class for a static method.
#include "engine/cim/engine_internal.h"
#include "engine/cim/mi_faults.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {

using providers::ContextPtr;
using providers::Instance;
using providers::MiResult;

soap::Outcome CimEngine::Invoke(const OperationContext& c, const Target& t,
                                std::string_view method_name,
                                std::string* out) {
  const providers::ClassDecl& decl = *t.reg->decl;
  const providers::MethodDecl* method = decl.FindMethod(method_name);
  if (!method) {
    return FaultFromMiResult(MiResult::kMethodNotFound,
                             "The class " + decl.name + " has no method \"" +
                                 std::string(method_name) + "\".");
  }
  const xmlNode* body = c.request.body;
  if (body &&
      !providers::NameEquals(soap::LocalName(body), method->name + "_INPUT")) {
    return soap::Fault(
        soap::FaultCode::kInvalidParameter, {},
        "The body must be a " + method->name + "_INPUT element.");
  }
  auto in = ParseMethodInput(body, method, t.ns, t.resolver);
  if (!in.ok()) return std::move(in).fault();
  // The instance the method runs on: none for a static method called
  // without key selectors.
  std::optional<Instance> target;
  bool has_keys = false;
  for (const soap::Selector& s : c.request.selectors) {
    if (!providers::NameEquals(s.name, kCimNamespaceSelector)) has_keys = true;
  }
  if (has_keys || (!method->is_static && !decl.Keys().empty())) {
    auto keys = KeysFromSelectors(c.request.selectors, &decl, t.class_name,
                                  t.ns, t.resolver);
    if (!keys.ok()) return std::move(keys).fault();
    target = std::move(keys).value();
  }
  const std::string name = method->name;
  return Transfer(
      c, t, "Invoke",
      [&](const providers::CallInfo& info, ContextPtr ctx) {
        t.reg->provider->Invoke(info, name, target ? &*target : nullptr, *in,
                                std::move(ctx));
      },
      {},
      [&](std::optional<Instance> item, soap::XmlWriter& xml) -> soap::Outcome {
        Instance output =
            item ? std::move(*item) : Instance("__" + name + "_OUTPUT", t.ns);
        WriteOptions o = InstanceOptions(t);
        o.type_attribute = false;
        std::string element = name + "_OUTPUT";
        o.element_name = element;
        WriteInstance(xml, output, o);
        return soap::Ok{};
      },
      out);
}

}  // namespace wsman::engine::cim
