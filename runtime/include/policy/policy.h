/* The C API: the embedding API (policy.hpp) for C and for other languages' foreign-function
 * interfaces. Opaque handles, status codes, and error objects with messages; no C++ exception
 * ever crosses this boundary, and no call aborts the host on bad input.
 *
 * Conventions:
 *  - Every call that can fail returns a policy_status (POLICY_OK = 0). When it fails and `error`
 *    is not NULL, *error receives an error object the caller frees with policy_error_free().
 *  - Objects returned through `out` parameters are owned by the caller and freed with their
 *    *_free function. Freeing NULL is allowed.
 *  - Handles keep what they need alive: a decision, facts or evaluator stays valid after the set
 *    it came from is freed (or replaced by a hot reload), until it is freed itself.
 *  - Strings are UTF-8 and NUL-terminated; returned strings are owned by the object returned them.
 *  - A set, decision or finished facts may be shared by threads; an evaluator and a result are
 *    for one thread at a time.
 *
 * See docs/embedding.md and examples/embed-c. */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>

#if defined(POLICY_BUILDING_LIBRARY)
#define POLICY_C_API __attribute__((visibility("default")))
#else
#define POLICY_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum policy_status {
  POLICY_OK = 0,
  POLICY_ERR_INVALID_ARGUMENT = 1,  /* NULL handle, malformed date or path */
  POLICY_ERR_NOT_FOUND = 2,         /* no decision, field or enum member of that name */
  POLICY_ERR_TYPE_MISMATCH = 3,     /* a fact of the wrong type for its field */
  POLICY_ERR_COMPILE_FAILED = 4,    /* the policies do not compile (see the diagnostics) */
  POLICY_ERR_INVALID_INPUT = 5,     /* case JSON malformed, too large, too deep, wrong shape */
  POLICY_ERR_EVALUATION = 6,        /* a conflict between rules, overflow, ... */
  POLICY_ERR_STALE = 7,             /* a handle from another version of the policies */
  POLICY_ERR_IO = 8,                /* a file or directory could not be read or watched */
  POLICY_ERR_TESTS_FAILED = 9,      /* the policies' own tests fail */
  POLICY_ERR_INCOMPLETE_FACTS = 10, /* a required fact was never set */
  POLICY_ERR_INTERNAL = 99
} policy_status;

typedef struct policy_error policy_error;
typedef struct policy_set policy_set;
typedef struct policy_decision policy_decision;
typedef struct policy_field policy_field;
typedef struct policy_facts policy_facts;
typedef struct policy_evaluator policy_evaluator;
typedef struct policy_result policy_result;
typedef struct policy_live policy_live;

/* A calendar date. */
typedef struct policy_date {
  int32_t year;
  uint32_t month; /* 1..12 */
  uint32_t day;   /* 1..31 */
} policy_date;

/* ---- errors ---------------------------------------------------------------------------------- */
POLICY_C_API policy_status policy_error_code(const policy_error* error);
/* One line: what went wrong, with the first diagnostic's file:line:column when there is one. */
POLICY_C_API const char* policy_error_message(const policy_error* error);
POLICY_C_API size_t policy_error_diagnostic_count(const policy_error* error);
/* The i-th diagnostic rendered in full (source excerpt, labels, help), or NULL. */
POLICY_C_API const char* policy_error_diagnostic(const policy_error* error, size_t i);
POLICY_C_API void policy_error_free(policy_error* error);
/* "ok", "not_found", ... */
POLICY_C_API const char* policy_status_name(policy_status status);

/* ---- loading --------------------------------------------------------------------------------- */
/* Loads .policy files and directories (recursively). `require_tests_pass` != 0 refuses a set
 * whose own tests fail as of today. */
POLICY_C_API policy_status policy_set_load(const char* const* paths, size_t path_count,
                                           int require_tests_pass, policy_set** out, policy_error** error);
/* How policy_set_load_with loads: zero-initialise it ({0}), then set what you need. */
enum { POLICY_JIT_TIERED = 0, POLICY_JIT_QUICK = 1, POLICY_JIT_OPTIMIZED = 2 };
typedef struct policy_load_options {
  int require_tests_pass; /* != 0: refuse a set whose own tests fail as of today */
  int jit;                /* != 0: also compile the decisions to machine code with LLVM, when the
                             library was built with it (docs/jit.md); results are the same */
  int jit_tier;           /* with `jit`: POLICY_JIT_TIERED (quick code at once, optimised code
                             from a background thread), POLICY_JIT_QUICK or POLICY_JIT_OPTIMIZED */
} policy_load_options;
POLICY_C_API policy_status policy_set_load_with(const char* const* paths, size_t path_count,
                                                const policy_load_options* options, policy_set** out,
                                                policy_error** error);
