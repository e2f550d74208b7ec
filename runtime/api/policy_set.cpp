// PolicySet, Decision and Field: loading, resolving names once, and the shared helpers of the
// public API (errors, dates, diagnostics).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/fnv.h"
#include "runtime/api/api_internal.h"
#include "runtime/engine/exact_json.h"

namespace policy::api {
namespace detail {

auto NextVersion() -> uint64_t {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

auto ToEngineDate(Date d) -> std::optional<policy::Date> {
  if (!d.ok()) {
    return std::nullopt;
  }
  return policy::Date::FromCivil(static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                                 static_cast<unsigned>(d.day()));
}

auto FromEngineDate(policy::Date d) -> Date {
  return Date{std::chrono::sys_days{std::chrono::days{d.days()}}};
}

auto TodayUtc() -> Date {
  return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

auto ToPublic(const policy::Diagnostic& d, const SourceManager& sources) -> api::Diagnostic {
  api::Diagnostic out;
  out.code = GetKindInfo(d.code).code;
  out.severity = d.severity == policy::Severity::kError     ? api::Severity::kError
                 : d.severity == policy::Severity::kWarning ? api::Severity::kWarning
                                                            : api::Severity::kNote;
  out.message = d.message;
  out.json_path = d.json_path;
  if (d.primary.valid()) {
    const SourceBuffer& buffer = sources.Get(d.primary.file);
    const LineCol at = buffer.LineColAt(d.primary.begin);
    out.file = buffer.path();
    out.line = at.line;
    out.column = at.column;
  } else {
    out.file = d.file;
  }
  out.rendered = RenderDiagnostics({d}, sources, DiagFormat::kHuman);
  return out;
}

auto ToPublic(const DiagnosticSink& diags, const SourceManager& sources) -> std::vector<api::Diagnostic> {
  std::vector<api::Diagnostic> out;
  for (const policy::Diagnostic& d : diags.Sorted()) {
    out.push_back(ToPublic(d, sources));
  }
  return out;
}

auto MakeError(ErrorCode code, std::string message, std::vector<api::Diagnostic> diagnostics) -> Error {
  return Error{code, std::move(message), std::move(diagnostics), {}};
}

auto Summary(const std::vector<api::Diagnostic>& diagnostics, std::string_view fallback) -> std::string {
  for (const api::Diagnostic& d : diagnostics) {
    if (d.severity == api::Severity::kError) {
      // A policy error has a line and column; a case-record error has none (its message says
      // where in the text, when it can) but may have a JSON path.
      std::string where = d.file;
      if (!where.empty() && d.line > 0) {
        where += fmt::format(":{}:{}", d.line, d.column);
      }
      if (!d.json_path.empty()) {
        where += where.empty() ? d.json_path : " " + d.json_path;
      }
      if (where.empty()) {
        return fmt::format("{}: {}", d.code, d.message);
      }
      return fmt::format("{}: {}: {}", where, d.code, d.message);
    }
  }
  return std::string(fallback);
}

namespace {

// PolicySet::revision(): FNV-1a of each file's text, the hashes sorted (so neither the names
// nor the order the files were found in matter), then FNV-1a over them.
auto Revision(const SourceManager& sources) -> std::string {
  std::vector<uint64_t> files;
  files.reserve(sources.size());
  for (FileId id = 0; id < sources.size(); ++id) {
    files.push_back(Fnv1a64(sources.Get(id).text()));
  }
  std::sort(files.begin(), files.end());
  uint64_t all = kFnv1a64Basis;
  for (const uint64_t h : files) {
    all = Fnv1a64(std::string_view(reinterpret_cast<const char*>(&h), sizeof h), all);
  }
  return fmt::format("{:016x}", all);
}

auto FinishLoad(LoadResult loaded, const LoadOptions& options) -> Result<PolicySet> {
  std::vector<api::Diagnostic> diagnostics = ToPublic(loaded.diagnostics, *loaded.sources);
  if (!loaded.engine) {
    const size_t errors = loaded.diagnostics.error_count();
    std::string message = fmt::format("the policies do not compile ({} error{}): {}", errors,
                                      errors == 1 ? "" : "s", Summary(diagnostics, "see diagnostics"));
    return MakeError(ErrorCode::kCompileFailed, std::move(message), std::move(diagnostics));
  }
  auto impl = std::make_shared<SetImpl>();
  impl->engine = std::move(loaded.engine);
  impl->facts_keys.resize(impl->types().size());
  impl->version = NextVersion();
  impl->revision = Revision(impl->engine->sources());
  impl->warnings = std::move(diagnostics);
  if (options.require_tests_pass) {
    const Date as_of = options.tests_as_of.value_or(TodayUtc());
    PolicySet candidate = SetImpl::Wrap(impl);
    TestReport report = candidate.RunTests(as_of);
    if (report.failed > 0) {
      std::string message =
          fmt::format("{} of {} policy tests fail: {}", report.failed, report.failed + report.passed,
                      Summary(report.failures, "see diagnostics"));
      return MakeError(ErrorCode::kTestsFailed, std::move(message), std::move(report.failures));
    }
  }
  return SetImpl::Wrap(std::move(impl));
}

auto ToJitTier(LoadOptions::JitTier tier) -> JitTier {
  switch (tier) {
    case LoadOptions::JitTier::kQuick:
      return JitTier::kQuick;
    case LoadOptions::JitTier::kOptimized:
      return JitTier::kOptimized;
    case LoadOptions::JitTier::kTiered:
      break;
  }
  return JitTier::kTiered;
}

auto ToEngineOptions(const LoadOptions& options) -> EngineOptions {
  EngineOptions c;
  c.include_stdlib = options.include_stdlib;
  c.jit = options.jit;
  c.jit_tier = ToJitTier(options.jit_tier);
  return c;
}

}  // namespace

auto LoadSet(const std::vector<std::string>& paths, const LoadOptions& options) -> Result<PolicySet> {
  try {
    // The directories are walked once here; the engine then gets the files themselves. No policy
    // files at all is refused: for a live set it is far more likely a deployment caught half-way
    // than an intended empty policy.
    DiagnosticSink found;
    const std::vector<std::string> files = CollectPolicyFiles(paths, found);
    if (found.has_errors()) {
      // A path that does not exist or cannot be read: an I/O error, not a compile error.
      const auto sorted = found.Sorted();
      return MakeError(ErrorCode::kIo, sorted.front().message);
    }
    if (files.empty()) {
      std::string list;
      for (const std::string& p : paths) {
        list += fmt::format("{}`{}`", list.empty() ? "" : ", ", p);
      }
      return MakeError(ErrorCode::kIo, fmt::format("no .policy files in {}", list));
    }
    return FinishLoad(Engine::Load(files, ToEngineOptions(options)), options);
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kInternal, "out of memory while compiling the policies");
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, fmt::format("internal error while compiling: {}", e.what()));
  }
}

// The public header names the value kinds itself (it includes only the standard library); they
// are the engine's first eleven kinds, in the same order (core/kind.h), so a kind converts by value.
#define POLICY_SAME_KIND(k) static_assert(static_cast<int>(Kind::k) == static_cast<int>(policy::Kind::k));
POLICY_SAME_KIND(kNone)
POLICY_SAME_KIND(kBool)
POLICY_SAME_KIND(kInt)
POLICY_SAME_KIND(kDecimal)
POLICY_SAME_KIND(kText)
POLICY_SAME_KIND(kDate)
POLICY_SAME_KIND(kDuration)
POLICY_SAME_KIND(kEnum)
POLICY_SAME_KIND(kRecord)
POLICY_SAME_KIND(kList)
POLICY_SAME_KIND(kSet)
#undef POLICY_SAME_KIND

auto SetImpl::KindOf(const TypeTable& t, TypeId type) -> Kind {
  const policy::Kind kind = t.kind(t.Unwrap(type));
  return kind <= policy::Kind::kSet ? static_cast<Kind>(kind) : Kind::kNone;
}

auto SetImpl::MakeValue(TypeId type, const policy::Value& v) const -> api::Value {
  return MakeValue(type, KindOf(types(), type), v);
}

}  // namespace detail

using detail::MakeError;
using detail::SetImpl;

auto ErrorCodeName(ErrorCode code) -> std::string_view {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kTypeMismatch:
      return "type_mismatch";
    case ErrorCode::kCompileFailed:
      return "compile_failed";
    case ErrorCode::kInvalidInput:
      return "invalid_input";
    case ErrorCode::kEvaluationFailed:
      return "evaluation_failed";
    case ErrorCode::kStale:
      return "stale";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kTestsFailed:
      return "tests_failed";
    case ErrorCode::kIncompleteFacts:
      return "incomplete_facts";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

auto ParseDate(std::string_view text) -> Result<Date> {
  const auto d = policy::Date::Parse(text);
  if (!d) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("`{}` is not a date: write YYYY-MM-DD, years 1 to 9999", text));
  }
  return detail::FromEngineDate(*d);
}

