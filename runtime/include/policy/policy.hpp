// The embedding API: compile policies once, evaluate decisions millions of times.
//
//   policy::api::PolicySet   a compiled, immutable set of policy files. Copies are cheap (shared);
//                            any number of threads may use one at once without locks.
//   policy::api::Decision    a decision resolved by name once (a handle, not a string).
//   policy::api::Field       a path into a decision's case record ("programme.mode"), resolved
//                            once, so setting a fact does no string lookup.
//   policy::api::Facts       one case record, built through Fields or read from JSON.
//   policy::api::Evaluator   per-thread evaluation state; evaluating a decision with a scalar
//                            result allocates nothing once the evaluator has warmed up.
//   policy::api::LivePolicySet  a PolicySet that follows its files on disk (inotify), swapping
//                            in a new version only when it compiles and its tests pass.
//
// Nothing here throws on bad input and nothing aborts the host: every call that can fail returns
// a Result<T> whose error says what went wrong, with the compiler's diagnostics when there are
// any. Exactly two things throw, both mistakes in the calling code rather than bad input, and both
// as the standard library's std::expected and std::optional do: Result::value() (and `*`, `->`)
// on an error, and a Value read as a kind it is not (as_bool() on a Text, or on not applicable).
// Each throws BadAccess. The C API (policy.h) is a thin layer over this one. See docs/embedding.md.
//
// This header is the whole public surface; it includes only the standard library.
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#if defined(POLICY_BUILDING_LIBRARY)
#define POLICY_API __attribute__((visibility("default")))
#else
#define POLICY_API
#endif

// The engine's own types, named (never defined) here for the inline fast path of
// Evaluator::Decide, which calls the JIT's machine code directly.
namespace policy {
class Value;
namespace vm {
struct NativeState;
}  // namespace vm
}  // namespace policy

namespace policy::api {

// A calendar date. Policies know the years 1 to 9999.
using Date = std::chrono::year_month_day;

// ---- errors -------------------------------------------------------------------------------------

enum class ErrorCode : int {
  kInvalidArgument = 1,   // an empty handle, a malformed date or path, an argument out of range
  kNotFound = 2,          // no decision, field or enum value of that name
  kTypeMismatch = 3,      // a fact of the wrong type for its field
  kCompileFailed = 4,     // the policies do not compile (see diagnostics)
  kInvalidInput = 5,      // the case JSON is malformed, too large, too deep or of the wrong shape
  kEvaluationFailed = 6,  // a conflict between rules, overflow, a needed decision not applicable...
  kStale = 7,             // a handle or facts from another version of the policies (after a reload)
  kIo = 8,                // a file or directory could not be read or watched
  kTestsFailed = 9,       // the policies compile but their own tests fail (hot reload refuses them)
  kIncompleteFacts = 10,  // a required fact was never set
  kInternal = 99,         // a bug in the engine, reported rather than crashing the host
};

POLICY_API auto ErrorCodeName(ErrorCode code) -> std::string_view;

enum class Severity : int { kError, kWarning, kNote };

// One compiler or input diagnostic, with its location (1-based; 0 when not in a file).
struct Diagnostic {
  std::string code;  // "E0203"
  Severity severity = Severity::kError;
  std::string message;
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string json_path;  // for case-record errors: "$.programme.mode"
  std::string rendered;   // the full human rendering, with the source excerpt and help
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::vector<Diagnostic> diagnostics;
  // An evaluation that failed (kEvaluationFailed) with an explanation asked for: how it got to
  // the error, as Outcome::explanation would have been (the conflicting rules with their sources,
  // the decision that did not apply, the rule that stopped). Empty otherwise.
  std::string explanation;
};

// What the API throws, and only on a mistake in the calling code (see the top of this file):
// reading the value of a Result that holds an error, or reading a Value as a kind it is not.
// The message names what was asked and what was there.
class POLICY_API BadAccess : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// A value or an error. Check ok() (or the bool conversion) before value(), or use value_or().
// value(), `*` and `->` on an error throw BadAccess with the error's message (as
// std::expected::value() throws bad_expected_access); error() on a value throws BadAccess too.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  auto ok() const -> bool { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  auto value() & -> T& { return *Checked(std::get_if<0>(&v_)); }
  auto value() const& -> const T& { return *Checked(std::get_if<0>(&v_)); }
  auto value() && -> T&& { return std::move(*Checked(std::get_if<0>(&v_))); }
  // The value, or `fallback` when this holds an error.
  template <typename U = T>
  auto value_or(U&& fallback) const& -> T {
    return ok() ? *std::get_if<0>(&v_) : static_cast<T>(std::forward<U>(fallback));
  }
  template <typename U = T>
  auto value_or(U&& fallback) && -> T {
    return ok() ? std::move(*std::get_if<0>(&v_)) : static_cast<T>(std::forward<U>(fallback));
  }
  auto operator*() & -> T& { return value(); }
  auto operator*() const& -> const T& { return value(); }
  auto operator*() && -> T&& { return std::move(*this).value(); }
  auto operator->() -> T* { return &value(); }
  auto operator->() const -> const T* { return &value(); }
  auto error() const -> const Error& {
    if (const Error* e = std::get_if<1>(&v_)) {
      return *e;
    }
    throw BadAccess("Result::error() on a result that holds a value: test ok() first");
  }

