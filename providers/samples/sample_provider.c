/* A sample loadable provider in C: the class WSMAN_SampleGreeting in
 * root/cimv2, three fixed instances, Get by Id, and a static method
 * Greet(Name) -> Greeting. Build it as a shared object against the
 * installed header and put it in the [providers] directory:
 *   cc -shared -fPIC $(pkg-config --cflags wsmand-provider) \
 *      -o sample_provider.so sample_provider.c
 * see docs/providers.md. */
#include <stdio.h>
#include <string.h>
#include <wsmand/provider.h>

static const wsmand_host_api *host;

static const wsmand_property_decl kProperties[] = {
    {"Id", WSMAND_UINT32, 0, 1, NULL},
    {"Text", WSMAND_STRING, 0, 0, NULL},
    {"Created", WSMAND_DATETIME, 0, 0, NULL},
    {"Languages", WSMAND_STRING, 1, 0, NULL},
};

static const wsmand_param_decl kGreetParams[] = {
    {"Name", WSMAND_STRING, 0, 1, 0},
    {"Greeting", WSMAND_STRING, 0, 0, 1},
};

static const wsmand_method_decl kMethods[] = {
    {"Greet", WSMAND_UINT32, 1, kGreetParams, 2},
};

static const wsmand_class_decl kClasses[] = {
    {"root/cimv2", "WSMAN_SampleGreeting", kProperties, 4, kMethods, 1},
};

static const char *const kTexts[] = {"hello", "bonjour", "hallo"};

static wsmand_instance *Greeting(uint32_t id) {
  static const char *const kLangs[] = {"en", "fr", "de"};
  wsmand_instance *i = host->instance_new("WSMAN_SampleGreeting");
  host->set_unsigned(i, "Id", WSMAND_UINT32, id, 1);
  host->set_string(i, "Text", kTexts[id], 0);
  host->set_datetime(i, "Created", "20240102030405.000000+000", 0);
  host->set_string_array(i, "Languages", kLangs + id, 1);
  return i;
}

static void Enumerate(void *self, const wsmand_call *call,
                      wsmand_context *context) {
  (void)self;
  (void)call;
  for (uint32_t id = 0; id < 3; ++id) {
    wsmand_instance *i = Greeting(id);
    int r = host->post_instance(context, i);
    host->instance_free(i);
    if (r != WSMAND_MI_RESULT_OK) break;
  }
  host->post_result(context, WSMAND_MI_RESULT_OK, NULL);
}

static void Get(void *self, const wsmand_call *call,
                const wsmand_instance *keys, wsmand_context *context) {
  uint64_t id = 0;
  (void)self;
  (void)call;
  if (host->get_unsigned(keys, "Id", &id) != 0 || id >= 3) {
    host->post_result(context, WSMAND_MI_RESULT_NOT_FOUND,
                      "No greeting with that Id.");
    return;
  }
  wsmand_instance *i = Greeting((uint32_t)id);
  host->post_instance(context, i);
  host->instance_free(i);
  host->post_result(context, WSMAND_MI_RESULT_OK, NULL);
}

static void Invoke(void *self, const wsmand_call *call, const char *method,
                   const wsmand_instance *target, const wsmand_instance *in,
                   wsmand_context *context) {
  const char *name = NULL;
  char text[256];
  (void)self;
  (void)call;
  (void)target;
  if (strcmp(method, "Greet") != 0) {
    host->post_result(context, WSMAND_MI_RESULT_METHOD_NOT_FOUND, NULL);
    return;
  }
  if (host->get_string(in, "Name", &name) != 0) {
    host->post_result(context, WSMAND_MI_RESULT_INVALID_PARAMETER,
                      "Name is required.");
    return;
  }
  snprintf(text, sizeof text, "Hello, %s!", name);
  wsmand_instance *out = host->instance_new("__Greet_OUTPUT");
  host->set_string(out, "Greeting", text, 0);
  host->set_unsigned(out, "ReturnValue", WSMAND_UINT32, 0, 0);
  host->post_instance(context, out);
  host->instance_free(out);
  host->post_result(context, WSMAND_MI_RESULT_OK, NULL);
}

static const wsmand_provider_module kModule = {
    WSMAND_PROVIDER_ABI_VERSION,
    "sample-greeting",
    kClasses,
    1,
    NULL,
    {Enumerate, Get, NULL, NULL, NULL, Invoke},
    sizeof(wsmand_provider_module),
};

const wsmand_provider_module *wsmand_provider_register(
    const wsmand_host_api *h) {
  /* The major only: h->abi_minor must not be read here (see the header). */
  if (h->abi_version != WSMAND_PROVIDER_ABI_MAJOR) return NULL;
  host = h;
  return &kModule;
}