auto FormatDate(Date date) -> std::string {
  if (const auto d = detail::ToEngineDate(date)) {
    return d->ToString();
  }
  return "invalid date";
}

// ---- PolicySet -------------------------------------------------------------------------------

auto PolicySet::Load(const std::vector<std::string>& paths, const LoadOptions& options) -> Result<PolicySet> {
  if (paths.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no policy files or directories given");
  }
  auto result = detail::LoadSet(paths, options);
  // A path that cannot be read is an I/O problem, not a compile error.
  if (!result.ok() && result.error().code == ErrorCode::kCompileFailed) {
    for (const Diagnostic& d : result.error().diagnostics) {
      if (d.code == "E0100") {
        Error e = result.error();
        e.code = ErrorCode::kIo;
        return e;
      }
    }
  }
  return result;
}

auto PolicySet::LoadSources(const std::vector<SourceFile>& files, const LoadOptions& options)
    -> Result<PolicySet> {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(files.size());
  for (const SourceFile& f : files) {
    pairs.emplace_back(f.path, f.text);
  }
  const EngineOptions c = detail::ToEngineOptions(options);
  try {
    return detail::FinishLoad(Engine::LoadSources(pairs, c), options);
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kInternal, "out of memory while compiling the policies");
  }
}

auto PolicySet::warnings() const -> std::vector<Diagnostic> {
  return impl_ ? impl_->warnings : std::vector<Diagnostic>{};
}