 private:
  template <typename P>
  auto Checked(P* value) const -> P* {
    if (value == nullptr) {
      throw BadAccess("Result::value() on an error: " + std::get_if<1>(&v_)->message);
    }
    return value;
  }
  std::variant<T, Error> v_;
};

// For calls that return nothing but may fail.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  auto ok() const -> bool { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  auto error() const -> const Error& { return *error_; }

 private:
  std::optional<Error> error_;
};

// ---- values -------------------------------------------------------------------------------------

namespace detail {
struct SetImpl;
struct FactsImpl;
struct EvaluatorImpl;
struct LiveImpl;
struct FactsAccess;

// What the inline part of Evaluator::Decide reads, kept in the handles themselves so that its
// checks compare words at hand instead of first following a pointer to an impl (docs/jit.md,
// "What Decide does around the call"). Everything else stays behind the handles' impl_.

// A decision's machine code (vm::NativeFn): 0 with the value in *out, or another vm::NativeStatus.
using NativeEntry = int32_t (*)(::policy::vm::NativeState* state, const ::policy::Value* args,
                                ::policy::Value* out);

struct EvaluatorHot {
  // The version it evaluates, set with the first date it converts: while null (before that, and
  // for an empty evaluator) no decision matches, so `date` is then never compared.
  const SetImpl* set = nullptr;
  uint32_t date = 0;  // DateBits of the last date converted, the one its native state holds
  ::policy::vm::NativeState* native = nullptr;  // its context's, passed to machine code
  const size_t* scratch_bytes = nullptr;        // its context's scratch arena: reset when nonzero
};

struct FactsHot {
  // The decision key of their version and record type (Decision::facts_key_) while every
  // required fact is set; null while one is missing, and for empty facts.
  const void* key = nullptr;
  alignas(8) unsigned char root[16] = {};  // the engine's value of the case record
};

// The slot of a decision without machine code (and of an empty handle): always null, so that the
// inline Decide loads an entry from every decision without first testing for a slot.
inline const std::atomic<NativeEntry> kNoNativeEntry{nullptr};

// Where a Decision finds its machine code. Moving from it leaves kNoNativeEntry behind: the inline
// Decide loads from the slot of a decision whose set matches the evaluator's, and a moved-from
// decision (no set) must not reach a slot whose version it no longer keeps alive.
class NativeSlot {
 public:
  NativeSlot() = default;
  explicit NativeSlot(const std::atomic<NativeEntry>* slot) : slot_(slot) {}
  NativeSlot(const NativeSlot&) = default;
  auto operator=(const NativeSlot&) -> NativeSlot& = default;
  NativeSlot(NativeSlot&& other) noexcept : slot_(std::exchange(other.slot_, &kNoNativeEntry)) {}
  auto operator=(NativeSlot&& other) noexcept -> NativeSlot& {
    slot_ = std::exchange(other.slot_, &kNoNativeEntry);
    return *this;
  }
  auto Load() const -> NativeEntry { return slot_->load(std::memory_order_acquire); }

