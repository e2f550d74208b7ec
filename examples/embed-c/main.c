/* Embedding the engine from C (or any language with a C FFI): load, resolve, evaluate, explain,
 * and handle every error as a status with a message.
 *
 *   embed-c POLICY_DIR CASE.json */
#include <policy/policy.h>

#include <stdio.h>
#include <stdlib.h>

static char* read_file(const char* path, size_t* length) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  const long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* text = malloc((size_t)size + 1);
  if (text != NULL && fread(text, 1, (size_t)size, f) == (size_t)size) {
    text[size] = '\0';
    *length = (size_t)size;
  } else {
    free(text);
    text = NULL;
  }
  fclose(f);
  return text;
}

/* Prints an error with its diagnostics, frees it, returns 1. */
static int fail(policy_status status, policy_error* error) {
  fprintf(stderr, "error (%s): %s\n", policy_status_name(status), policy_error_message(error));
  for (size_t i = 0; i < policy_error_diagnostic_count(error); ++i) {
    fputs(policy_error_diagnostic(error, i), stderr);
  }
  policy_error_free(error);
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: embed-c POLICY_DIR CASE.json\n");
    return 2;
  }
  policy_error* error = NULL;
  policy_set* set = NULL;
  const char* paths[] = {argv[1]};
  /* With the JIT (when the library was built with LLVM): the quick tier, as suits a short-lived
   * process; a service would keep the default, POLICY_JIT_TIERED. */
  policy_load_options options = {0};
  options.jit = 1;
  options.jit_tier = POLICY_JIT_QUICK;
  policy_status status = policy_set_load_with(paths, 1, &options, &set, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  policy_decision* decision = NULL;
  status = policy_decision_find(set, "hk.entry.applicant_documents", &decision, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  size_t length = 0;
  char* json = read_file(argv[2], &length);
  if (json == NULL) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 2;
  }
  policy_evaluator* evaluator = NULL;
  status = policy_evaluator_new(set, &evaluator, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }

  /* The JSON contract in one call. */
  char* out = NULL;
  status = policy_evaluate_json(evaluator, decision, json, length, "2025-09-01", POLICY_EXPLAIN_NONE, &out,
                                &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  printf("%s\n", out);
  policy_string_free(out);

  /* Facts read once, one fact changed through a typed field, evaluated with an explanation. */
  policy_facts* facts = NULL;
  status = policy_facts_from_json(decision, json, length, &facts, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  policy_field* birth = NULL;
  status = policy_field_find(decision, "applicant.date_of_birth", &birth, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  const policy_date minor = {2010, 5, 1};
  status = policy_facts_set_date(facts, birth, minor, NULL, 0, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  policy_result* result = NULL;
  const policy_date as_of = {2025, 9, 1};
  status = policy_evaluate(evaluator, decision, facts, as_of, POLICY_EXPLAIN_TEXT, &result, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  printf("born 2010-05-01: %s\n\n%s\n", policy_result_json(result), policy_result_explanation(result));
  policy_result_free(result);

  /* Bad input is a status, never a crash: a fact of the wrong type. */
  status = policy_facts_set_int(facts, birth, 42, NULL, 0, &error);
  printf("setting a date to 42: %s: %s\n", policy_status_name(status), policy_error_message(error));
  policy_error_free(error);

  /* The hot-loop form: no explanation, nothing allocated, a scalar value in place. */
  policy_decision* allowed = NULL;
  status = policy_decision_find(set, "hk.employment.part_time_on_campus_allowed", &allowed, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  policy_facts* case_facts = NULL;
  status = policy_facts_from_json(allowed, json, length, &case_facts, &error);
  if (status != POLICY_OK) {
    return fail(status, error);
  }
  int allowed_count = 0;
  for (int i = 0; i < 1000; ++i) {
    policy_decided decided;
    status = policy_decide(evaluator, allowed, case_facts, as_of, &decided);
    if (status != POLICY_OK) {
      fprintf(stderr, "policy_decide: %s\n", policy_status_name(status));
      return 1;
    }
    allowed_count += decided.kind == POLICY_VALUE_BOOL && decided.int_value != 0;
  }
  printf("part-time work on campus allowed in %d of 1000 policy_decide calls (%s)\n", allowed_count,
         policy_decision_native(allowed) ? "machine code" : "interpreter");
  policy_facts_free(case_facts);
  policy_decision_free(allowed);

  policy_field_free(birth);
  policy_facts_free(facts);
  policy_evaluator_free(evaluator);
  policy_decision_free(decision);
  policy_set_free(set);
  free(json);
  return 0;
}
