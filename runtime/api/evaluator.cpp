// Evaluator and Value: running a decision on facts, and reading its result.
//
// The evaluation path is deliberately short: a few compares (is every handle from this version,
// are the facts complete, is the date the last one converted?) and the engine's own Evaluate on a
// Context reused across calls. Nothing on it allocates for a scalar result; the explanation is
// built only when asked for. Decide's common case is inline in policy.hpp; what it reads of the
// handles (their hot_) is kept in step here and in facts.cpp.
#include <fmt/format.h>

#include <new>
#include <type_traits>
#include <utility>

#include "runtime/api/api_internal.h"
#include "runtime/engine/exact_json.h"

namespace policy::api {

using detail::MakeError;

namespace {

auto EngineValue(const unsigned char* raw) -> policy::Value {
  policy::Value v;
  std::memcpy(&v, raw, sizeof v);
  return v;
}

}  // namespace

// ---- Value ------------------------------------------------------------------------------------

auto KindName(Kind kind) -> std::string_view {
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kBool:
      return "Bool";
    case Kind::kInt:
      return "Int";
    case Kind::kDecimal:
      return "Decimal";
    case Kind::kText:
      return "Text";
    case Kind::kDate:
      return "Date";
    case Kind::kDuration:
      return "Duration";
    case Kind::kEnum:
      return "enum";
    case Kind::kRecord:
      return "record";
    case Kind::kList:
      return "List";
    case Kind::kSet:
      return "Set";
  }
  return "?";
}

namespace {

// A reader called on the wrong kind: out of line and cold, so the readers' common path is a
// compare and a load.
[[noreturn, gnu::cold, gnu::noinline]] void ThrowWrongKind(std::string_view reader, std::string_view wanted,
                                                           Kind actual) {
  if (actual == Kind::kNone) {
    throw BadAccess(
        fmt::format("Value::{}() on not applicable (no value): test kind() or is_none() first; "
                    "it is not {}",
                    reader, wanted));
  }
  throw BadAccess(fmt::format("Value::{}() reads {}, but the value is {}: test kind() first", reader, wanted,
                              KindName(actual)));
}

[[noreturn, gnu::cold, gnu::noinline]] void ThrowIndex(std::string_view reader, size_t index, size_t size) {
  throw BadAccess(
      fmt::format("Value::{}({}) past the end: the value has {} field(s) or item(s)", reader, index, size));
}

auto IsCollection(Kind k) -> bool {
  return k == Kind::kRecord || k == Kind::kList || k == Kind::kSet;
}

}  // namespace

auto Value::as_bool() const -> bool {
  if (kind_ != Kind::kBool) {
    ThrowWrongKind("as_bool", "a Bool", kind_);
  }
  return EngineValue(raw_).as_bool();
}

auto Value::as_int() const -> int64_t {
  if (kind_ != Kind::kInt) {
    ThrowWrongKind("as_int", "an Int", kind_);
  }
  return EngineValue(raw_).as_int();
}

auto Value::as_decimal_text() const -> std::string {
  if (kind_ == Kind::kInt) {
    return std::to_string(EngineValue(raw_).as_int());
  }
  if (kind_ != Kind::kDecimal) {
    ThrowWrongKind("as_decimal_text", "a Decimal or an Int", kind_);
  }
  return EngineValue(raw_).as_decimal().ToString();
}

auto Value::as_double() const -> double {
  if (kind_ == Kind::kInt) {
    return static_cast<double>(EngineValue(raw_).as_int());
  }
  if (kind_ != Kind::kDecimal) {
    ThrowWrongKind("as_double", "a Decimal or an Int", kind_);
  }
  return EngineValue(raw_).as_decimal().ToDouble();
}

auto Value::as_text() const -> std::string_view {
  if (kind_ != Kind::kText) {
    ThrowWrongKind("as_text", "a Text", kind_);
  }
  return EngineValue(raw_).as_text();
}

auto Value::as_date() const -> Date {
  if (kind_ != Kind::kDate) {
    ThrowWrongKind("as_date", "a Date", kind_);
  }
  return detail::FromEngineDate(EngineValue(raw_).as_date());
}

auto Value::duration_count() const -> int64_t {
  if (kind_ != Kind::kDuration) {
    ThrowWrongKind("duration_count", "a Duration", kind_);
  }
  return EngineValue(raw_).as_duration().count;
}

auto Value::duration_unit() const -> std::string_view {
  if (kind_ != Kind::kDuration) {
    ThrowWrongKind("duration_unit", "a Duration", kind_);
  }
  switch (EngineValue(raw_).as_duration().unit) {
    case DurationUnit::kDays:
      return "days";
    case DurationUnit::kWeeks:
      return "weeks";
    case DurationUnit::kMonths:
      return "months";
    case DurationUnit::kYears:
      return "years";
  }
  return "";
}