 private:
  const std::atomic<NativeEntry>* slot_ = &kNoNativeEntry;
};

// A date as one word, compared whole.
inline auto DateBits(std::chrono::year_month_day d) -> uint32_t {
  static_assert(sizeof(d) == 4 && std::is_trivially_copyable_v<std::chrono::year_month_day>);
  return std::bit_cast<uint32_t>(d);
}
}  // namespace detail

// What a value is. The engine's own list of kinds (core/kind.h) begins with these, in this order;
// the library checks that at compile time.
enum class Kind : uint8_t {
  kNone,
  kBool,
  kInt,
  kDecimal,
  kText,
  kDate,
  kDuration,
  kEnum,
  kRecord,
  kList,
  kSet
};

// The kind's name as the docs write it: "none", "Bool", "Int", "Decimal", "Text", "Date",
// "Duration", "enum", "record", "List", "Set".
POLICY_API auto KindName(Kind kind) -> std::string_view;

// A decision's value. A view: scalars are held inline; text, records and lists point into the
// Evaluator that produced it and are valid until that Evaluator evaluates again.
//
// Not applicable is kind() == Kind::kNone, never `false`, 0 or "". Each reader below requires its
// kind and throws BadAccess on any other, not applicable included, so that "no answer" is never
// read as "no": test kind() (or is_none()) first when the decision may not apply or when its type
// is not known. The C readers (policy_result_bool...) return POLICY_ERR_TYPE_MISMATCH instead.
class POLICY_API Value {
 public:
  Value() = default;
  auto kind() const -> Kind { return kind_; }
  auto is_none() const -> bool { return kind_ == Kind::kNone; }
  auto as_bool() const -> bool;    // kBool
  auto as_int() const -> int64_t;  // kInt
  // A Decimal (or an Int) as exact text ("7.5") and as the nearest double.
  auto as_decimal_text() const -> std::string;
  auto as_double() const -> double;
  auto as_text() const -> std::string_view;  // kText
  auto as_date() const -> Date;              // kDate
  // Durations: a count and its unit ("days", "weeks", "months", "years").
  auto duration_count() const -> int64_t;
  auto duration_unit() const -> std::string_view;
  // Enum members: their name as written in policies (`full_time`).
  auto enum_name() const -> std::string_view;
  // Records, lists and sets: how many fields or items, and each one (index < size(), or
  // BadAccess).
  auto size() const -> size_t;
  auto operator[](size_t index) const -> Value;
  auto field_name(size_t index) const -> std::string_view;  // records only
  // Records only: the field of that name, or nullopt when the record type has none.
  auto field(std::string_view name) const -> std::optional<Value>;

  // The value in the JSON encoding of the decision catalogue, and in the language's syntax.
  auto to_json() const -> std::string;
  auto to_string() const -> std::string;

 private:
  friend class Evaluator;
  friend struct detail::SetImpl;
  const detail::SetImpl* set_ = nullptr;
  uint32_t type_ = 0;
  Kind kind_ = Kind::kNone;
  alignas(8) unsigned char raw_[16] = {};  // the engine's own 16-byte value
};

// ---- loading --------------------------------------------------------------------------------

