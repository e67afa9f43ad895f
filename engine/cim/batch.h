// Item batching for EnumerateResponse (optimized) and PullResponse: moving
// instances from an enumeration's provider queue into a response's byte and
// element budget, serialised in the context's mode (object, EPR, or both)
// with its filter and projection applied (DSP0226 8.2.3, 8.4).
//
// Thread rules: Collect runs on the request's worker thread with the
// context's pull_mu held (one Pull at a time); it waits on the provider's
// Context, which the provider thread fills.
#ifndef WSMAND_ENGINE_CIM_BATCH_H_
#define WSMAND_ENGINE_CIM_BATCH_H_

#include <chrono>
#include <stop_token>
#include <string>

#include "engine/cim/cim_xml.h"
#include "engine/cim/enumeration.h"

namespace wsman::engine::cim {

// Bytes kept free for what follows the items: </n:Items> is already
// counted by the writer; <n:EndOfSequence/> and a little slack are not.
inline constexpr size_t kTailReserve = 64;
// How long a response waits for more items once it has one.
inline constexpr std::chrono::milliseconds kBatchWindow{50};

struct Batch {
  std::string items;
  size_t count = 0;
  bool end = false;        // drained and the result posted
  bool timed_out = false;  // nothing arrived before the deadline
  bool too_big = false;    // the next item alone exceeds the budget
  bool cancelled = false;  // released or expired meanwhile
};

// Moves `ec.pending` into `b` when it fits `budget` bytes (and `max_chars`
// when non-zero) and counts it; false when it does not (b->too_big when it
// would have been the first item), leaving it pending. Collect and the
// class listing's CollectClasses share it.
bool TakePending(EnumerationContext& ec, size_t max_chars, size_t budget,
                 Batch* b) REQUIRES(ec.pull_mu);

// Moves items from the provider's queue into `budget` bytes: at most
// `max_elements` (and `max_chars` characters when non-zero), waiting until
// `deadline` only for the first one, then at most kBatchWindow for more.
// A `cancel` request (the client left) ends the wait as the deadline
// would, taking nothing more. An item that does not fit stays in
// `ec.pending` for the next response. `resolver` (the context's URI
// family's) names classes and references.
Batch Collect(EnumerationContext& ec, const ClassResolver& resolver,
              size_t max_elements, size_t max_chars, size_t budget,
              std::chrono::steady_clock::time_point deadline,
              const std::stop_token& cancel) REQUIRES(ec.pull_mu);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_BATCH_H_