auto Value::enum_name() const -> std::string_view {
  if (kind_ != Kind::kEnum) {
    ThrowWrongKind("enum_name", "an enum member", kind_);
  }
  const TypeTable& types = set_->types();
  return types.enum_info(types.Unwrap(type_)).variants[EngineValue(raw_).as_enum()];
}

auto Value::size() const -> size_t {
  if (!IsCollection(kind_)) {
    ThrowWrongKind("size", "a record, List or Set", kind_);
  }
  return EngineValue(raw_).items().size();
}

auto Value::operator[](size_t index) const -> Value {
  if (!IsCollection(kind_)) {
    ThrowWrongKind("operator[]", "a record, List or Set", kind_);
  }
  const size_t n = EngineValue(raw_).items().size();
  if (index >= n) {
    ThrowIndex("operator[]", index, n);
  }
  const TypeTable& types = set_->types();
  const TypeId t = types.Unwrap(type_);
  const TypeId item_type =
      kind_ == Kind::kRecord ? types.record_info(t).fields[index].type : types.Get(t).elem;
  return set_->MakeValue(item_type, EngineValue(raw_).items()[index]);
}

auto Value::field_name(size_t index) const -> std::string_view {
  if (kind_ != Kind::kRecord) {
    ThrowWrongKind("field_name", "a record", kind_);
  }
  const TypeTable& types = set_->types();
  const RecordInfo& info = types.record_info(types.Unwrap(type_));
  if (index >= info.fields.size()) {
    ThrowIndex("field_name", index, info.fields.size());
  }
  return info.fields[index].name;
}

auto Value::field(std::string_view name) const -> std::optional<Value> {
  if (kind_ != Kind::kRecord) {
    ThrowWrongKind("field", "a record", kind_);
  }
  const TypeTable& types = set_->types();
  const auto index = types.record_info(types.Unwrap(type_)).FieldIndex(name);
  if (!index) {
    return std::nullopt;
  }
  return (*this)[*index];
}

auto Value::to_json() const -> std::string {
  if (set_ == nullptr) {
    return "null";
  }
  return exact_json::Dump(set_->engine->ValueToJson(type_, EngineValue(raw_)));
}

auto Value::to_string() const -> std::string {
  if (set_ == nullptr) {
    return "none";
  }
  return FormatValue(set_->types(), type_, EngineValue(raw_));
}

// ---- Evaluator ----------------------------------------------------------------------------------

// What the inline Decide (policy.hpp) takes for granted about the engine.
static_assert(std::is_same_v<detail::NativeEntry, vm::NativeFn>);

Evaluator::Evaluator() = default;
Evaluator::~Evaluator() = default;
// A moved-from evaluator is empty, its hot_ too: the inline Decide must not reach the context
// that moved away.
Evaluator::Evaluator(Evaluator&& other) noexcept
    : impl_(std::move(other.impl_)), hot_(std::exchange(other.hot_, {})) {}
auto Evaluator::operator=(Evaluator&& other) noexcept -> Evaluator& {
  impl_ = std::move(other.impl_);
  hot_ = std::exchange(other.hot_, {});
  return *this;
}

Evaluator::Evaluator(const PolicySet& set) {
  if (!set.impl_) {
    return;
  }
  impl_ = std::make_unique<detail::EvaluatorImpl>();
  impl_->set = set.impl_;
  impl_->ctx = set.impl_->engine->NewContext();
  impl_->program = &set.impl_->engine->program();
  hot_.native = impl_->ctx->native_state();
  hot_.scratch_bytes = impl_->ctx->scratch_bytes_word();
}

auto Evaluator::policy_set() const -> PolicySet {
  return impl_ ? detail::SetImpl::Wrap(impl_->set) : PolicySet();
}

