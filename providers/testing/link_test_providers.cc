// Links the test providers into the executable that lists this object file
// (providers/linked_providers.h): wsmand-testing, the unit tests and the
// fuzzers. It is an object of its own, outside the wsman_test_providers
// library, because a static library's member that nothing references is
// never linked.
#include "providers/linked_providers.h"
#include "providers/testing/test_providers.h"

namespace {

[[maybe_unused]] const bool kTestProvidersLinked =
    wsman::providers::LinkTestProviders(
        &wsman::providers::testing::RegisterTestProviders);

}  // namespace