/* With POLICY_JIT_TIERED: waits until the optimised machine code serves; the milliseconds its
 * compile took (0 for the other tiers and without the JIT). */
POLICY_C_API double policy_set_wait_for_optimized_code(const policy_set* set);
/* Loads one policy source held in memory (`path` is used in diagnostics only). */
POLICY_C_API policy_status policy_set_load_source(const char* path, const char* text, size_t length,
                                                  policy_set** out, policy_error** error);
POLICY_C_API void policy_set_free(policy_set* set);
POLICY_C_API uint64_t policy_set_version(const policy_set* set);
POLICY_C_API size_t policy_set_decision_count(const policy_set* set);
/* The i-th decision name in sorted order, or NULL; valid while the set lives. Exactly the decisions
 * policy_decision_find accepts (one case record in): parameters and constants are not listed. */
POLICY_C_API const char* policy_set_decision_name(const policy_set* set, size_t i);
/* Every parameter and constant with its value as of `as_of` ("YYYY-MM-DD"), as a JSON array of
 * {"name", "type", "is_constant", "in_effect", "value", "source", "doc"} sorted by name (the C++
 * PolicySet::parameters); *out_json is freed with policy_string_free. */
POLICY_C_API policy_status policy_set_parameters_json(const policy_set* set, const char* as_of,
                                                      char** out_json, policy_error** error);

POLICY_C_API policy_status policy_decision_find(const policy_set* set, const char* qualified_name,
                                                policy_decision** out, policy_error** error);
POLICY_C_API void policy_decision_free(policy_decision* decision);
POLICY_C_API const char* policy_decision_name(const policy_decision* decision);
/* 1 when evaluations without an explanation run machine code (a set loaded with `jit`), else 0;
 * and if not, why ("" without the JIT). The string is valid while the decision lives. */
POLICY_C_API int policy_decision_native(const policy_decision* decision);
POLICY_C_API const char* policy_decision_interpreted_because(const policy_decision* decision);

/* ---- facts ----------------------------------------------------------------------------------- */
/* A path into the decision's case record, resolved once: "programme.mode",
 * "employment.on_campus_timesheet[].hours". */
POLICY_C_API policy_status policy_field_find(const policy_decision* decision, const char* path,
                                             policy_field** out, policy_error** error);
POLICY_C_API void policy_field_free(policy_field* field);

/* An empty case record; every required fact must be set before evaluating. */
POLICY_C_API policy_status policy_facts_new(const policy_decision* decision, policy_facts** out,
                                            policy_error** error);
/* A case record read from JSON (the case-record schema). */
POLICY_C_API policy_status policy_facts_from_json(const policy_decision* decision, const char* json,
                                                  size_t length, policy_facts** out, policy_error** error);
POLICY_C_API void policy_facts_free(policy_facts* facts);

/* Setters. `indices`/`index_count` select list items where the field's path says `[]` (pass
 * NULL, 0 otherwise). Enum members are given by name; they are checked against the field. */
POLICY_C_API policy_status policy_facts_set_bool(policy_facts* facts, const policy_field* field, int value,
                                                 const size_t* indices, size_t index_count,
                                                 policy_error** error);
POLICY_C_API policy_status policy_facts_set_int(policy_facts* facts, const policy_field* field, int64_t value,
                                                const size_t* indices, size_t index_count,
                                                policy_error** error);
POLICY_C_API policy_status policy_facts_set_decimal(policy_facts* facts, const policy_field* field,
                                                    const char* decimal_text, const size_t* indices,
                                                    size_t index_count, policy_error** error);
POLICY_C_API policy_status policy_facts_set_text(policy_facts* facts, const policy_field* field,
                                                 const char* text, const size_t* indices, size_t index_count,
                                                 policy_error** error);
POLICY_C_API policy_status policy_facts_set_date(policy_facts* facts, const policy_field* field,
                                                 policy_date value, const size_t* indices, size_t index_count,
                                                 policy_error** error);
POLICY_C_API policy_status policy_facts_set_enum(policy_facts* facts, const policy_field* field,
                                                 const char* member, const size_t* indices,
                                                 size_t index_count, policy_error** error);
POLICY_C_API policy_status policy_facts_set_dates(policy_facts* facts, const policy_field* field,
                                                  const policy_date* values, size_t count,
                                                  const size_t* indices, size_t index_count,
                                                  policy_error** error);
