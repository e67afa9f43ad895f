// Builds the CIM side of the daemon from the configuration: the provider
// registry (test providers when enabled, .so providers from the provider
// directory), the CIM engine, and the provider layer's log sink.
#ifndef WSMAND_SERVER_CIM_SETUP_H_
#define WSMAND_SERVER_CIM_SETUP_H_

#include <memory>

#include "engine/cim/cim_engine.h"
#include "engine/dispatch.h"
#include "server/config.h"

namespace wsman::server {

// nullptr (after an error log line) when the providers cannot be set up.
std::shared_ptr<engine::cim::CimEngine> MakeCimEngine(const Config& config);

// Adds the engine's routes (engine::cim::CimRoutes) to the dispatch table.
void InstallCimEngine(engine::Dispatcher* dispatcher,
                      std::shared_ptr<engine::cim::CimEngine> engine);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_CIM_SETUP_H_
