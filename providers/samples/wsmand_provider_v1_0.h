/* FROZEN: the provider ABI exactly as version 1 (1.0) shipped, before the
 * growth rules of 1.1 (providers/abi/wsmand_provider.h). Do not edit: the
 * module built from it (v1_provider.c) proves a newer wsmand still loads
 * modules of the previous layout (tests/unit/loader_test.cc,
 * tests/integration/test_cim_sample_so.py). */
/* The C ABI for loadable wsmand providers (version 1).
 *
 * A provider module is a shared object in the configured provider
 * directory ([providers] directory). At start-up wsmand dlopen()s every
 * *.so there and calls its entry point
 *
 *   const wsmand_provider_module *wsmand_provider_register(
 *       const wsmand_host_api *host);
 *
 * which returns a static description: the ABI version it was built
 * against (WSMAND_PROVIDER_ABI_VERSION), the classes it serves and the
 * operation functions. A module built for another ABI version is refused
 * with a log line. The module calls back into wsmand only through `host`,
 * so it needs no link-time dependency on the daemon.
 *
 * The rules of MI apply (see docs/providers.md): every operation function
 * must end with exactly one host->post_result(context, ...), from any
 * thread; to finish after returning, keep the context with
 * host->context_retain() and host->context_release() it when done. A call
 * that returns without posting a result, and holds no retained context,
 * gets WSMAND_MI_RESULT_FAILED.
 *
 * Plain C99; no allocation crosses the boundary except through `host`.
 */
#ifndef WSMAND_PROVIDER_ABI_V1_0_FROZEN_H_
#define WSMAND_PROVIDER_ABI_V1_0_FROZEN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WSMAND_PROVIDER_ABI_VERSION 1u
#define WSMAND_PROVIDER_ENTRY "wsmand_provider_register"

/* MI result codes (MI.h values). */
enum {
  WSMAND_MI_RESULT_OK = 0,
  WSMAND_MI_RESULT_FAILED = 1,
  WSMAND_MI_RESULT_ACCESS_DENIED = 2,
  WSMAND_MI_RESULT_INVALID_NAMESPACE = 3,
  WSMAND_MI_RESULT_INVALID_PARAMETER = 4,
  WSMAND_MI_RESULT_INVALID_CLASS = 5,
  WSMAND_MI_RESULT_NOT_FOUND = 6,
  WSMAND_MI_RESULT_NOT_SUPPORTED = 7,
  WSMAND_MI_RESULT_ALREADY_EXISTS = 11,
  WSMAND_MI_RESULT_NO_SUCH_PROPERTY = 12,
  WSMAND_MI_RESULT_TYPE_MISMATCH = 13,
  WSMAND_MI_RESULT_METHOD_NOT_FOUND = 17,
  WSMAND_MI_RESULT_PULL_HAS_BEEN_ABANDONED = 23,
  WSMAND_MI_RESULT_SERVER_LIMITS_EXCEEDED = 27
};

/* CIM types, in the order of wsman::providers::CimType. */
typedef enum {
  WSMAND_BOOLEAN = 0,
  WSMAND_UINT8,
  WSMAND_SINT8,
  WSMAND_UINT16,
  WSMAND_SINT16,
  WSMAND_UINT32,
  WSMAND_SINT32,
  WSMAND_UINT64,
  WSMAND_SINT64,
  WSMAND_REAL32,
  WSMAND_REAL64,
  WSMAND_CHAR16,
  WSMAND_DATETIME,
  WSMAND_STRING,
  WSMAND_REFERENCE,
  WSMAND_INSTANCE
} wsmand_type;

typedef struct wsmand_instance wsmand_instance; /* opaque */
typedef struct wsmand_context wsmand_context;   /* opaque */

typedef struct {
  const char *name;
  wsmand_type type;
  int is_array;
  int is_key;
  const char *ref_class; /* references / embedded instances; may be NULL */
} wsmand_property_decl;

typedef struct {
  const char *name;
  wsmand_type type;
  int is_array;
  int in;
  int out;
} wsmand_param_decl;

typedef struct {
  const char *name;
  wsmand_type return_type;
  int is_static;
  const wsmand_param_decl *params;
  size_t param_count;
} wsmand_method_decl;

typedef struct {
  const char *namespace_name; /* e.g. "root/cimv2" */
  const char *name;           /* the class name */
  const wsmand_property_decl *properties;
  size_t property_count;
  const wsmand_method_decl *methods;
  size_t method_count;
} wsmand_class_decl;

