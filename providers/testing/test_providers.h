// Providers for tests and benchmarks only, in a library of their own
// (wsman_test_providers) that the release daemon does not link. Only
// wsmand-testing, the unit tests and the fuzzers have them
// (providers/linked_providers.h), and even there they are registered only
// when the configuration asks for them ([providers] test_providers = true,
// or WSMAND_TEST_PROVIDERS=1), never by default. All live in root/cimv2
// under WSMAN_Test* class names:
//   WSMAN_TestItem      N instances (w:Option Count, default 10) with 10
//                       properties of mixed types; Get by Id.
//   WSMAN_TestFailing   posts Count (default 3) instances, then
//                       PostResult(Result) (default MI_RESULT_FAILED).
//   WSMAN_TestThrowing  throws from every call.
//   WSMAN_TestSilent    returns without PostResult.
//   WSMAN_TestLate      posts 2 instances, PostResult(OK), then tries to
//                       post and end again (both refused).
//   WSMAN_TestAsync     returns at once, posts Count (default 3) instances
//                       and the result from another thread.
//   WSMAN_TestSlow      posts Count (default 3) instances, DelayMs (default
//                       1000) apart.
//   WSMAN_TestTable     an in-memory table (key Name) with Get, Put,
//                       Create, Delete, Enumerate and the methods Add
//                       (static), Echo (static) and Rename.
//   WSMAN_TestPerson, WSMAN_TestPet, WSMAN_TestOwnership
//                       associations: who owns which pet.
#ifndef WSMAND_PROVIDERS_TESTING_TEST_PROVIDERS_H_
#define WSMAND_PROVIDERS_TESTING_TEST_PROVIDERS_H_

#include <string>

#include "base/status.h"
#include "providers/registry.h"

namespace wsman::providers::testing {

// Registers every test class; the registry's error on a clash.
base::Status RegisterTestProviders(Registry* registry);

// The WSMAN_TestItem instance number `i` (for tests that compare).
Instance MakeTestItem(uint32_t i, const std::string& ns);

}  // namespace wsman::providers::testing

#endif  // WSMAND_PROVIDERS_TESTING_TEST_PROVIDERS_H_
