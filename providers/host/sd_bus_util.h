// sd-bus (libsystemd) handles with RAII, and a batch of calls sent
// together: many calls (Properties.Get and the like) in flight on one
// connection, so that reading a few properties of a hundred units costs
// about one round trip, not a hundred.
#ifndef WSMAND_PROVIDERS_HOST_SD_BUS_UTIL_H_
#define WSMAND_PROVIDERS_HOST_SD_BUS_UTIL_H_

#include <systemd/sd-bus.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wsman::providers::host {

// Owns one reference to an sd-bus object and drops it on destruction.
template <typename T, T* (*kUnref)(T*)>
class SdBusRef {
 public:
  SdBusRef() = default;
  SdBusRef(const SdBusRef&) = delete;
  SdBusRef& operator=(const SdBusRef&) = delete;
  ~SdBusRef() {
    if (p_) kUnref(p_);
  }
  T* get() const { return p_; }
  T** out() { return &p_; }  // for the sd-bus calls that make one

 private:
  T* p_ = nullptr;
};

using BusHandle = SdBusRef<sd_bus, sd_bus_flush_close_unref>;
using MessageHandle = SdBusRef<sd_bus_message, sd_bus_message_unref>;
using SlotHandle = SdBusRef<sd_bus_slot, sd_bus_slot_unref>;

struct BusErrorHandle {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  BusErrorHandle() = default;
  BusErrorHandle(const BusErrorHandle&) = delete;
  BusErrorHandle& operator=(const BusErrorHandle&) = delete;
  ~BusErrorHandle() { sd_bus_error_free(&e); }
  bool Is(const char* name) const { return sd_bus_error_has_name(&e, name); }
  // The error's message, else strerror(-r).
  std::string Text(int r) const;
};

// Reads a string ("s") at the reader's position; "" when it is not one.
std::string ReadString(sd_bus_message* m);

// Runs sd_bus_process/sd_bus_wait until `done()` or `deadline`; false when
// the deadline passed or the connection failed first.
bool ProcessUntil(sd_bus* bus, const std::function<bool()>& done,
                  std::chrono::steady_clock::time_point deadline);

// Method calls sent together on one connection, at most kWindow in flight
// (the system bus allows a connection 128 pending replies), in the order
// they were added. A call that fails is skipped: its reader is not called.
class CallBatch {
 public:
  static constexpr size_t kWindow = 64;
  using Reader = std::function<void(sd_bus_message*)>;

  CallBatch(sd_bus* bus, const char* destination);
  CallBatch(const CallBatch&) = delete;
  CallBatch& operator=(const CallBatch&) = delete;

  // Queues `interface`.`member`(`arg`) on `path`; `read` gets the reply.
  void AddCall(const std::string& path, const char* interface,
               const char* member, const std::string& arg, Reader read);
  // Queues a Properties.Get of `interface`.`property`, whose D-Bus type is
  // `type`; `read` gets the reply positioned inside the variant.
  void AddGet(const std::string& path, const char* interface,
              const char* property, const char* type, Reader read);
  // Sends the queued calls and handles their replies; false when the
  // deadline passed or the connection failed before every reply came.
  bool Run(std::chrono::steady_clock::time_point deadline);

 private:
  struct Call {
    MessageHandle message;
    Reader read;
    CallBatch* batch;
    SlotHandle slot;  // unref'd with the batch: no callback after that
  };
  void Add(const std::string& path, const char* interface, const char* member,
           const char* signature, const char* arg1, const char* arg2,
           Reader read);
  static int OnReply(sd_bus_message* reply, void* userdata,
                     sd_bus_error* error);
  bool SendMore();

  sd_bus* bus_;
  const char* destination_;
  std::vector<std::unique_ptr<Call>> calls_;
  size_t next_ = 0;
  size_t in_flight_ = 0;
  bool failed_ = false;
};

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_SD_BUS_UTIL_H_