struct LoadOptions {
  bool include_stdlib = true;
  // Refuse to load when the policies' own `test` blocks fail (as of `tests_as_of`, default today).
  bool require_tests_pass = false;
  std::optional<Date> tests_as_of;
  // Also compile the decisions to machine code with LLVM (when the library was built with it):
  // evaluations without an explanation then run native code, with the same results. A decision
  // the JIT cannot compile runs on the interpreter; Decision::native() says which. See docs/jit.md.
  bool jit = false;
  // With `jit`, how much LLVM optimises, and when (docs/jit.md, "Two tiers"):
  //   kTiered     quick code at once; code optimised in a background thread replaces it, with
  //               the same results, as soon as it is ready (about three times the quick compile)
  //   kQuick      the quick code only (short-lived processes)
  //   kOptimized  the optimised code only, compiled before Load returns
  enum class JitTier { kTiered, kQuick, kOptimized };
  JitTier jit_tier = JitTier::kTiered;
};

struct SourceFile {
  std::string path;  // used in diagnostics only
  std::string text;
};

// What Decision::EvaluatePartial gives: a decision on a case whose missing fields are unknown
// (docs/whatif.md, "Which facts are still needed").
struct PartialOutcome {
  enum class Verdict : uint8_t {
    kDecided,    // proven: every completion of the missing fields gives value_json
    kUndecided,  // two completions decide differently (both evaluated by the interpreter)
    kUnknown,    // the solver gave up, or its completion was not confirmed
  };
  Verdict verdict = Verdict::kUnknown;
  std::vector<std::string> missing;    // the JSON paths absent from the case, in record order
  std::string value_json;              // with the missing fields at placeholders; "null" for none
  std::vector<std::string> questions;  // kUndecided: the fields that still matter, next question first
  std::string other_case_json;         // kUndecided: a completion that decides differently
  std::string other_value_json;        // and what it gives ("null" for none)
  std::string json;                    // the whole answer, as `policy eval --partial --format json`
};

// A `parameter` (a value that changes over time) or a `const`, as PolicySet::parameters lists it.
struct ParameterValue {
  std::string name;          // qualified: `hk.employment.max_weekly_hours`
  std::string type;          // as written in policies: `Int`, `Duration`
  bool is_constant = false;  // `const`: one value at every date
  // False for a parameter none of whose values is in effect on the date (value_json is "null").
  bool in_effect = true;
  std::string value_json;  // in the JSON encoding of the decision catalogue
  std::string source;      // the citation of the value in effect ("" when it cites none)
  std::string doc;         // its `///` documentation comment
};

struct TestReport {
  size_t passed = 0;
  size_t failed = 0;
  std::vector<Diagnostic> failures;  // one per failing test
};

class Decision;
class Field;
class Facts;

class POLICY_API PolicySet {
 public:
  PolicySet() = default;  // empty: every call on it fails with kInvalidArgument

  // Loads `.policy` files and directories (searched recursively). On failure the error carries
  // every diagnostic of every file.
  static auto Load(const std::vector<std::string>& paths, const LoadOptions& options = {})
      -> Result<PolicySet>;
  static auto LoadSources(const std::vector<SourceFile>& files, const LoadOptions& options = {})
      -> Result<PolicySet>;

  auto valid() const -> bool { return impl_ != nullptr; }
  // Warnings of a successful load (errors make the load fail).
  auto warnings() const -> std::vector<Diagnostic>;
  // Every decision decision() accepts (one case record in), qualified
  // (`hk.employment.part_time_on_campus_allowed`), sorted. Parameters and constants are listed by
  // parameters(); decisions of other inputs (helpers called by decisions) by neither.
  auto decision_names() const -> std::vector<std::string>;
  // Every `parameter` and `const`, sorted by name, with its value as of `as_of`.
  auto parameters(Date as_of) const -> Result<std::vector<ParameterValue>>;
  // Resolves a decision once; the handle keeps this version alive.
  auto decision(std::string_view qualified_name) const -> Result<Decision>;
  // What the policies say, as 16 hex digits: a hash of the text of every source file (the
  // standard library's included), independent of the files' names and order. Two sets with the
  // same revision decide every case alike, so a decision logged with it can be replayed later
  // (`policy replay`). "" for an empty set.
  auto revision() const -> std::string;
  // Runs the policies' own tests as of `as_of`.
  auto RunTests(Date as_of) const -> TestReport;
  // A number unique to this compiled version within the process.
  auto version() const -> uint64_t;
  // With LoadOptions::jit: how long compiling to machine code took before Load returned (0
  // without it).
  auto jit_compile_ms() const -> double;
  // With JitTier::kTiered, waits until the optimised code has replaced the quick code (or the
  // background compile gave up, and the quick code keeps serving). Returns how long the
  // background compile took, or 0 when there was none. Evaluations need not wait: this is for
  // benchmarks and for services that want the faster code before they take traffic.
  auto WaitForOptimizedCode() const -> double;

