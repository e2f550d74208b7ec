// Decision::EvaluatePartial: the public face of runtime/analysis/partial.h (`policy eval
// --partial`), so an embedder, the server and the Python package ask "which facts are still
// needed?" of the same code as the command.
#include <fmt/format.h>

#include "runtime/analysis/partial.h"
#include "runtime/api/api_internal.h"
#include "runtime/engine/exact_json.h"

namespace policy::api {

using detail::MakeError;

auto Decision::EvaluatePartial(std::string_view case_json, Date as_of, unsigned timeout_ms) const
    -> Result<PartialOutcome> {
  if (!set_) {
    return MakeError(ErrorCode::kInvalidArgument, "the decision handle is empty");
  }
  const auto date = detail::ToEngineDate(as_of);
  if (!date) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the date does not exist or is outside the years 1 to 9999");
  }
  const Engine& engine = *set_->engine;
  PartialOptions options;
  options.as_of = *date;
  options.timeout_ms = timeout_ms;
  DiagnosticSink diags;
  const auto result = policy::EvaluatePartial(engine, index_, case_json, options, diags);
  if (!result) {
    auto diagnostics = detail::ToPublic(diags, engine.sources());
    std::string message =
        fmt::format("the case record cannot be read: {}", detail::Summary(diagnostics, "see diagnostics"));
    return MakeError(ErrorCode::kInvalidInput, std::move(message), std::move(diagnostics));
  }
  PartialOutcome out;
  switch (result->verdict) {
    case PartialResult::Verdict::kDecided:
      out.verdict = PartialOutcome::Verdict::kDecided;
      break;
    case PartialResult::Verdict::kUndecided:
      out.verdict = PartialOutcome::Verdict::kUndecided;
      break;
    case PartialResult::Verdict::kUnknown:
      out.verdict = PartialOutcome::Verdict::kUnknown;
      break;
  }
  out.missing = result->missing;
  out.value_json = result->value_json.empty() ? "null" : result->value_json;
  out.questions = result->questions;
  out.other_case_json = result->other_case_json;
  out.other_value_json = result->other_value_json.empty() ? "null" : result->other_value_json;
  out.json = exact_json::Dump(PartialResultJson(engine, index_, *result, *date));
  return out;
}

}  // namespace policy::api