namespace {

// What decision() evaluates: a decision (not a parameter) of one case record.
auto TakesOneCaseRecord(const ir::Decision& d, const TypeTable& types) -> bool {
  return !d.is_parameter && d.params.size() == 1 && types.kind(d.params[0]) == policy::Kind::kRecord;
}

}  // namespace

auto PolicySet::decision_names() const -> std::vector<std::string> {
  std::vector<std::string> names;
  if (!impl_) {
    return names;
  }
  const TypeTable& types = impl_->types();
  for (const ir::Decision& d : impl_->engine->program().ir().decisions) {
    if (TakesOneCaseRecord(d, types)) {
      names.push_back(d.name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

auto PolicySet::parameters(Date as_of) const -> Result<std::vector<ParameterValue>> {
  if (!impl_) {
    return MakeError(ErrorCode::kInvalidArgument, "the policy set is empty (it was never loaded)");
  }
  const auto date = detail::ToEngineDate(as_of);
  if (!date) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the date does not exist or is outside the years 1 to 9999");
  }
  const Engine& engine = *impl_->engine;
  const ir::Program& ir = engine.program().ir();
  const TypeTable& types = ir.types;
  std::vector<ParameterValue> out;
  const auto ctx = engine.NewContext();
  for (uint32_t i = 0; i < ir.decisions.size(); ++i) {
    const ir::Decision& d = ir.decisions[i];
    if (!d.is_parameter) {
      continue;
    }
    ParameterValue p;
    DiagnosticSink diags;
    const auto result = engine.EvaluateParameter(i, *date, *ctx, nullptr, diags, &p.source);
    if (!result) {
      auto diagnostics = detail::ToPublic(diags, engine.sources());
      std::string message = fmt::format("parameter `{}` as of {}: {}", d.name, date->ToString(),
                                        detail::Summary(diagnostics, "evaluation failed"));
      return MakeError(ErrorCode::kEvaluationFailed, std::move(message), std::move(diagnostics));
    }
    p.name = d.name;
    p.type = types.Name(d.result);
    p.doc = d.doc;
    p.in_effect = result->applicable;
    p.value_json =
        result->applicable ? exact_json::Dump(engine.ValueToJson(d.result, result->value)) : "null";
    out.push_back(std::move(p));
  }
  const std::span<const policy::Value> globals = engine.program().global_values();
  for (size_t i = 0; i < ir.globals.size() && i < globals.size(); ++i) {
    const ir::Global& g = ir.globals[i];
    ParameterValue p;
    p.name = g.name;
    p.type = types.Name(g.type);
    p.is_constant = true;
    p.value_json = exact_json::Dump(engine.ValueToJson(g.type, globals[i]));
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const ParameterValue& a, const ParameterValue& b) { return a.name < b.name; });
  return out;
}

auto PolicySet::version() const -> uint64_t {
  return impl_ ? impl_->version : 0;
}

auto PolicySet::revision() const -> std::string {
  return impl_ ? impl_->revision : std::string();
}

auto PolicySet::decision(std::string_view qualified_name) const -> Result<Decision> {
  if (!impl_) {
    return MakeError(ErrorCode::kInvalidArgument, "the policy set is empty (it was never loaded)");
  }
  const Engine& engine = *impl_->engine;
  const TypeTable& types = impl_->types();
  const auto index = engine.FindDecision(qualified_name);
  if (index && engine.program().ir().decisions[*index].is_parameter) {
    return MakeError(
        ErrorCode::kNotFound,
        fmt::format("`{}` is a parameter, not a decision: PolicySet::parameters(date) gives its value",
                    qualified_name));
  }
  if (!index) {
    // Suggest only what this call accepts: never a parameter, nor a helper of other inputs.
    const std::string suggestion = SuggestQualifiedName(qualified_name, decision_names());
    DiagnosticSink diags;
    policy::Diagnostic& diag = diags.ReportInput(DiagCode::kUnknownDecision, "", "",
                                                 fmt::format("no decision named `{}`", qualified_name));
    diag.WithHelp(suggestion.empty() ? std::string("decision_names() lists the decisions of the set")
                                     : fmt::format("did you mean `{}`?", suggestion));
    std::string message = fmt::format("no decision named `{}` ({})", qualified_name, diag.help.front());
    return MakeError(ErrorCode::kNotFound, std::move(message), detail::ToPublic(diags, engine.sources()));
  }
  const ir::Decision& d = engine.program().ir().decisions[*index];
  if (d.params.size() != 1 || types.kind(d.params[0]) != policy::Kind::kRecord) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("decision `{}` takes {} parameter(s); the API evaluates decisions of one "
                                 "case record, such as `(c: Case)`",
                                 d.name, d.params.size()));
  }
  Decision out;
  out.set_ = impl_;
  out.index_ = *index;
  out.input_type_ = d.params[0];
  out.result_type_ = d.result;
  out.result_kind_ = SetImpl::KindOf(types, d.result);
  if (const auto* slot = engine.program().NativeSlotOf(*index)) {
    out.native_slot_ = detail::NativeSlot(slot);
  }
  out.facts_key_ = impl_->FactsKey(out.input_type_);
  out.value_template_ = impl_->ValueTemplate(out.result_type_, out.result_kind_);
  return out;
}

