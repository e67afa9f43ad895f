#include "engine/cim/batch.h"

#include "soap/xml_writer.h"

namespace wsman::engine::cim {
namespace {

using providers::Instance;

std::string SerializeItem(const EnumerationContext& ec, const Instance& inst,
                          const ClassResolver& resolver) {
  std::string ns =
      inst.namespace_name().empty() ? ec.namespace_name : inst.namespace_name();
  // "" = each instance's own class URI, in the request's family.
  std::string uri = ec.resource_uri.empty()
                        ? resolver(inst.class_name(), ns).resource_uri
                        : ec.resource_uri;
  const bool wmi = ec.family == UriFamily::kWmi;
  std::string s;
  s.reserve(1024);
  soap::XmlWriter xml(&s);
  auto write_object = [&] {
    const std::vector<std::string>* projection = ec.filter.projection();
    if (wmi && projection) {
      WriteProjectionFragment(xml, inst, *projection, &resolver);
      return;
    }
    WriteOptions o;
    o.class_uri = uri;
    o.resolver = &resolver;
    o.property_list = projection;
    WriteInstance(xml, inst, o);
  };
  auto write_epr = [&] {
    xml.Open("a:EndpointReference");
    WriteEprContent(xml, ec.address, uri, inst, ns, &resolver, !wmi);
    xml.Close();
  };
  switch (ec.mode) {
    case EnumerationMode::kObject:
      write_object();
      break;
    case EnumerationMode::kEpr:
      write_epr();
      break;
    case EnumerationMode::kObjectAndEpr:
      xml.Open("w:Item");
      write_object();
      write_epr();
      xml.Close();
      break;
  }
  return s;
}

}  // namespace

bool TakePending(EnumerationContext& ec, size_t max_chars, size_t budget,
                 Batch* b) {
  size_t size = ec.pending->size();
  bool fits = b->items.size() + size <= budget &&
              (max_chars == 0 || b->items.size() + size <= max_chars);
  if (!fits) {
    if (b->count == 0) b->too_big = true;
    return false;
  }
  b->items += *ec.pending;
  ec.pending.reset();
  ++b->count;
  ec.items_sent.fetch_add(1, std::memory_order_relaxed);
  return true;
}

Batch Collect(EnumerationContext& ec, const ClassResolver& resolver,
              size_t max_elements, size_t max_chars, size_t budget,
              std::chrono::steady_clock::time_point deadline,
              const std::stop_token& cancel) {
  Batch b;
  // Once the first item is in, more are awaited only briefly: a response
  // returns what is ready rather than waiting to fill up.
  std::chrono::steady_clock::time_point batch_deadline = deadline;
  for (;;) {
    if (b.count >= max_elements) break;
    if (!ec.pending) {
      std::optional<providers::Posted> p = ec.mi->TryTake();
      if (!p) {
        if (ec.mi->IsCancelled()) {
          b.cancelled = true;
          break;
        }
        if (ec.mi->Drained()) break;
        if (b.count > 0) {
          if (!ec.mi->WaitReady(batch_deadline, cancel)) break;
          continue;
        }
        if (!ec.mi->WaitReady(deadline, cancel)) {
          b.timed_out = true;
          break;
        }
        continue;
      }
      if (p->indication || !ec.filter.Matches(p->instance)) continue;
      ec.pending = SerializeItem(ec, p->instance, resolver);
    }
    if (!TakePending(ec, max_chars, budget, &b)) break;
    if (b.count == 1) {
      batch_deadline =
          std::min(deadline, std::chrono::steady_clock::now() + kBatchWindow);
    }
  }
  b.end = !ec.pending && ec.mi->Drained();
  return b;
}

}  // namespace wsman::engine::cim
