// Providers an executable links in beside the built-in ones, found at
// start-up without the daemon naming them (envoy's REGISTER_FACTORY idea).
// The test providers (providers/testing/) use it: the object file
// providers/testing/link_test_providers.cc installs their hook from a static
// initialiser, and only wsmand-testing, the unit tests and the fuzzers link
// that object. The release daemon links none, so `[providers]
// test_providers = true` and WSMAND_TEST_PROVIDERS=1 find no hook there.
//
// Thread rules: the hook is installed during static initialisation, before
// main(), and only read afterwards; neither call locks.
#ifndef WSMAND_PROVIDERS_LINKED_PROVIDERS_H_
#define WSMAND_PROVIDERS_LINKED_PROVIDERS_H_

#include "base/status.h"
#include "providers/registry.h"

namespace wsman::providers {

using RegisterProvidersFn = base::Status (*)(Registry* registry);

// Installs the test providers' registration; returns true so that a
// namespace-scope `const bool` can call it.
bool LinkTestProviders(RegisterProvidersFn fn);

// The installed registration, or nullptr when this executable has none.
RegisterProvidersFn LinkedTestProviders();

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_LINKED_PROVIDERS_H_
