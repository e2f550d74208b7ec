// What the public handles (policy.hpp) point to. Private to runtime/api and runtime/capi: the
// public header only forward-declares these, so the core can change without breaking embedders.
#pragma once

#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "policy/policy.hpp"
#include "runtime/engine/engine.h"

namespace policy::api {
namespace detail {

// One compiled version of a policy set. Immutable once built.
struct SetImpl {
  std::shared_ptr<const policy::Engine> engine;
  uint64_t version = 0;
  std::string revision;  // PolicySet::revision()
  std::vector<Diagnostic> warnings;

  auto types() const -> const TypeTable& { return engine->program().ir().types; }
  // One byte per type, for its address: the key that Decision::facts_key_ and FactsImpl::type_key
  // share when facts are of this version and of the decision's input type (one comparison in
  // Evaluator::Decide instead of two).
  std::vector<char> facts_keys;
  auto FactsKey(TypeId type) const -> const void* { return facts_keys.data() + type; }
  // Wraps an engine value for the public API.
  auto MakeValue(TypeId type, const policy::Value& v) const -> api::Value;
  // api::Value keeps the engine's value in raw_ (Evaluator::Decide has native code write it
  // there in place).
  static_assert(sizeof(policy::Value) == 16 && alignof(policy::Value) <= 8 &&
                std::is_trivially_copyable_v<policy::Value> &&
                std::is_trivially_destructible_v<policy::Value>);
  // The same when the kind of the (non-optional) type is already known: the evaluation path.
  auto MakeValue(TypeId type, Kind kind, const policy::Value& v) const -> api::Value {
    api::Value out;
    out.set_ = this;
    out.type_ = type;
    out.kind_ = v.is_none() ? Kind::kNone : kind;
    std::memcpy(out.raw_, &v, sizeof(policy::Value));
    return out;
  }
  static auto KindOf(const TypeTable& types, TypeId type) -> Kind;
  // A value of `type` and `kind` for Decision::value_template_ (raw_ none, kind_ not kNone).
  auto ValueTemplate(TypeId type, Kind kind) const -> api::Value {
    api::Value out;
    out.set_ = this;
    out.type_ = type;
    out.kind_ = kind;
    return out;
  }
  // The public handle for a version (PolicySet's constructor is private to the API).
  static auto Wrap(std::shared_ptr<const SetImpl> impl) -> PolicySet { return PolicySet(std::move(impl)); }
  static auto Impl(const PolicySet& set) -> const std::shared_ptr<const SetImpl>& { return set.impl_; }
};

// Marks a `[]` step in a Field path.
inline constexpr uint32_t kListStep = UINT32_MAX;

struct FactsImpl {
  std::shared_ptr<const SetImpl> set;
  TypeId record_type = 0;
  const void* type_key = nullptr;  // set->FactsKey(record_type)
  Arena arena;
  policy::Value root;
  // Required facts (non-optional leaves, lists included) still unset: evaluation refuses
  // incomplete facts rather than reading an unset field as false or zero.
  int64_t missing = 0;
};

struct EvaluatorImpl {
  std::shared_ptr<const SetImpl> set;
  std::unique_ptr<vm::Context> ctx;
  const vm::CompiledProgram* program = nullptr;  // set->engine->program(), looked up once
  vm::Trace trace;
  // The last evaluation date converted: a service evaluates many cases as of the same day.
  // Evaluator::hot_.date holds its bits (DateBits), to tell it from another.
  policy::Date last_date;
  // The facts EvaluateJson reads each case into, kept for their arena's memory.
  Facts json_facts;
};

// Converts engine diagnostics, with locations and the full rendering.
auto ToPublic(const policy::Diagnostic& d, const SourceManager& sources) -> api::Diagnostic;
auto ToPublic(const DiagnosticSink& diags, const SourceManager& sources) -> std::vector<api::Diagnostic>;
auto MakeError(ErrorCode code, std::string message, std::vector<api::Diagnostic> diagnostics = {}) -> Error;
// The first error's message, for an Error's one-line summary.
auto Summary(const std::vector<api::Diagnostic>& diagnostics, std::string_view fallback) -> std::string;

// Compiles and (optionally) tests a new version; shared by PolicySet::Load and hot reload.
auto LoadSet(const std::vector<std::string>& paths, const LoadOptions& options) -> Result<PolicySet>;
auto NextVersion() -> uint64_t;
auto ToEngineDate(Date d) -> std::optional<policy::Date>;
auto FromEngineDate(policy::Date d) -> Date;
auto TodayUtc() -> Date;

}  // namespace detail
}  // namespace policy::api
