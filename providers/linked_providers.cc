#include "providers/linked_providers.h"

namespace wsman::providers {
namespace {

// A function-local static: safe whatever the order of static initialisers.
RegisterProvidersFn& TestProvidersHook() {
  static RegisterProvidersFn hook = nullptr;
  return hook;
}

}  // namespace

bool LinkTestProviders(RegisterProvidersFn fn) {
  TestProvidersHook() = fn;
  return true;
}

RegisterProvidersFn LinkedTestProviders() { return TestProvidersHook(); }

}  // namespace wsman::providers
