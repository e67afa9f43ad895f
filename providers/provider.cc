#include "providers/provider.h"

namespace wsman::providers {

void Provider::EnumerateInstances(const CallInfo&, ContextPtr context) {
  context->PostResult(MiResult::kNotSupported);
}
void Provider::GetInstance(const CallInfo&, const Instance&,
                           ContextPtr context) {
  context->PostResult(MiResult::kNotSupported);
}
void Provider::CreateInstance(const CallInfo&, const Instance&,
                              ContextPtr context) {
  context->PostResult(MiResult::kNotSupported);
}
void Provider::ModifyInstance(const CallInfo&, const Instance&,
                              ContextPtr context) {
  context->PostResult(MiResult::kNotSupported);
}
void Provider::DeleteInstance(const CallInfo&, const Instance&,
                              ContextPtr context) {
  context->PostResult(MiResult::kNotSupported);
}
void Provider::Invoke(const CallInfo&, const std::string&, const Instance*,
                      const Instance&, ContextPtr context) {
  context->PostResult(MiResult::kNotSupported);
}
void Provider::AssociatorInstances(const CallInfo&, const Instance&,
                                   const AssociationQuery&,
                                   ContextPtr context) {
  context->PostResult(MiResult::kNotSupported);
}
void Provider::ReferenceInstances(const CallInfo&, const Instance&,
                                  const AssociationQuery&, ContextPtr context) {
  context->PostResult(MiResult::kNotSupported);
}

}  // namespace wsman::providers
