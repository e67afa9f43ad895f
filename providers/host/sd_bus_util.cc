#include "providers/host/sd_bus_util.h"

#include <cstring>

namespace wsman::providers::host {

std::string BusErrorHandle::Text(int r) const {
  if (e.message) return e.message;
  return std::strerror(r < 0 ? -r : r);
}

std::string ReadString(sd_bus_message* m) {
  const char* s = nullptr;
  if (sd_bus_message_read_basic(m, 's', &s) <= 0 || !s) return {};
  return s;
}

bool ProcessUntil(sd_bus* bus, const std::function<bool()>& done,
                  std::chrono::steady_clock::time_point deadline) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  while (!done()) {
    int r = sd_bus_process(bus, nullptr);
    if (r < 0) return false;
    if (r > 0) continue;
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    if (sd_bus_wait(bus, static_cast<uint64_t>(
                             duration_cast<microseconds>(left).count())) < 0) {
      return false;
    }
  }
  return true;
}

CallBatch::CallBatch(sd_bus* bus, const char* destination)
    : bus_(bus), destination_(destination) {}

void CallBatch::AddCall(const std::string& path, const char* interface,
                        const char* member, const std::string& arg,
                        Reader read) {
  Add(path, interface, member, "s", arg.c_str(), nullptr, std::move(read));
}

void CallBatch::AddGet(const std::string& path, const char* interface,
                       const char* property, const char* type, Reader read) {
  Add(path, "org.freedesktop.DBus.Properties", "Get", "ss", interface, property,
      [type, read = std::move(read)](sd_bus_message* m) {
        if (sd_bus_message_enter_container(m, 'v', type) > 0) read(m);
      });
}

void CallBatch::Add(const std::string& path, const char* interface,
                    const char* member, const char* signature, const char* arg1,
                    const char* arg2, Reader read) {
  auto call = std::make_unique<Call>();
  if (sd_bus_message_new_method_call(bus_, call->message.out(), destination_,
                                     path.c_str(), interface, member) < 0 ||
      (arg2
           ? sd_bus_message_append(call->message.get(), signature, arg1, arg2)
           : sd_bus_message_append(call->message.get(), signature, arg1)) < 0) {
    failed_ = true;
    return;
  }
  call->read = std::move(read);
  call->batch = this;
  calls_.push_back(std::move(call));
}

bool CallBatch::Run(std::chrono::steady_clock::time_point deadline) {
  if (failed_ || !SendMore()) return false;
  return ProcessUntil(
             bus_, [this] { return failed_ || in_flight_ == 0; }, deadline) &&
         !failed_;
}

bool CallBatch::SendMore() {
  while (in_flight_ < kWindow && next_ < calls_.size()) {
    Call& c = *calls_[next_++];
    if (sd_bus_call_async(bus_, c.slot.out(), c.message.get(),
                          &CallBatch::OnReply, &c, 0) < 0) {
      failed_ = true;
      return false;
    }
    ++in_flight_;
  }
  return true;
}

int CallBatch::OnReply(sd_bus_message* reply, void* userdata, sd_bus_error*) {
  Call& c = *static_cast<Call*>(userdata);
  CallBatch& batch = *c.batch;
  --batch.in_flight_;
  if (!sd_bus_message_is_method_error(reply, nullptr)) c.read(reply);
  batch.SendMore();
  return 1;
}

}  // namespace wsman::providers::host