// The message for a refusal of Check: the slow path, so the checks themselves stay cheap.
auto Evaluator::Refusal(ErrorCode code, const Decision& decision, const Facts& facts) const -> Error {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      if (!impl_) {
        return MakeError(code, "the evaluator has no policy set");
      }
      if (!decision.set_ || !facts.impl_) {
        return MakeError(code, decision.set_ ? "the facts are empty (moved from or never created)"
                                             : "the decision handle is empty");
      }
      return MakeError(code, "the evaluation date is not a valid date in the years 1 to 9999");
    case ErrorCode::kStale: {
      const bool decision_stale = decision.set_.get() != impl_->set.get();
      return MakeError(
          code, fmt::format("{} belong{} to another version of the policies than this evaluator; after a "
                            "reload, resolve decisions and build facts on the new version",
                            decision_stale ? "the decision" : "the facts", decision_stale ? "s" : ""));
    }
    case ErrorCode::kTypeMismatch:
      return MakeError(code, fmt::format("decision `{}` reads a `{}`; the facts are a `{}`", decision.name(),
                                         impl_->set->types().Name(decision.input_type_),
                                         impl_->set->types().Name(facts.impl_->record_type)));
    case ErrorCode::kIncompleteFacts: {
      const std::vector<std::string> missing = facts.missing();
      std::string list;
      for (size_t i = 0; i < missing.size() && i < 5; ++i) {
        list += fmt::format("{}`{}`", i == 0 ? "" : ", ", missing[i]);
      }
      return MakeError(
          code, fmt::format("{} required fact{} not set: {}{}", missing.size(),
                            missing.size() == 1 ? " is" : "s are", list, missing.size() > 5 ? ", ..." : ""));
    }
    default:
      return MakeError(code, "the evaluation was refused");
  }
}

// Inline in Decide and Evaluate: as a call of its own it cost Decide a tenth of its time (D1).
// The common case is four comparisons; which check failed is worked out only on a refusal.
[[gnu::always_inline]] inline auto Evaluator::Check(const Decision& decision, const Facts& facts, Date as_of,
                                                    ErrorCode* refused) -> bool {
  detail::EvaluatorImpl* impl = impl_.get();
  const detail::FactsImpl* f = facts.impl_.get();
  if (impl == nullptr || f == nullptr) [[unlikely]] {
    *refused = ErrorCode::kInvalidArgument;
    return false;
  }
  // The keys are equal exactly when the facts are of the decision's version and input type (an
  // empty decision has none); the decision must then be of this evaluator's version.
  if (f->type_key != decision.facts_key_ || decision.set_.get() != impl->set.get()) [[unlikely]] {
    const detail::SetImpl* set = impl->set.get();
    if (!decision.set_) {
      *refused = ErrorCode::kInvalidArgument;
    } else if (decision.set_.get() != set || f->set.get() != set) {
      *refused = ErrorCode::kStale;
    } else {
      *refused = ErrorCode::kTypeMismatch;
    }
    return false;
  }
  if (f->missing > 0) [[unlikely]] {
    *refused = ErrorCode::kIncompleteFacts;
    return false;
  }
  if (hot_.set == nullptr || detail::DateBits(as_of) != hot_.date) [[unlikely]] {
    const auto converted = detail::ToEngineDate(as_of);
    if (!converted) {
      *refused = ErrorCode::kInvalidArgument;
      return false;
    }
    hot_.date = detail::DateBits(as_of);
    hot_.set = impl->set.get();
    impl->last_date = *converted;
    impl->ctx->SetDate(*converted);
  }
  return true;
}

namespace {

// Decide's way through the interpreter (no native code, or it gave up), apart so that the native
// path stays a straight line.
[[gnu::noinline]] auto DecideOnInterpreter(const vm::CompiledProgram& program, vm::Context& ctx,
                                           uint32_t decision, const policy::Value* args, policy::Date as_of,
                                           vm::DecisionResult* result) -> bool {
  try {
    return program.Decide(ctx, decision, args, as_of, result);
  } catch (const std::bad_alloc&) {
    return false;
  }
}

}  // namespace

// Decide's result when the native code did not simply give a value: it gave up (the interpreter
// answers), the decision does not apply, or its value is none. Apart, so that the common case
// keeps nothing alive across the call into native code.
[[gnu::noinline]] void Evaluator::FinishDecided(const Decision& decision, const Facts& facts, int32_t status,
                                                Decided* out) {
  auto* value = std::launder(reinterpret_cast<policy::Value*>(out->value.raw_));
  if (status == vm::kNativeBail) {
    vm::DecisionResult result;
    if (!DecideOnInterpreter(*impl_->program, *impl_->ctx, decision.index_, &facts.impl_->root,
                             impl_->last_date, &result)) {
      *out = Decided();
      out->error = ErrorCode::kEvaluationFailed;
      return;
    }
    status = result.applicable ? vm::kNativeValue
                               : (result.in_effect ? vm::kNativeNotApplicable : vm::kNativeNotInEffect);
    *value = result.value;
  }
  out->applicable = status == vm::kNativeValue;
  out->in_effect = status != vm::kNativeNotInEffect;
  if (status != vm::kNativeValue) {
    *value = policy::Value();
  }
  if (value->is_none()) {
    out->value.kind_ = Kind::kNone;
  }
}