 private:
  friend class Decision;
  friend class Facts;
  friend class Evaluator;
  friend class LivePolicySet;
  friend struct detail::SetImpl;
  explicit PolicySet(std::shared_ptr<const detail::SetImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::SetImpl> impl_;
};

// A path into a decision's case record, resolved once. `programme.mode`,
// `employment.on_campus_timesheet[].hours` (a field of every item of a list of records).
class POLICY_API Field {
 public:
  Field() = default;
  auto valid() const -> bool { return set_ != nullptr; }
  auto path() const -> const std::string& { return path_; }
  // The field's type as written in policies: `Mode`, `Date?`, `List<Date>`.
  auto type_name() const -> std::string;
  // The depth of `[]` in the path: how many indices Facts::Set needs.
  auto list_depth() const -> size_t;

 private:
  friend class Decision;
  friend class Facts;
  friend struct detail::FactsAccess;
  std::shared_ptr<const detail::SetImpl> set_;
  uint32_t record_type_ = 0;
  uint32_t field_type_ = 0;
  std::vector<uint32_t> steps_;  // field indices; kListStep where the path says []
  std::string path_;
};

// An enum member resolved once for a field (`full_time` for `programme.mode`).
struct EnumValue {
  uint32_t type = 0;
  uint32_t ordinal = 0;
  uint64_t version = 0;
};

class POLICY_API Decision {
 public:
  Decision() = default;
  auto valid() const -> bool { return set_ != nullptr; }
  auto name() const -> const std::string&;
  // The result type as written in policies (`Bool`, `Set<ApplicantDocument>`).
  auto result_type() const -> std::string;
  // The case record type it reads (`Case`).
  auto input_type() const -> std::string;
  // The citation of its `source` clause ("ImmD FAQ Q12"), "" when it has none.
  auto source() const -> std::string;
  // Its `///` documentation comment, "" when it has none.
  auto doc() const -> std::string;

  auto field(std::string_view path) const -> Result<Field>;
  auto enum_value(const Field& field, std::string_view member) const -> Result<EnumValue>;
  // An empty case record of the input type: every required fact must be set before evaluating.
  auto NewFacts() const -> Result<Facts>;
  // A case record read from JSON (the case-record schema); errors name the JSON path.
  auto FactsFromJson(std::string_view json, std::string_view file_name = "<json>") const -> Result<Facts>;

  // A case with fields still missing (absent from the JSON), evaluated as far as it goes, as
  // `policy eval --partial` does: either the value is proven whatever the missing fields turn
  // out to be, or the missing fields that still matter, the next question to ask first. Uses the
  // Z3 encoding of `policy analyze` (milliseconds to seconds, not the microseconds of Evaluate);
  // `timeout_ms` bounds each solver question. Errors as for FactsFromJson (kInvalidInput, with
  // the JSON path), and kInvalidArgument for a date that does not exist.
  auto EvaluatePartial(std::string_view case_json, Date as_of, unsigned timeout_ms = 10000) const
      -> Result<PartialOutcome>;

  // Whether evaluations without an explanation run machine code (the set was loaded with
  // LoadOptions::jit and the JIT compiled this decision); when not, why ("" without the JIT).
  auto native() const -> bool;
  auto interpreted_because() const -> std::string;

