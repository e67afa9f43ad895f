// The class listing (DSP0227 15, [MS-WSMV] 3.1.4.8 <113>: Windows 8 and
// later): Enumerate and Pull on
//   http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*
// list the class declarations of the __cimnamespace selector's namespace
// as <CLASS> items (class_schema.h), parents before children, with the
// same Include* options as a class Get. The ClassName selector narrows it
// as MI's EnumerateClasses does: absent or empty lists every class, a
// class name lists the classes derived from it, and a name with '*' or '?'
// lists the classes it matches (Get-CimClass -ClassName Win32_* asks for
// every class and filters itself; the wildcard is for other clients).
//
// A listing needs no provider: Enumerate queues one item per class (as
// many as the registry knows, so the queue is bounded by it) in an
// ordinary enumeration context — same per-user quota, expiry and
// Release — and each response writes the queued classes that fit.
//
// Thread rules: EnumerateClassListing runs on the request's worker;
// CollectClasses with the context's pull_mu held, like Collect.
#ifndef WSMAND_ENGINE_CIM_CLASS_LISTING_H_
#define WSMAND_ENGINE_CIM_CLASS_LISTING_H_

#include <string>
#include <string_view>
#include <vector>

#include "engine/cim/batch.h"
#include "engine/cim/cim_engine.h"
#include "engine/cim/enumeration.h"
#include "engine/operation.h"
#include "providers/registry.h"
#include "soap/result.h"

namespace wsman::engine::cim {

// True for the context of a class listing.
bool IsClassListing(const EnumerationContext& ec);

// The classes a listing request selects (see above), or the invalid class
// fault when ClassName names no class of `ns`.
soap::Result<std::vector<const providers::ClassDecl*>> SelectClasses(
    const providers::Registry& registry, std::string_view ns,
    const soap::Request& request);

// Answers Enumerate on the class-schema URI: the EnumerateResponse (with
// the items that fit when OptimizeEnumeration asks), or a fault.
soap::Outcome EnumerateClassListing(const OperationContext& c,
                                    const providers::Registry& registry,
                                    EnumerationManager& enumerations,
                                    const CimEngineSettings& settings,
                                    std::string_view ns, std::string* out);

// Moves queued classes into `budget` bytes, at most `max_elements` (and
// `max_chars` characters when non-zero); never waits (everything was
// queued by Enumerate).
Batch CollectClasses(EnumerationContext& ec,
                     const providers::Registry& registry, size_t max_elements,
                     size_t max_chars, size_t budget) REQUIRES(ec.pull_mu);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_CLASS_LISTING_H_