auto PolicySet::RunTests(Date as_of) const -> TestReport {
  TestReport report;
  if (!impl_) {
    return report;
  }
  const auto date = detail::ToEngineDate(as_of);
  if (!date) {
    report.failed = 1;
    report.failures.push_back({"", Severity::kError, "the test date is not a valid date", "", 0, 0, "", ""});
    return report;
  }
  for (const TestResult& r : impl_->engine->RunTests("", *date)) {
    if (r.passed) {
      ++report.passed;
    } else {
      ++report.failed;
      report.failures.push_back(detail::ToPublic(*r.failure, impl_->engine->sources()));
    }
  }
  return report;
}

// ---- Decision and Field ------------------------------------------------------------------------

namespace {
const std::string kEmptyName;

auto InvalidHandle(std::string_view what) -> Error {
  return MakeError(ErrorCode::kInvalidArgument, fmt::format("the {} handle is empty", what));
}
}  // namespace

auto Decision::name() const -> const std::string& {
  return set_ ? set_->engine->program().ir().decisions[index_].name : kEmptyName;
}

auto Decision::result_type() const -> std::string {
  return set_ ? set_->types().Name(set_->engine->program().ir().decisions[index_].result) : "";
}

auto Decision::source() const -> std::string {
  return set_ ? set_->engine->program().ir().decisions[index_].source : "";
}

auto Decision::doc() const -> std::string {
  return set_ ? set_->engine->program().ir().decisions[index_].doc : "";
}

auto Decision::native() const -> bool {
  if (!set_) {
    return false;
  }
  const NativeReport& r = set_->engine->native_report();
  return index_ < r.native.size() && r.native[index_];
}

auto Decision::interpreted_because() const -> std::string {
  if (!set_) {
    return "";
  }
  const NativeReport& r = set_->engine->native_report();
  return index_ < r.reasons.size() ? r.reasons[index_] : "";
}

auto PolicySet::jit_compile_ms() const -> double {
  if (!impl_) {
    return 0;
  }
  const NativeReport& r = impl_->engine->native_report();
  return r.lower_ms + r.compile_ms;
}