 private:
  friend class PolicySet;
  friend class Evaluator;
  friend struct detail::SetImpl;
  // FactsFromJson into `*facts`, reusing their memory when they are already facts of this
  // decision's version and input type (Evaluator::EvaluateJson reads every case into the same).
  auto ReadFactsJson(std::string_view json, std::string_view file_name, Facts* facts) const -> Status;
  std::shared_ptr<const detail::SetImpl> set_;
  uint32_t index_ = 0;
  uint32_t input_type_ = 0;
  uint32_t result_type_ = 0;
  Kind result_kind_ = Kind::kNone;  // of the result type without `?`, resolved once
  // Where the JIT keeps its code for it, for Evaluator::Decide (kNoNativeEntry when it has none).
  // The slot, not the entry, is kept: optimised code replaces the quick code in it.
  detail::NativeSlot native_slot_;
  // Equal to the facts' key exactly when they are of this version and of the input type.
  const void* facts_key_ = nullptr;
  // The value Evaluator::Decide starts its result from (of the result type and kind; raw_ is
  // none until the decision's code writes it).
  Value value_template_;
};

// One case record. Built once, it may be evaluated by any number of threads; setting facts while
// another thread evaluates the same Facts is a data race (as for any C++ object).
class POLICY_API Facts {
 public:
  Facts();
  ~Facts();
  Facts(Facts&&) noexcept;
  auto operator=(Facts&&) noexcept -> Facts&;
  Facts(const Facts&) = delete;
  auto operator=(const Facts&) -> Facts& = delete;

  auto valid() const -> bool { return impl_ != nullptr; }

  // Sets one fact. `indices` select the list items where the field's path says `[]`.
  auto Set(const Field& field, bool value, std::span<const size_t> indices = {}) -> Status;
  auto Set(const Field& field, int64_t value, std::span<const size_t> indices = {}) -> Status;
  auto Set(const Field& field, int value, std::span<const size_t> indices = {}) -> Status {
    return Set(field, static_cast<int64_t>(value), indices);
  }
  auto SetDecimal(const Field& field, std::string_view decimal_text, std::span<const size_t> indices = {})
      -> Status;
  auto Set(const Field& field, double value, std::span<const size_t> indices = {}) -> Status;
  auto Set(const Field& field, std::string_view text, std::span<const size_t> indices = {}) -> Status;
  auto Set(const Field& field, const char* text, std::span<const size_t> indices = {}) -> Status {
    return Set(field, std::string_view(text), indices);
  }
  auto Set(const Field& field, Date value, std::span<const size_t> indices = {}) -> Status;
  auto Set(const Field& field, const EnumValue& value, std::span<const size_t> indices = {}) -> Status;
  auto SetDuration(const Field& field, int64_t count, std::string_view unit,
                   std::span<const size_t> indices = {}) -> Status;
  // Lists and sets of dates, and of enum members (a set is sorted and deduplicated).
  auto Set(const Field& field, std::span<const Date> values, std::span<const size_t> indices = {}) -> Status;
  auto Set(const Field& field, std::span<const EnumValue> values, std::span<const size_t> indices = {})
      -> Status;
  // A list of records gets `count` items, each an empty record whose facts are then set through
  // `field[]....` paths with an index.
  auto Resize(const Field& list_field, size_t count, std::span<const size_t> indices = {}) -> Status;
  // An optional field (`T?`) back to none.
  auto Clear(const Field& field, std::span<const size_t> indices = {}) -> Status;

  // The paths of required facts not yet set (empty when the record is complete).
  auto missing() const -> std::vector<std::string>;

  // Heap bytes these facts hold: the record's memory and its bookkeeping, not the handle itself
  // (sizeof(Facts)). New facts hold their record in exactly the memory it takes; facts reused
  // by ReadFactsJson keep their largest block, for the next case.
  auto heap_bytes() const -> size_t;

