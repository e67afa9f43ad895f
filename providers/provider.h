// The provider interface, modelled on MI's provider function table: a C++
// class serving one or more CIM classes implements any of these; the
// default implementations post MiResult::kNotSupported.
//
// Every call receives a ContextPtr and must end with exactly one
// context->PostResult(...), from any thread, before or after returning
// (keep a copy of the ContextPtr to finish asynchronously). A call that
// throws or drops its last ContextPtr without PostResult gets kFailed.
//
// Concurrency (docs/providers.md#concurrency): one provider's methods run
// concurrently, on several threads at once, for the same and for different
// users; guard state kept between calls with a lock of the provider's own.
// GetInstance, ModifyInstance, CreateInstance, DeleteInstance and Invoke
// run on the request's HTTP worker thread; EnumerateInstances,
// AssociatorInstances and ReferenceInstances on a thread of the engine's
// bounded enumeration pool ([enumeration] provider_threads), which the call
// holds until it returns, so return promptly and stop when the context is
// cancelled.
#ifndef WSMAND_PROVIDERS_PROVIDER_H_
#define WSMAND_PROVIDERS_PROVIDER_H_

#include <string>
#include <utility>
#include <vector>

#include "providers/class_decl.h"
#include "providers/context.h"
#include "providers/identity.h"
#include "providers/instance.h"

namespace wsman::providers {

// What a provider is told about the request it serves.
struct CallInfo {
  const Identity* identity = nullptr;  // the authenticated user
  std::string namespace_name;          // e.g. "root/cimv2"
  std::string class_name;              // the class addressed
  const ClassDecl* decl = nullptr;     // its declaration, when registered
  // EnumerateInstances: the query the client sent ("" = none), for
  // providers registered with `provider_filters` (they apply it
  // themselves); otherwise the engine filters what they post.
  std::string query_language;  // "WQL"
  std::string query;
  // The w:OptionSet of the request (name, value).
  std::vector<std::pair<std::string, std::string>> options;
};

// AssociatorInstances / ReferenceInstances parameters ("" = no
// constraint), as in MI and DSP0227's association filter.
struct AssociationQuery {
  std::string assoc_class;   // AssociationClassName
  std::string result_class;  // ResultClassName
  std::string role;          // Role
  std::string result_role;   // ResultRole (associators only)
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Posts every instance of the class (or those matching the query when the
  // provider filters).
  virtual void EnumerateInstances(const CallInfo& call, ContextPtr context);
  // `keys`: the instance name (key properties) to find; posts it, or ends
  // with kNotFound.
  virtual void GetInstance(const CallInfo& call, const Instance& keys,
                           ContextPtr context);
  // Creates `instance`; posts the created instance (at least its keys).
  virtual void CreateInstance(const CallInfo& call, const Instance& instance,
                              ContextPtr context);
  // Modifies the instance named by `instance`'s keys with its other
  // properties; may post the modified instance.
  virtual void ModifyInstance(const CallInfo& call, const Instance& instance,
                              ContextPtr context);
  virtual void DeleteInstance(const CallInfo& call, const Instance& keys,
                              ContextPtr context);
  // Invokes `method` on the instance named by `target` (nullptr for a static
  // method) with the in-parameters `in`; posts one instance holding the out
  // parameters and "ReturnValue", then PostResult. Unknown methods end with
  // kMethodNotFound.
  virtual void Invoke(const CallInfo& call, const std::string& method,
                      const Instance* target, const Instance& in,
                      ContextPtr context);
  // Posts the instances associated with `source`.
  virtual void AssociatorInstances(const CallInfo& call, const Instance& source,
                                   const AssociationQuery& query,
                                   ContextPtr context);
  // Posts the association instances that refer to `source`.
  virtual void ReferenceInstances(const CallInfo& call, const Instance& source,
                                  const AssociationQuery& query,
                                  ContextPtr context);
};

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_PROVIDER_H_