// Out of line: the inline Decide calls it only when the last evaluation built values.
void Evaluator::ResetScratch() {
  impl_->ctx->ResetScratch();
}

void Evaluator::DecideChecked(const Decision& decision, const Facts& facts, Date as_of, Decided* out) {
  // As the inline Decide, with every check spelt out; `*out` starts as the decision's value
  // template there.
  ErrorCode refused{};
  if (!Check(decision, facts, as_of, &refused)) {
    *out = Decided();
    out->error = refused;
    return;
  }
  auto* value = std::launder(reinterpret_cast<policy::Value*>(out->value.raw_));
  const detail::NativeEntry entry = decision.native_slot_.Load();
  int32_t status = vm::kNativeBail;
  if (entry != nullptr) {
    // Resets the scratch arena when the last evaluation used it.
    status = vm::CompiledProgram::RunNativeOnDate(*impl_->ctx, entry, &facts.impl_->root, value);
  }
  if (status != vm::kNativeValue || value->is_none()) {
    FinishDecided(decision, facts, status, out);
  }
}

namespace {

// The explanation an Outcome (or an evaluation's Error) carries, as `policy eval --explain`
// prints it.
auto ExplanationOf(const Engine& engine, const vm::Trace& trace, Explain explain, policy::Date date)
    -> std::string {
  switch (explain) {
    case Explain::kText:
      return fmt::format("as of {}\n", date.ToString()) + engine.ExplanationText(trace);
    case Explain::kJson:
      return exact_json::Dump(engine.ExplanationJson(trace));
    case Explain::kNone:
      break;
  }
  return "";
}

}  // namespace

auto Evaluator::Evaluate(const Decision& decision, const Facts& facts, Date as_of, Explain explain)
    -> Result<Outcome> {
  ErrorCode refused{};
  if (!Check(decision, facts, as_of, &refused)) [[unlikely]] {
    return Refusal(refused, decision, facts);
  }
  const detail::SetImpl* set = impl_->set.get();
  const policy::Date* date = &impl_->last_date;
  vm::Trace* trace = nullptr;
  if (explain != Explain::kNone) {
    impl_->trace.records.clear();
    trace = &impl_->trace;
  }
  vm::EvalError error;
  const policy::Value args[] = {facts.impl_->root};
  std::optional<vm::DecisionResult> result;
  try {
    result = set->engine->program().Evaluate(*impl_->ctx, decision.index_, args, *date, trace, &error);
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kEvaluationFailed, "out of memory while evaluating");
  }
  if (!result) {
    DiagnosticSink diags;
    diags.Add(ToDiagnostic(error));
    auto diagnostics = detail::ToPublic(diags, set->engine->sources());
    std::string message = detail::Summary(diagnostics, error.message);
    Error failed{ErrorCode::kEvaluationFailed, std::move(message), std::move(diagnostics), {}};
    // Explained up to the failure, as `policy eval --explain` prints it (issue 34).
    failed.explanation = ExplanationOf(*set->engine, impl_->trace, explain, *date);
    return Result<Outcome>(std::move(failed));
  }
  Outcome out;
  out.applicable = result->applicable;
  out.in_effect = result->in_effect;
  out.value = set->MakeValue(decision.result_type_, decision.result_kind_, result->value);
  out.explanation = ExplanationOf(*set->engine, impl_->trace, explain, *date);
  return Result<Outcome>(std::move(out));
}

auto Evaluator::EvaluateJson(const Decision& decision, std::string_view case_json, Date as_of,
                             Explain explain) -> Result<std::string> {
  if (auto read = decision.ReadFactsJson(case_json, "<json>", &impl_->json_facts); !read) {
    return read.error();
  }
  auto outcome = Evaluate(decision, impl_->json_facts, as_of,
                          explain == Explain::kNone ? Explain::kNone : Explain::kJson);
  if (!outcome) {
    return outcome.error();
  }
  // Written as `policy eval --format json` writes it (exact_json::Dump of an ordered object with
  // these keys), without the DOM: a server answers with this for every request.
  std::string out;
  out.reserve(128 + outcome->explanation.size());
  out += "{\"decision\":\"";
  out += decision.name();  // a qualified name: nothing in it needs escaping
  out += "\",\"as_of\":\"";
  out += FormatDate(as_of);
  out += "\",\"applicable\":";
  out += outcome->applicable ? "true" : "false";
  out += ",\"value\":";
  impl_->set->engine->AppendValueJson(outcome->value.type_, EngineValue(outcome->value.raw_), &out);
  if (explain != Explain::kNone) {
    out += ",\"explanation\":";
    out += outcome->explanation;  // exact_json::Dump's compact text already
  }
  out += '}';
  return out;
}

}  // namespace policy::api