 private:
  friend class Decision;
  friend class Evaluator;
  friend struct detail::FactsAccess;
  std::unique_ptr<detail::FactsImpl> impl_;
  detail::FactsHot hot_;  // kept in step with impl_ by every setter (FactsAccess::Sync)
};

// ---- evaluating -----------------------------------------------------------------------------

enum class Explain : uint8_t { kNone, kText, kJson };

struct Outcome {
  bool applicable = false;  // false: no rule applied and there is no default (value is none)
  bool in_effect = true;    // false: the date is outside the decision's effective period
  Value value;
  std::string explanation;  // filled only when asked for (Explain::kText or kJson)
};

// What Evaluator::Decide gives: an Outcome without the explanation, and on failure only the
// error's code (Evaluate on the same arguments gives the message and diagnostics).
struct Decided {
  std::optional<ErrorCode> error;  // set when the decision could not be evaluated
  bool applicable = false;         // as in Outcome
  bool in_effect = true;
  Value value;
  auto ok() const -> bool { return !error.has_value(); }
  explicit operator bool() const { return ok(); }
};

// Per-thread evaluation state for one PolicySet (it keeps that version alive). Not thread-safe:
// give each thread its own; they are cheap.
class POLICY_API Evaluator {
 public:
  Evaluator();
  explicit Evaluator(const PolicySet& set);
  ~Evaluator();
  Evaluator(Evaluator&&) noexcept;
  auto operator=(Evaluator&&) noexcept -> Evaluator&;

  auto policy_set() const -> PolicySet;
  auto Evaluate(const Decision& decision, const Facts& facts, Date as_of, Explain explain = Explain::kNone)
      -> Result<Outcome>;
  // Evaluate for hot loops: the same checks and the same value, but no explanation, and a failure
  // is only a code, so nothing is built that a loop would throw away (no Result, no message, no
  // allocation for a scalar value). On a set loaded with LoadOptions::jit its common case is
  // inline (below): three comparisons and one direct call into the decision's machine code. See
  // docs/embedding.md, "Hot loops".
  auto Decide(const Decision& decision, const Facts& facts, Date as_of) -> Decided;
  // The JSON evaluation contract of the decision catalogue: case JSON in, result JSON out
  // ({"decision":..., "as_of":..., "applicable":..., "value":...}).
  auto EvaluateJson(const Decision& decision, std::string_view case_json, Date as_of,
                    Explain explain = Explain::kNone) -> Result<std::string>;

