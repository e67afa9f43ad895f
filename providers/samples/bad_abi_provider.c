/* A provider module built for another ABI version: wsmand must refuse it
 * (tests/integration/test_cim_sample_so.py). */
#include "providers/abi/wsmand_provider.h"

static const wsmand_class_decl kClasses[] = {
    {"root/cimv2", "WSMAN_FromTheFuture", NULL, 0, NULL, 0},
};

static const wsmand_provider_module kModule = {
    WSMAND_PROVIDER_ABI_VERSION + 98,     "from-the-future", kClasses, 1, NULL,
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

const wsmand_provider_module *wsmand_provider_register(
    const wsmand_host_api *h) {
  (void)h;
  return &kModule;
}