POLICY_C_API policy_status policy_facts_resize(policy_facts* facts, const policy_field* list_field,
                                               size_t count, const size_t* indices, size_t index_count,
                                               policy_error** error);
POLICY_C_API policy_status policy_facts_clear(policy_facts* facts, const policy_field* field,
                                              const size_t* indices, size_t index_count,
                                              policy_error** error);

/* ---- evaluating ------------------------------------------------------------------------------ */
enum { POLICY_EXPLAIN_NONE = 0, POLICY_EXPLAIN_TEXT = 1, POLICY_EXPLAIN_JSON = 2 };

POLICY_C_API policy_status policy_evaluator_new(const policy_set* set, policy_evaluator** out,
                                                policy_error** error);
POLICY_C_API void policy_evaluator_free(policy_evaluator* evaluator);

/* Evaluates; *out receives a result that stays readable until freed. */
POLICY_C_API policy_status policy_evaluate(policy_evaluator* evaluator, const policy_decision* decision,
                                           const policy_facts* facts, policy_date as_of, int explain,
                                           policy_result** out, policy_error** error);
/* The JSON evaluation contract in one call: case JSON in, result JSON out
 * ({"decision", "as_of", "applicable", "value"[, "explanation"]}); *out_json is freed with
 * policy_string_free. */
POLICY_C_API policy_status policy_evaluate_json(policy_evaluator* evaluator, const policy_decision* decision,
                                                const char* case_json, size_t length, const char* as_of,
                                                int explain, char** out_json, policy_error** error);
POLICY_C_API void policy_string_free(char* text);

/* What policy_decide gives: the outcome without an explanation, with a scalar value in place. */
enum {
  POLICY_VALUE_NONE = 0,
  POLICY_VALUE_BOOL = 1, /* in int_value, 0 or 1 */
  POLICY_VALUE_INT = 2,  /* in int_value */
  POLICY_VALUE_DATE = 3, /* in date_value */
  POLICY_VALUE_OTHER = 4 /* decimals, text, enums, records, lists, sets: use policy_evaluate */
};
typedef struct policy_decided {
  int applicable; /* 0: no rule applied and there is no default (the value is none) */
  int in_effect;  /* 0: the date is outside the decision's effective period */
  int kind;       /* POLICY_VALUE_* */
  int64_t int_value;
  policy_date date_value;
} policy_decided;
/* policy_evaluate for hot loops: no explanation, nothing allocated, no error object. On failure
 * only the status (policy_evaluate on the same arguments gives the message). With a set loaded
 * with `jit`, one call into the decision's machine code. */
POLICY_C_API policy_status policy_decide(policy_evaluator* evaluator, const policy_decision* decision,
                                         const policy_facts* facts, policy_date as_of, policy_decided* out);

POLICY_C_API int policy_result_applicable(const policy_result* result);
POLICY_C_API int policy_result_in_effect(const policy_result* result);
/* Scalar readers: POLICY_ERR_TYPE_MISMATCH when the value is not of that kind (or is none). */
POLICY_C_API policy_status policy_result_bool(const policy_result* result, int* out);
POLICY_C_API policy_status policy_result_int(const policy_result* result, int64_t* out);
POLICY_C_API policy_status policy_result_date(const policy_result* result, policy_date* out);
/* The value in the catalogue's JSON encoding, the language's syntax, and the explanation (""
 * unless asked for); valid while the result lives. */
POLICY_C_API const char* policy_result_json(const policy_result* result);
POLICY_C_API const char* policy_result_text(const policy_result* result);
POLICY_C_API const char* policy_result_explanation(const policy_result* result);
POLICY_C_API void policy_result_free(policy_result* result);

/* ---- hot reload ------------------------------------------------------------------------------ */
/* Watches the paths; a change that compiles and whose tests pass replaces the serving version. */
POLICY_C_API policy_status policy_live_start(const char* const* paths, size_t path_count, policy_live** out,
                                             policy_error** error);
/* The version serving now, as a new set handle (free it). */
POLICY_C_API policy_set* policy_live_current(const policy_live* live);
POLICY_C_API uint64_t policy_live_generation(const policy_live* live);
/* Reloads now; POLICY_OK when the new version is serving, otherwise why it was refused. */
POLICY_C_API policy_status policy_live_reload(policy_live* live, policy_error** error);
POLICY_C_API void policy_live_free(policy_live* live);

#ifdef __cplusplus
}
#endif

#endif /* POLICY_POLICY_H */