 private:
  // The checks Evaluate and Decide share (handles of this version, input type, complete facts,
  // a valid date, converted and kept for the next call). False with `*refused` set when the
  // evaluation is refused. (Not an optional: returning one made the compiler build it on the stack
  // with narrow stores and read it back with one wide load, a store-forwarding stall per call.)
  auto Check(const Decision& decision, const Facts& facts, Date as_of, ErrorCode* refused) -> bool;
  // The message of a refusal by Check.
  auto Refusal(ErrorCode code, const Decision& decision, const Facts& facts) const -> Error;
  // Decide when native code did not simply give a value (see evaluator.cpp).
  void FinishDecided(const Decision& decision, const Facts& facts, int32_t status, Decided* out);
  // Empties the context's scratch arena, where the last evaluation built its values.
  void ResetScratch();
  // Decide in full, for everything its inline part does not take: the interpreter, a refusal, a
  // new date.
  void DecideChecked(const Decision& decision, const Facts& facts, Date as_of, Decided* out);
  std::unique_ptr<detail::EvaluatorImpl> impl_;
  detail::EvaluatorHot hot_;  // kept in step with impl_ (the constructor, moves and Check)
};

// The common case of Decide, inline so that a hot loop pays for no call around the machine code.
// The facts' key stands for three checks (same version as the decision, its record type, every
// required fact set), as the comparison with the evaluator's set and date stand for the rest;
// an empty handle fails one of them, and DecideChecked then says which check refused.
inline auto Evaluator::Decide(const Decision& decision, const Facts& facts, Date as_of) -> Decided {
  // One result object, returned by name: a second object copied into the caller's would be read
  // with 16-byte loads straight after the machine code's 8-byte stores, and a load that spans two
  // stores waits for both to reach the cache (a stall of several ns). It starts as if the
  // decision gives a value; the machine code writes the engine's value into it.
  Decided out{std::nullopt, true, true, decision.value_template_};
  if (facts.hot_.key == decision.facts_key_ && decision.set_.get() == hot_.set &&
      detail::DateBits(as_of) == hot_.date) [[likely]] {
    // Not null only for a decision of the evaluator's set (an empty or moved-from decision has
    // kNoNativeEntry's null), so the evaluator is not empty and `as_of` is its converted date.
    const detail::NativeEntry entry = decision.native_slot_.Load();
    if (entry != nullptr) [[likely]] {
      if (*hot_.scratch_bytes != 0) {
        ResetScratch();  // the last evaluation built values (a set, a list): they go now
      }
      const int32_t status = entry(hot_.native, reinterpret_cast<const ::policy::Value*>(facts.hot_.root),
                                   reinterpret_cast<::policy::Value*>(out.value.raw_));
      // The engine value's first byte is its tag, 0 for none (value.h asserts both).
      if (status != 0 || out.value.raw_[0] == 0) [[unlikely]] {
        FinishDecided(decision, facts, status, &out);
      }
      return out;
    }
  }
  DecideChecked(decision, facts, as_of, &out);
  return out;
}

// ---- hot reload -----------------------------------------------------------------------------

struct ReloadEvent {
  bool swapped = false;        // true: `version` is now serving
  uint64_t version = 0;        // the version serving after this event
  std::optional<Error> error;  // why the new files were refused (compile errors, failing tests)
};

struct ReloadOptions {
  LoadOptions load;  // require_tests_pass defaults to true for a live set
  // Changes closer together than this are compiled once.
  std::chrono::milliseconds debounce{100};
  // Called on the watcher thread after every reload attempt.
  std::function<void(const ReloadEvent&)> on_reload;
  // Start even when the initial files do not load (a server answering "no valid policy yet"
  // until they are fixed): current() is then an empty set, last_error() says why, and the
  // first clean reload publishes version one. Without it, Start fails as the load did.
  bool start_without_valid_set = false;
  ReloadOptions() { load.require_tests_pass = true; }
};

// Follows policy files on disk. Compiles changes on its own thread, off the evaluation path, and
// publishes a new PolicySet atomically only when it loads cleanly (and its tests pass); otherwise
// the previous version keeps serving and the event reports why. Evaluations in flight finish on
// the version they started with (they hold it).
class POLICY_API LivePolicySet {
 public:
  // Loads the initial version (which must succeed) and starts watching.
  static auto Start(const std::vector<std::string>& paths, ReloadOptions options = {})
      -> Result<std::unique_ptr<LivePolicySet>>;
  ~LivePolicySet();  // stops the watcher thread
  LivePolicySet(const LivePolicySet&) = delete;
  auto operator=(const LivePolicySet&) -> LivePolicySet& = delete;

  // The version serving now. Cheap; call once per request or batch and evaluate on it.
  auto current() const -> PolicySet;
  // Increases with every successful swap; comparing it is cheaper than current().
  auto generation() const -> uint64_t;
  // Reloads now, on the calling thread (also what a file change triggers).
  auto ReloadNow() -> ReloadEvent;
  // The last refused reload, if the newest files are not serving.
  auto last_error() const -> std::optional<Error>;

 private:
  LivePolicySet();
  std::unique_ptr<detail::LiveImpl> impl_;
};

// Parses "YYYY-MM-DD".
POLICY_API auto ParseDate(std::string_view text) -> Result<Date>;
POLICY_API auto FormatDate(Date date) -> std::string;

}  // namespace policy::api
