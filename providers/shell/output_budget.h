// One shell's budget for command output that was read from the pipes and
// not yet received by the client ([shell] max_output_per_shell_mb). Every
// command of the shell adds what it buffers and releases what Receive takes
// (or what Kill drops). Beyond the budget the host refuses new commands
// (w:QuotaLimit) and a stream that already holds its guaranteed first bytes
// stops reading its pipe (the process blocks on it) until some output of
// the shell is received; that guarantee keeps every command able to make
// progress, so waiting for one command never needs another to be received.
//
// Thread-safe. Callbacks returned by Release run on the caller's thread,
// which must hold no Command lock (they lock other commands). The budget's
// mutex is a leaf: a Command takes it under its own (Add, Release,
// ParkIfExhausted), and nothing is locked or called under it.
#ifndef WSMAND_PROVIDERS_SHELL_OUTPUT_BUDGET_H_
#define WSMAND_PROVIDERS_SHELL_OUTPUT_BUDGET_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "base/mutex.h"

namespace wsman::providers::shell {

class OutputBudget {
 public:
  // limit 0: no budget.
  explicit OutputBudget(size_t limit) : limit_(limit) {}
  OutputBudget(const OutputBudget&) = delete;
  OutputBudget& operator=(const OutputBudget&) = delete;

  size_t limit() const { return limit_; }
  size_t used() const EXCLUDES(mu_);
  bool Exhausted() const EXCLUDES(mu_);

  void Add(size_t bytes) EXCLUDES(mu_);
  // Gives bytes back; when that leaves room, returns the parked callbacks
  // for the caller to run once it holds no Command lock.
  [[nodiscard]] std::vector<std::function<void()>> Release(size_t bytes)
      EXCLUDES(mu_);
  // While the budget is exhausted, keeps `resume` to be returned by a later
  // Release and answers true; answers false (and keeps nothing) when there
  // is room, so no wake-up can be lost between the check and the park.
  bool ParkIfExhausted(std::function<void()> resume) EXCLUDES(mu_);

 private:
  const size_t limit_;
  mutable base::Mutex mu_;
  size_t used_ GUARDED_BY(mu_) = 0;
  std::vector<std::function<void()>> parked_ GUARDED_BY(mu_);
};

// Runs what Release returned.
inline void RunAll(std::vector<std::function<void()>> callbacks) {
  for (auto& f : callbacks) f();
}

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_OUTPUT_BUDGET_H_
