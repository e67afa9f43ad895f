/* The C ABI for loadable wsmand providers (version 1.1), installed as
 * <wsmand/provider.h> (pkg-config: wsmand-provider).
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
 * operation functions. The module calls back into wsmand only through
 * `host`, so it needs no link-time dependency on the daemon.
 *
 * How the ABI grows (docs/providers.md, "ABI versions"):
 *  - A version is a major and a minor: WSMAND_PROVIDER_ABI(major, minor),
 *    the major in the low 16 bits. Version 1 (= 1.0) is the first layout.
 *  - A minor release only APPENDS: new fields at the end of
 *    wsmand_provider_module (after `ops`, which is frozen as it is) and at
 *    the end of wsmand_host_api. Nothing is removed, reordered or retyped.
 *  - wsmand loads a module of its major and any minor: fields the module's
 *    minor lacks read as zero / NULL (not supported); fields of a newer
 *    minor than wsmand knows are ignored. A module of another major is
 *    refused with a log line (event=provider-refused).
 *  - From minor 1 the module sets `struct_size` to
 *    sizeof(wsmand_provider_module); wsmand refuses a module whose
 *    struct_size is smaller than its minor's layout.
 *  - host->abi_version is always the major (modules of 1.0 compare it with
 *    1); host->abi_minor and host->struct_size (appended in 1.1) say which
 *    host functions exist. wsmand before 1.1 has neither field and refuses
 *    modules of minor >= 1 once their entry point returns, so an entry
 *    point must not read them; operation functions may.
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
#ifndef WSMAND_PROVIDER_ABI_H_
#define WSMAND_PROVIDER_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WSMAND_PROVIDER_ABI(major, minor) \
  ((uint32_t)(major) | ((uint32_t)(minor) << 16))
#define WSMAND_PROVIDER_ABI_MAJOR_OF(version) ((uint32_t)(version)&0xFFFFu)
#define WSMAND_PROVIDER_ABI_MINOR_OF(version) ((uint32_t)(version) >> 16)
#define WSMAND_PROVIDER_ABI_MAJOR 1u
#define WSMAND_PROVIDER_ABI_MINOR 1u
#define WSMAND_PROVIDER_ABI_VERSION \
  WSMAND_PROVIDER_ABI(WSMAND_PROVIDER_ABI_MAJOR, WSMAND_PROVIDER_ABI_MINOR)
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
  uint32_t abi_version; /* WSMAND_PROVIDER_ABI_MAJOR, for every minor */

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
  /* A line in the daemon log at debug level (event=provider-message;
   * channel 0 warning, 1 verbose, 2 debug; the text cut at 1,024 bytes).
   * Nothing reaches the client and nothing is kept. Returns
   * WSMAND_MI_RESULT_FAILED once the result was posted. */
  int (*write_message)(wsmand_context *c, unsigned channel,
                       const char *message);
  int (*is_cancelled)(wsmand_context *c);
  /* Keeps the call open past the operation function's return. */
  wsmand_context *(*context_retain)(wsmand_context *c);
  void (*context_release)(wsmand_context *c);

  /* ---- 1.1 */
  uint32_t abi_minor; /* WSMAND_PROVIDER_ABI_MINOR of this wsmand */
  size_t struct_size; /* sizeof(wsmand_host_api) of this wsmand */
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
  wsmand_provider_ops ops; /* frozen: new operations are appended below */

  /* ---- 1.1 */
  size_t struct_size; /* sizeof(wsmand_provider_module) */
} wsmand_provider_module;

typedef const wsmand_provider_module *(*wsmand_provider_register_fn)(
    const wsmand_host_api *host);

#ifdef __cplusplus
}
#endif

#endif /* WSMAND_PROVIDER_ABI_H_ */