auto PolicySet::WaitForOptimizedCode() const -> double {
  if (!impl_ || impl_->engine->native_report().tier != JitTier::kTiered) {
    return 0;
  }
  return impl_->engine->WaitForOptimizedCode().ms;
}

auto Decision::input_type() const -> std::string {
  return set_ ? set_->types().Name(input_type_) : "";
}

auto Field::type_name() const -> std::string {
  return set_ ? set_->types().Name(field_type_) : "";
}

auto Field::list_depth() const -> size_t {
  return static_cast<size_t>(std::count(steps_.begin(), steps_.end(), detail::kListStep));
}

auto Decision::field(std::string_view path) const -> Result<Field> {
  if (!set_) {
    return InvalidHandle("decision");
  }
  const TypeTable& types = set_->types();
  Field f;
  f.set_ = set_;
  f.record_type_ = input_type_;
  f.path_ = std::string(path);
  TypeId current = input_type_;
  std::string_view rest = path;
  std::string walked;
  if (rest.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a field path is empty; write e.g. `programme.mode`");
  }
  while (true) {
    const size_t dot = rest.find('.');
    std::string_view segment = rest.substr(0, dot);
    bool into_list = false;
    if (segment.size() >= 2 && segment.substr(segment.size() - 2) == "[]") {
      into_list = true;
      segment.remove_suffix(2);
    }
    const TypeId record = types.Unwrap(current);
    if (types.kind(record) != policy::Kind::kRecord) {
      return MakeError(ErrorCode::kNotFound, fmt::format("`{}` is a `{}`, which has no field `{}`", walked,
                                                         types.Name(current), segment));
    }
    const RecordInfo& info = types.record_info(record);
    const auto index = info.FieldIndex(segment);
    if (!index) {
      std::vector<std::string> names;
      for (const FieldInfo& fi : info.fields) {
        names.push_back(fi.name);
      }
      const std::string suggestion = SuggestName(segment, names);
      return MakeError(
          ErrorCode::kNotFound,
          fmt::format("record `{}` has no field `{}`{}", info.name, segment,
                      suggestion.empty() ? "" : fmt::format(" (did you mean `{}`?)", suggestion)));
    }
    f.steps_.push_back(*index);
    current = info.fields[*index].type;
    if (!walked.empty()) {
      walked += '.';
    }
    walked.append(segment);
    if (into_list) {
      const TypeId list = types.Unwrap(current);
      if (types.kind(list) != policy::Kind::kList && types.kind(list) != policy::Kind::kSet) {
        return MakeError(ErrorCode::kTypeMismatch, fmt::format("`{}[]`: `{}` is a `{}`, not a list", walked,
                                                               walked, types.Name(current)));
      }
      f.steps_.push_back(detail::kListStep);
      current = types.Get(list).elem;
      walked += "[]";
    }
    if (dot == std::string_view::npos) {
      break;
    }
    rest = rest.substr(dot + 1);
  }
  f.field_type_ = current;
  return f;
}

auto Decision::enum_value(const Field& field, std::string_view member) const -> Result<EnumValue> {
  if (!set_ || !field.set_) {
    return InvalidHandle(set_ ? "field" : "decision");
  }
  if (field.set_ != set_) {
    return MakeError(ErrorCode::kStale, "the field belongs to another version of the policies");
  }
  const TypeTable& types = set_->types();
  TypeId t = types.Unwrap(field.field_type_);
  if (types.kind(t) == policy::Kind::kList || types.kind(t) == policy::Kind::kSet) {
    t = types.Unwrap(types.Get(t).elem);
  }
  if (types.kind(t) != policy::Kind::kEnum) {
    return MakeError(ErrorCode::kTypeMismatch,
                     fmt::format("`{}` is a `{}`, not an enum", field.path(), types.Name(field.field_type_)));
  }
  const EnumInfo& info = types.enum_info(t);
  for (uint32_t i = 0; i < info.variants.size(); ++i) {
    if (info.variants[i] == member || info.json_names[i] == member) {
      return EnumValue{t, i, set_->version};
    }
  }
  const std::string suggestion = SuggestName(member, info.variants);
  return MakeError(ErrorCode::kNotFound,
                   fmt::format("`{}` is not a member of enum `{}`{}", member, info.name,
                               suggestion.empty() ? "" : fmt::format(" (did you mean `{}`?)", suggestion)));
}

}  // namespace policy::api
