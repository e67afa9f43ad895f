/* A module built against the frozen 1.0 layout (wsmand_provider_v1_0.h):
 * no struct_size, the host checked with abi_version == 1, as every module
 * written before 1.1 does. WSMAN_SampleV1 enumerates two instances and
 * writes a message (and one far over the log's cut) on the way. */
#include <string.h>

#include "providers/samples/wsmand_provider_v1_0.h"

static const wsmand_host_api *host;

static const wsmand_property_decl kProperties[] = {
    {"Id", WSMAND_UINT32, 0, 1, NULL},
    {"Layout", WSMAND_STRING, 0, 0, NULL},
};

static const wsmand_class_decl kClasses[] = {
    {"root/cimv2", "WSMAN_SampleV1", kProperties, 2, NULL, 0},
};

static void Enumerate(void *self, const wsmand_call *call,
                      wsmand_context *context) {
  static char long_text[4096];
  (void)self;
  (void)call;
  host->write_message(context, 1, "v1 module enumerating");
  memset(long_text, 'x', sizeof long_text - 1);
  host->write_message(context, 2, long_text);
  for (uint32_t id = 0; id < 2; ++id) {
    wsmand_instance *i = host->instance_new("WSMAN_SampleV1");
    host->set_unsigned(i, "Id", WSMAND_UINT32, id, 1);
    host->set_string(i, "Layout", "1.0", 0);
    int r = host->post_instance(context, i);
    host->instance_free(i);
    if (r != WSMAND_MI_RESULT_OK) break;
  }
  host->post_result(context, WSMAND_MI_RESULT_OK, NULL);
  /* After the result: refused. */
  if (host->write_message(context, 0, "too late") != WSMAND_MI_RESULT_FAILED) {
    host->write_message(context, 0, "write_message after the result worked");
  }
}

static const wsmand_provider_module kModule = {
    WSMAND_PROVIDER_ABI_VERSION, /* 1 in the 1.0 header */
    "sample-v1",
    kClasses,
    1,
    NULL,
    {Enumerate, NULL, NULL, NULL, NULL, NULL},
};

const wsmand_provider_module *wsmand_provider_register(
    const wsmand_host_api *h) {
  if (h->abi_version != WSMAND_PROVIDER_ABI_VERSION) return NULL;
  host = h;
  return &kModule;
}
