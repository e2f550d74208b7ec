// The C API over the C++ embedding API. Each handle is a small struct owning its C++ object;
// every entry point checks its pointers and converts any exception into a status, because an
// exception crossing into C (or Python's ctypes, or Go's cgo) would abort the host.
#include "policy/policy.h"

#include <cstring>
#include <new>

#include "policy/policy.hpp"

namespace api = policy::api;

struct policy_error {
  policy_status status = POLICY_ERR_INTERNAL;
  std::string message;
  std::vector<std::string> rendered;
};
struct policy_set {
  api::PolicySet set;
  std::vector<std::string> names;
};
struct policy_decision {
  api::Decision decision;
  std::string interpreted_because;  // kept for policy_decision_interpreted_because
};
struct policy_field {
  api::Decision decision;  // enum members are resolved through it
  api::Field field;
};
struct policy_facts {
  api::Facts facts;
};
struct policy_evaluator {
  api::Evaluator evaluator;
};
struct policy_result {
  api::Outcome outcome;
  std::string json;
  std::string text;
};
struct policy_live {
  std::unique_ptr<api::LivePolicySet> live;
};

namespace {

auto ToStatus(api::ErrorCode code) -> policy_status {
  switch (code) {
    case api::ErrorCode::kInvalidArgument:
      return POLICY_ERR_INVALID_ARGUMENT;
    case api::ErrorCode::kNotFound:
      return POLICY_ERR_NOT_FOUND;
    case api::ErrorCode::kTypeMismatch:
      return POLICY_ERR_TYPE_MISMATCH;
    case api::ErrorCode::kCompileFailed:
      return POLICY_ERR_COMPILE_FAILED;
    case api::ErrorCode::kInvalidInput:
      return POLICY_ERR_INVALID_INPUT;
    case api::ErrorCode::kEvaluationFailed:
      return POLICY_ERR_EVALUATION;
    case api::ErrorCode::kStale:
      return POLICY_ERR_STALE;
    case api::ErrorCode::kIo:
      return POLICY_ERR_IO;
    case api::ErrorCode::kTestsFailed:
      return POLICY_ERR_TESTS_FAILED;
    case api::ErrorCode::kIncompleteFacts:
      return POLICY_ERR_INCOMPLETE_FACTS;
    case api::ErrorCode::kInternal:
      return POLICY_ERR_INTERNAL;
  }
  return POLICY_ERR_INTERNAL;
}

auto Fail(policy_error** error, policy_status status, std::string message,
          const std::vector<api::Diagnostic>& diagnostics = {}) -> policy_status {
  if (error != nullptr) {
    auto* e = new (std::nothrow) policy_error();
    if (e != nullptr) {
      e->status = status;
      e->message = std::move(message);
      for (const api::Diagnostic& d : diagnostics) {
        e->rendered.push_back(d.rendered);
      }
    }
    *error = e;
  }
  return status;
}

auto Fail(policy_error** error, const api::Error& e) -> policy_status {
  return Fail(error, ToStatus(e.code), e.message, e.diagnostics);
}

auto Null(policy_error** error, const char* what) -> policy_status {
  return Fail(error, POLICY_ERR_INVALID_ARGUMENT, std::string(what) + " is NULL");
}

// Runs `body`, turning any escaping exception into POLICY_ERR_INTERNAL.
template <typename Body>
auto Guard(policy_error** error, Body body) -> policy_status {
  if (error != nullptr) {
    *error = nullptr;
  }
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(error, POLICY_ERR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return Fail(error, POLICY_ERR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(error, POLICY_ERR_INTERNAL, "internal error");
  }
}

auto ToDate(policy_date d) -> api::Date {
  return api::Date{std::chrono::year{d.year}, std::chrono::month{d.month}, std::chrono::day{d.day}};
}

auto Indices(const size_t* indices, size_t count) -> std::span<const size_t> {
  return indices == nullptr ? std::span<const size_t>{} : std::span<const size_t>(indices, count);
}

auto Done(policy_error** error, const api::Status& s) -> policy_status {
  return s.ok() ? POLICY_OK : Fail(error, s.error());
}

// The paths of a load or watch; false when one is NULL.
auto CopyPaths(const char* const* paths, size_t count, std::vector<std::string>& out) -> bool {
  for (size_t i = 0; i < count; ++i) {
    if (paths[i] == nullptr) {
      return false;
    }
    out.emplace_back(paths[i]);
  }
  return true;
}

// The shared checks of every setter.
template <typename Set>
auto Setter(policy_facts* facts, const policy_field* field, const size_t* indices, size_t index_count,
            policy_error** error, Set set) -> policy_status {
  return Guard(error, [&] {
    if (facts == nullptr || field == nullptr) {
      return Null(error, facts == nullptr ? "facts" : "field");
    }
    if (indices == nullptr && index_count > 0) {
      // Reading `index_count` indices from NULL would crash; treating them as none would set the
      // wrong item.
      return Fail(error, POLICY_ERR_INVALID_ARGUMENT,
                  "indices is NULL but index_count is " + std::to_string(index_count));
    }
    return Done(error, set(facts->facts, field->field));
  });
}

}  // namespace

extern "C" {

auto policy_error_code(const policy_error* error) -> policy_status {
  return error != nullptr ? error->status : POLICY_OK;
}
auto policy_error_message(const policy_error* error) -> const char* {
  return error != nullptr ? error->message.c_str() : "";
}
auto policy_error_diagnostic_count(const policy_error* error) -> size_t {
  return error != nullptr ? error->rendered.size() : 0;
}
auto policy_error_diagnostic(const policy_error* error, size_t i) -> const char* {
  return error != nullptr && i < error->rendered.size() ? error->rendered[i].c_str() : nullptr;
}
void policy_error_free(policy_error* error) {
  delete error;
}

auto policy_status_name(policy_status status) -> const char* {
  switch (status) {
    case POLICY_OK:
      return "ok";
    case POLICY_ERR_INTERNAL:
      return "internal";
    default:
      break;
  }
  static const std::string_view kNames[] = {"ok",
                                            "invalid_argument",
                                            "not_found",
                                            "type_mismatch",
                                            "compile_failed",
                                            "invalid_input",
                                            "evaluation_failed",
                                            "stale",
                                            "io",
                                            "tests_failed",
                                            "incomplete_facts"};
  const auto i = static_cast<size_t>(status);
  return i < std::size(kNames) ? kNames[i].data() : "unknown";
}

auto policy_set_load(const char* const* paths, size_t path_count, int require_tests_pass, policy_set** out,
                     policy_error** error) -> policy_status {
  policy_load_options options{};
  options.require_tests_pass = require_tests_pass;
  return policy_set_load_with(paths, path_count, &options, out, error);
}

auto policy_set_load_with(const char* const* paths, size_t path_count, const policy_load_options* load,
                          policy_set** out, policy_error** error) -> policy_status {
  return Guard(error, [&] {
    if (out == nullptr || (paths == nullptr && path_count > 0) || load == nullptr) {
      return Null(error, out == nullptr ? "out" : load == nullptr ? "options" : "paths");
    }
    *out = nullptr;
    std::vector<std::string> list;
    if (!CopyPaths(paths, path_count, list)) {
      return Null(error, "a path");
    }
    api::LoadOptions options;
    options.require_tests_pass = load->require_tests_pass != 0;
    options.jit = load->jit != 0;
    switch (load->jit_tier) {
      case POLICY_JIT_TIERED:
        options.jit_tier = api::LoadOptions::JitTier::kTiered;
        break;
      case POLICY_JIT_QUICK:
        options.jit_tier = api::LoadOptions::JitTier::kQuick;
        break;
      case POLICY_JIT_OPTIMIZED:
        options.jit_tier = api::LoadOptions::JitTier::kOptimized;
        break;
      default:
        return Fail(error, POLICY_ERR_INVALID_ARGUMENT,
                    "options.jit_tier is not POLICY_JIT_TIERED, POLICY_JIT_QUICK or POLICY_JIT_OPTIMIZED");
    }
    auto set = api::PolicySet::Load(list, options);
    if (!set) {
      return Fail(error, set.error());
    }
    *out = new policy_set{std::move(*set), {}};
    (*out)->names = (*out)->set.decision_names();
    return POLICY_OK;
  });
}

auto policy_set_load_source(const char* path, const char* text, size_t length, policy_set** out,
                            policy_error** error) -> policy_status {
  return Guard(error, [&] {
    if (out == nullptr || path == nullptr || text == nullptr) {
      return Null(error, out == nullptr ? "out" : path == nullptr ? "path" : "text");
    }
    *out = nullptr;
    auto set = api::PolicySet::LoadSources({{path, std::string(text, length)}});
    if (!set) {
      return Fail(error, set.error());
    }
    *out = new policy_set{std::move(*set), {}};
    (*out)->names = (*out)->set.decision_names();
    return POLICY_OK;
  });
}

void policy_set_free(policy_set* set) {
  delete set;
}
auto policy_set_wait_for_optimized_code(const policy_set* set) -> double {
  try {
    return set != nullptr ? set->set.WaitForOptimizedCode() : 0.0;
  } catch (...) {  // nothing may cross into C
    return 0.0;
  }
}
auto policy_set_version(const policy_set* set) -> uint64_t {
  return set != nullptr ? set->set.version() : 0;
}
auto policy_set_decision_count(const policy_set* set) -> size_t {
  return set != nullptr ? set->names.size() : 0;
}
auto policy_set_decision_name(const policy_set* set, size_t i) -> const char* {
  return set != nullptr && i < set->names.size() ? set->names[i].c_str() : nullptr;
}

namespace {

// A JSON string literal for text the engine produced (names, types, citations, doc comments).
void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xF];
      out += kHex[c & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

auto policy_set_parameters_json(const policy_set* set, const char* as_of, char** out_json,
                                policy_error** error) -> policy_status {
  return Guard(error, [&] {
    if (set == nullptr || as_of == nullptr || out_json == nullptr) {
      return Null(error, set == nullptr ? "set" : as_of == nullptr ? "as_of" : "out_json");
    }
    *out_json = nullptr;
    auto date = api::ParseDate(as_of);
    if (!date) {
      return Fail(error, date.error());
    }
    auto listed = set->set.parameters(*date);
    if (!listed) {
      return Fail(error, listed.error());
    }
    std::string json = "[";
    for (const api::ParameterValue& p : *listed) {
      if (json.size() > 1) {
        json += ',';
      }
      json += "{\"name\":";
      AppendJsonString(json, p.name);
      json += ",\"type\":";
      AppendJsonString(json, p.type);
      json += p.is_constant ? ",\"is_constant\":true" : ",\"is_constant\":false";
      json += p.in_effect ? ",\"in_effect\":true" : ",\"in_effect\":false";
      json += ",\"value\":" + p.value_json + ",\"source\":";
      AppendJsonString(json, p.source);
      json += ",\"doc\":";
      AppendJsonString(json, p.doc);
      json += '}';
    }
    json += ']';
    char* copy = static_cast<char*>(std::malloc(json.size() + 1));
    if (copy == nullptr) {
      return Fail(error, POLICY_ERR_INTERNAL, "out of memory");
    }
    std::memcpy(copy, json.c_str(), json.size() + 1);
    *out_json = copy;
    return POLICY_OK;
  });
}

auto policy_decision_find(const policy_set* set, const char* qualified_name, policy_decision** out,
                          policy_error** error) -> policy_status {
  return Guard(error, [&] {
    if (set == nullptr || qualified_name == nullptr || out == nullptr) {
      return Null(error, set == nullptr ? "set" : qualified_name == nullptr ? "qualified_name" : "out");
    }
    *out = nullptr;
    auto d = set->set.decision(qualified_name);
    if (!d) {
      return Fail(error, d.error());
    }
    *out = new policy_decision{std::move(*d), {}};
    (*out)->interpreted_because = (*out)->decision.interpreted_because();
    return POLICY_OK;
  });
}
void policy_decision_free(policy_decision* decision) {
  delete decision;
}
auto policy_decision_name(const policy_decision* decision) -> const char* {
  return decision != nullptr ? decision->decision.name().c_str() : "";
}
auto policy_decision_native(const policy_decision* decision) -> int {
  return decision != nullptr && decision->decision.native() ? 1 : 0;
}
auto policy_decision_interpreted_because(const policy_decision* decision) -> const char* {
  return decision != nullptr ? decision->interpreted_because.c_str() : "";
}

auto policy_field_find(const policy_decision* decision, const char* path, policy_field** out,
                       policy_error** error) -> policy_status {
  return Guard(error, [&] {
    if (decision == nullptr || path == nullptr || out == nullptr) {
      return Null(error, decision == nullptr ? "decision" : path == nullptr ? "path" : "out");
    }
    *out = nullptr;
    auto f = decision->decision.field(path);
    if (!f) {
      return Fail(error, f.error());
    }
    *out = new policy_field{decision->decision, std::move(*f)};
    return POLICY_OK;
  });
}
void policy_field_free(policy_field* field) {
  delete field;
}

auto policy_facts_new(const policy_decision* decision, policy_facts** out, policy_error** error)
    -> policy_status {
  return Guard(error, [&] {
    if (decision == nullptr || out == nullptr) {
      return Null(error, decision == nullptr ? "decision" : "out");
    }
    *out = nullptr;
    auto f = decision->decision.NewFacts();
    if (!f) {
      return Fail(error, f.error());
    }
    *out = new policy_facts{std::move(*f)};
    return POLICY_OK;
  });
}

auto policy_facts_from_json(const policy_decision* decision, const char* json, size_t length,
                            policy_facts** out, policy_error** error) -> policy_status {
  return Guard(error, [&] {
    if (decision == nullptr || json == nullptr || out == nullptr) {
      return Null(error, decision == nullptr ? "decision" : json == nullptr ? "json" : "out");
    }
    *out = nullptr;
    auto f = decision->decision.FactsFromJson(std::string_view(json, length));
    if (!f) {
      return Fail(error, f.error());
    }
    *out = new policy_facts{std::move(*f)};
    return POLICY_OK;
  });
}
void policy_facts_free(policy_facts* facts) {
  delete facts;
}

auto policy_facts_set_bool(policy_facts* facts, const policy_field* field, int value, const size_t* indices,
                           size_t index_count, policy_error** error) -> policy_status {
  return Setter(facts, field, indices, index_count, error, [&](api::Facts& f, const api::Field& fl) {
    return f.Set(fl, value != 0, Indices(indices, index_count));
  });
}
auto policy_facts_set_int(policy_facts* facts, const policy_field* field, int64_t value,
                          const size_t* indices, size_t index_count, policy_error** error) -> policy_status {
  return Setter(facts, field, indices, index_count, error, [&](api::Facts& f, const api::Field& fl) {
    return f.Set(fl, value, Indices(indices, index_count));
  });
}
auto policy_facts_set_decimal(policy_facts* facts, const policy_field* field, const char* decimal_text,
                              const size_t* indices, size_t index_count, policy_error** error)
    -> policy_status {
  if (decimal_text == nullptr) {
    return Null(error, "decimal_text");
  }
  return Setter(facts, field, indices, index_count, error, [&](api::Facts& f, const api::Field& fl) {
    return f.SetDecimal(fl, decimal_text, Indices(indices, index_count));
  });
}
auto policy_facts_set_text(policy_facts* facts, const policy_field* field, const char* text,
                           const size_t* indices, size_t index_count, policy_error** error) -> policy_status {
  if (text == nullptr) {
    return Null(error, "text");
  }
  return Setter(facts, field, indices, index_count, error, [&](api::Facts& f, const api::Field& fl) {
    return f.Set(fl, std::string_view(text), Indices(indices, index_count));
  });
}
auto policy_facts_set_date(policy_facts* facts, const policy_field* field, policy_date value,
                           const size_t* indices, size_t index_count, policy_error** error) -> policy_status {
  return Setter(facts, field, indices, index_count, error, [&](api::Facts& f, const api::Field& fl) {
    return f.Set(fl, ToDate(value), Indices(indices, index_count));
  });
}
auto policy_facts_set_enum(policy_facts* facts, const policy_field* field, const char* member,
                           const size_t* indices, size_t index_count, policy_error** error) -> policy_status {
  if (member == nullptr) {
    return Null(error, "member");
  }
  return Setter(facts, field, indices, index_count, error,
                [&](api::Facts& f, const api::Field& fl) -> api::Status {
                  auto e = field->decision.enum_value(fl, member);
                  if (!e) {
                    return e.error();
                  }
                  return f.Set(fl, *e, Indices(indices, index_count));
                });
}
auto policy_facts_set_dates(policy_facts* facts, const policy_field* field, const policy_date* values,
                            size_t count, const size_t* indices, size_t index_count, policy_error** error)
    -> policy_status {
  if (values == nullptr && count > 0) {
    return Null(error, "values");
  }
  return Setter(facts, field, indices, index_count, error, [&](api::Facts& f, const api::Field& fl) {
    std::vector<api::Date> dates;
    dates.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      dates.push_back(ToDate(values[i]));
    }
    return f.Set(fl, std::span<const api::Date>(dates), Indices(indices, index_count));
  });
}
auto policy_facts_resize(policy_facts* facts, const policy_field* list_field, size_t count,
                         const size_t* indices, size_t index_count, policy_error** error) -> policy_status {
  return Setter(facts, list_field, indices, index_count, error, [&](api::Facts& f, const api::Field& fl) {
    return f.Resize(fl, count, Indices(indices, index_count));
  });
}
auto policy_facts_clear(policy_facts* facts, const policy_field* field, const size_t* indices,
                        size_t index_count, policy_error** error) -> policy_status {
  return Setter(facts, field, indices, index_count, error, [&](api::Facts& f, const api::Field& fl) {
    return f.Clear(fl, Indices(indices, index_count));
  });
}

auto policy_evaluator_new(const policy_set* set, policy_evaluator** out, policy_error** error)
    -> policy_status {
  return Guard(error, [&] {
    if (set == nullptr || out == nullptr) {
      return Null(error, set == nullptr ? "set" : "out");
    }
    *out = new policy_evaluator{api::Evaluator(set->set)};
    return POLICY_OK;
  });
}
void policy_evaluator_free(policy_evaluator* evaluator) {
  delete evaluator;
}

namespace {
auto ToExplain(int explain) -> api::Explain {
  return explain == POLICY_EXPLAIN_TEXT   ? api::Explain::kText
         : explain == POLICY_EXPLAIN_JSON ? api::Explain::kJson
                                          : api::Explain::kNone;
}
}  // namespace

auto policy_evaluate(policy_evaluator* evaluator, const policy_decision* decision, const policy_facts* facts,
                     policy_date as_of, int explain, policy_result** out, policy_error** error)
    -> policy_status {
  return Guard(error, [&] {
    if (evaluator == nullptr || decision == nullptr || facts == nullptr || out == nullptr) {
      return Null(error, evaluator == nullptr  ? "evaluator"
                         : decision == nullptr ? "decision"
                         : facts == nullptr    ? "facts"
                                               : "out");
    }
    *out = nullptr;
    auto outcome =
        evaluator->evaluator.Evaluate(decision->decision, facts->facts, ToDate(as_of), ToExplain(explain));
    if (!outcome) {
      return Fail(error, outcome.error());
    }
    // Text, records and lists point into the evaluator: the result keeps its own renderings.
    auto* r = new policy_result{std::move(*outcome), {}, {}};
    r->json = r->outcome.value.to_json();
    r->text = r->outcome.value.to_string();
    *out = r;
    return POLICY_OK;
  });
}

auto policy_evaluate_json(policy_evaluator* evaluator, const policy_decision* decision, const char* case_json,
                          size_t length, const char* as_of, int explain, char** out_json,
                          policy_error** error) -> policy_status {
  return Guard(error, [&] {
    if (evaluator == nullptr || decision == nullptr || case_json == nullptr || as_of == nullptr ||
        out_json == nullptr) {
      return Null(error, evaluator == nullptr   ? "evaluator"
                         : decision == nullptr  ? "decision"
                         : case_json == nullptr ? "case_json"
                         : as_of == nullptr     ? "as_of"
                                                : "out_json");
    }
    *out_json = nullptr;
    auto date = api::ParseDate(as_of);
    if (!date) {
      return Fail(error, date.error());
    }
    auto json = evaluator->evaluator.EvaluateJson(decision->decision, std::string_view(case_json, length),
                                                  *date, ToExplain(explain));
    if (!json) {
      return Fail(error, json.error());
    }
    char* copy = static_cast<char*>(std::malloc(json->size() + 1));
    if (copy == nullptr) {
      return Fail(error, POLICY_ERR_INTERNAL, "out of memory");
    }
    std::memcpy(copy, json->c_str(), json->size() + 1);
    *out_json = copy;
    return POLICY_OK;
  });
}
void policy_string_free(char* text) {
  std::free(text);
}

auto policy_decide(policy_evaluator* evaluator, const policy_decision* decision, const policy_facts* facts,
                   policy_date as_of, policy_decided* out) -> policy_status {
  if (evaluator == nullptr || decision == nullptr || facts == nullptr || out == nullptr) {
    return POLICY_ERR_INVALID_ARGUMENT;
  }
  try {
    const api::Decided d = evaluator->evaluator.Decide(decision->decision, facts->facts, ToDate(as_of));
    if (!d) {
      return ToStatus(*d.error);
    }
    out->applicable = d.applicable ? 1 : 0;
    out->in_effect = d.in_effect ? 1 : 0;
    out->int_value = 0;
    out->date_value = policy_date{0, 0, 0};
    switch (d.value.kind()) {
      case api::Kind::kNone:
        out->kind = POLICY_VALUE_NONE;
        break;
      case api::Kind::kBool:
        out->kind = POLICY_VALUE_BOOL;
        out->int_value = d.value.as_bool() ? 1 : 0;
        break;
      case api::Kind::kInt:
        out->kind = POLICY_VALUE_INT;
        out->int_value = d.value.as_int();
        break;
      case api::Kind::kDate: {
        out->kind = POLICY_VALUE_DATE;
        const api::Date date = d.value.as_date();
        out->date_value = policy_date{static_cast<int32_t>(date.year()), static_cast<uint32_t>(date.month()),
                                      static_cast<uint32_t>(date.day())};
        break;
      }
      default:
        out->kind = POLICY_VALUE_OTHER;
        break;
    }
    return POLICY_OK;
  } catch (...) {  // nothing may cross into C
    return POLICY_ERR_INTERNAL;
  }
}

auto policy_result_applicable(const policy_result* result) -> int {
  return result != nullptr && result->outcome.applicable ? 1 : 0;
}
auto policy_result_in_effect(const policy_result* result) -> int {
  return result != nullptr && result->outcome.in_effect ? 1 : 0;
}
auto policy_result_bool(const policy_result* result, int* out) -> policy_status {
  if (result == nullptr || out == nullptr || result->outcome.value.kind() != api::Kind::kBool) {
    return result == nullptr || out == nullptr ? POLICY_ERR_INVALID_ARGUMENT : POLICY_ERR_TYPE_MISMATCH;
  }
  *out = result->outcome.value.as_bool() ? 1 : 0;
  return POLICY_OK;
}
auto policy_result_int(const policy_result* result, int64_t* out) -> policy_status {
  if (result == nullptr || out == nullptr || result->outcome.value.kind() != api::Kind::kInt) {
    return result == nullptr || out == nullptr ? POLICY_ERR_INVALID_ARGUMENT : POLICY_ERR_TYPE_MISMATCH;
  }
  *out = result->outcome.value.as_int();
  return POLICY_OK;
}
auto policy_result_date(const policy_result* result, policy_date* out) -> policy_status {
  if (result == nullptr || out == nullptr || result->outcome.value.kind() != api::Kind::kDate) {
    return result == nullptr || out == nullptr ? POLICY_ERR_INVALID_ARGUMENT : POLICY_ERR_TYPE_MISMATCH;
  }
  const api::Date d = result->outcome.value.as_date();
  *out = policy_date{static_cast<int32_t>(d.year()), static_cast<uint32_t>(d.month()),
                     static_cast<uint32_t>(d.day())};
  return POLICY_OK;
}
auto policy_result_json(const policy_result* result) -> const char* {
  return result != nullptr ? result->json.c_str() : "null";
}
auto policy_result_text(const policy_result* result) -> const char* {
  return result != nullptr ? result->text.c_str() : "";
}
auto policy_result_explanation(const policy_result* result) -> const char* {
  return result != nullptr ? result->outcome.explanation.c_str() : "";
}
void policy_result_free(policy_result* result) {
  delete result;
}

auto policy_live_start(const char* const* paths, size_t path_count, policy_live** out, policy_error** error)
    -> policy_status {
  return Guard(error, [&] {
    if (out == nullptr || (paths == nullptr && path_count > 0)) {
      return Null(error, out == nullptr ? "out" : "paths");
    }
    *out = nullptr;
    std::vector<std::string> list;
    if (!CopyPaths(paths, path_count, list)) {
      return Null(error, "a path");
    }
    auto live = api::LivePolicySet::Start(list);
    if (!live) {
      return Fail(error, live.error());
    }
    *out = new policy_live{std::move(*live)};
    return POLICY_OK;
  });
}

auto policy_live_current(const policy_live* live) -> policy_set* {
  if (live == nullptr) {
    return nullptr;
  }
  try {
    auto* set = new policy_set{live->live->current(), {}};
    set->names = set->set.decision_names();
    return set;
  } catch (...) {
    return nullptr;
  }
}

auto policy_live_generation(const policy_live* live) -> uint64_t {
  return live != nullptr ? live->live->generation() : 0;
}

auto policy_live_reload(policy_live* live, policy_error** error) -> policy_status {
  return Guard(error, [&] {
    if (live == nullptr) {
      return Null(error, "live");
    }
    const api::ReloadEvent event = live->live->ReloadNow();
    return event.swapped ? POLICY_OK : Fail(error, *event.error);
  });
}

void policy_live_free(policy_live* live) {
  delete live;
}

}  // extern "C"
