/* A provider module built for another ABI major (99): wsmand must refuse it
 * (tests/integration/test_cim_sample_so.py, tests/unit/loader_test.cc).
 * Built twice more: -DSHORT_STRUCT claims minor 1 with a struct_size below
 * that minor's layout (refused too); -DFUTURE_MINOR claims minor 7 with a
 * larger struct than this wsmand knows (loaded, the extra fields ignored). */
#include <wsmand/provider.h>

#if defined(FUTURE_MINOR)
#define VERSION WSMAND_PROVIDER_ABI(WSMAND_PROVIDER_ABI_MAJOR, 7)
#define CLASS "WSMAN_FromAFutureMinor"
#define SIZE sizeof(struct future_module)
#elif defined(SHORT_STRUCT)
#define VERSION WSMAND_PROVIDER_ABI(WSMAND_PROVIDER_ABI_MAJOR, 1)
#define CLASS "WSMAN_ShortStruct"
#define SIZE 8
#else
#define VERSION WSMAND_PROVIDER_ABI(99, 0)
#define CLASS "WSMAN_FromTheFuture"
#define SIZE sizeof(wsmand_provider_module)
#endif

static const wsmand_class_decl kClasses[] = {
    {"root/cimv2", CLASS, NULL, 0, NULL, 0},
};

/* A later minor's module: this layout, then fields this wsmand lacks. */
struct future_module {
  wsmand_provider_module known;
  void (*an_operation_of_minor_7)(void);
  const char *a_field_of_minor_7;
};

static const struct future_module kModule = {
    {VERSION,
     "abi-variant",
     kClasses,
     1,
     NULL,
     {NULL, NULL, NULL, NULL, NULL, NULL},
     SIZE},
    NULL,
    "ignored",
};

const wsmand_provider_module *wsmand_provider_register(
    const wsmand_host_api *h) {
  (void)h;
  return &kModule.known;
}