/* What a call is about. Strings are valid for the call's duration. */
typedef struct {
  const char *namespace_name;
  const char *class_name;
  const char *user;           /* the authenticated user */
  const char *query_language; /* "" when no query */
  const char *query;
} wsmand_call;

/* Functions wsmand offers the module. Setters return 0 on success,
 * non-zero when the value does not fit the type or the name is empty.
 * Getters return 0 and fill *out, or non-zero when the property is
 * missing, null or of another type. Context functions return an MI
 * result. */
typedef struct {
  uint32_t abi_version;

  wsmand_instance *(*instance_new)(const char *class_name);
  void (*instance_free)(wsmand_instance *instance);
  int (*set_null)(wsmand_instance *i, const char *name, wsmand_type type,
                  int is_key);
  int (*set_boolean)(wsmand_instance *i, const char *name, int value,
                     int is_key);
  /* sint8..sint64 */
  int (*set_signed)(wsmand_instance *i, const char *name, wsmand_type type,
                    int64_t value, int is_key);
  /* uint8..uint64 and char16 (a UTF-16 code unit) */
  int (*set_unsigned)(wsmand_instance *i, const char *name, wsmand_type type,
                      uint64_t value, int is_key);
  int (*set_real)(wsmand_instance *i, const char *name, wsmand_type type,
                  double value, int is_key);
  int (*set_string)(wsmand_instance *i, const char *name, const char *utf8,
                    int is_key);
  /* CIM ("20240102030405.000000+000") or XML Schema form; an interval as
   * "ddddddddhhmmss.mmmmmm:000" or "P1DT2H". */
  int (*set_datetime)(wsmand_instance *i, const char *name, const char *text,
                      int is_key);
  int (*set_string_array)(wsmand_instance *i, const char *name,
                          const char *const *items, size_t count);

  const char *(*class_name)(const wsmand_instance *i);
  int (*get_string)(const wsmand_instance *i, const char *name,
                    const char **out); /* valid while `i` lives */
  int (*get_signed)(const wsmand_instance *i, const char *name, int64_t *out);
  int (*get_unsigned)(const wsmand_instance *i, const char *name,
                      uint64_t *out);
  int (*get_real)(const wsmand_instance *i, const char *name, double *out);
  int (*get_boolean)(const wsmand_instance *i, const char *name, int *out);

  /* Posts a copy of `instance` (the caller still owns and frees it).
   * Blocks while the client's queue is full; returns
   * WSMAND_MI_RESULT_PULL_HAS_BEEN_ABANDONED once the client went away. */
  int (*post_instance)(wsmand_context *c, const wsmand_instance *instance);
  /* Ends the call; `message` may be NULL. */
  int (*post_result)(wsmand_context *c, int result, const char *message);
  int (*write_message)(wsmand_context *c, unsigned channel,
                       const char *message);
  int (*is_cancelled)(wsmand_context *c);
  /* Keeps the call open past the operation function's return. */
  wsmand_context *(*context_retain)(wsmand_context *c);
  void (*context_release)(wsmand_context *c);
} wsmand_host_api;

/* Operation functions; NULL = not supported (answered
 * WSMAND_MI_RESULT_NOT_SUPPORTED). `self` is the module's own pointer. */
typedef struct {
  void (*enumerate_instances)(void *self, const wsmand_call *call,
                              wsmand_context *context);
  void (*get_instance)(void *self, const wsmand_call *call,
                       const wsmand_instance *keys, wsmand_context *context);
  void (*create_instance)(void *self, const wsmand_call *call,
                          const wsmand_instance *instance,
                          wsmand_context *context);
  void (*modify_instance)(void *self, const wsmand_call *call,
                          const wsmand_instance *instance,
                          wsmand_context *context);
  void (*delete_instance)(void *self, const wsmand_call *call,
                          const wsmand_instance *keys, wsmand_context *context);
  /* `target` is NULL for a static method. Post one instance with the out
   * parameters and "ReturnValue", then the result. */
  void (*invoke)(void *self, const wsmand_call *call, const char *method,
                 const wsmand_instance *target, const wsmand_instance *in,
                 wsmand_context *context);
} wsmand_provider_ops;

typedef struct {
  uint32_t abi_version; /* WSMAND_PROVIDER_ABI_VERSION */
  const char *name;     /* for log lines */
  const wsmand_class_decl *classes;
  size_t class_count;
  void *self;
  wsmand_provider_ops ops;
} wsmand_provider_module;

typedef const wsmand_provider_module *(*wsmand_provider_register_fn)(
    const wsmand_host_api *host);

#ifdef __cplusplus
}
#endif

#endif /* WSMAND_PROVIDER_ABI_V1_0_FROZEN_H_ */
