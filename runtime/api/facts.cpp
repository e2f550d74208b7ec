// Facts: one case record, built in its own arena through Fields resolved once, or read from
// JSON. Setting a fact walks the Field's precomputed field indices (no names, no hashing).
//
// A new record is a skeleton: nested records that are always present are allocated at once,
// optional ones (`T?`) on the first fact set inside them. Every leaf starts as `none`; a required
// leaf that is still `none` is counted in `missing`, and evaluation refuses incomplete facts: an
// unset fact must never read as `false` or `0` in a legal decision.
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <utility>

#include "runtime/api/api_internal.h"

namespace policy::api {

using detail::FactsAccess;
using detail::FactsImpl;
using detail::kListStep;
using detail::MakeError;

namespace {

// Required: must be set before evaluating. Records that are always present are containers, not
// facts; a `name?: T` field may be absent in JSON and so is optional too.
auto IsRequiredLeaf(const TypeTable& types, const FieldInfo& f) -> bool {
  return !f.may_be_absent && !types.IsOptional(f.type) && types.kind(f.type) != policy::Kind::kRecord;
}

// Allocates an empty record of `type` (nested required records included) and returns how many
// required leaves it adds.
auto NewSkeleton(const TypeTable& types, TypeId type, Arena& arena, int64_t& missing) -> policy::Value {
  const RecordInfo& info = types.record_info(type);
  AggregateObject* obj = arena.NewAggregate(static_cast<uint32_t>(info.fields.size()));
  policy::Value* items = obj->mutable_data();
  for (size_t i = 0; i < info.fields.size(); ++i) {
    const FieldInfo& f = info.fields[i];
    if (!f.may_be_absent && types.kind(f.type) == policy::Kind::kRecord) {
      items[i] = NewSkeleton(types, f.type, arena, missing);
    } else {
      items[i] = policy::Value();
      if (IsRequiredLeaf(types, f)) {
        ++missing;
      }
    }
  }
  return policy::Value::Record(obj);
}

auto MutableItems(const policy::Value& v) -> policy::Value* {
  return const_cast<policy::Value*>(v.items().data());
}

// Required leaves still unset under `v` (of `type`), for undoing a subtree.
auto CountMissing(const TypeTable& types, TypeId type, const policy::Value& v) -> int64_t {
  if (v.is_none()) {
    return 0;
  }
  const TypeId t = types.Unwrap(type);
  int64_t n = 0;
  if (types.kind(t) == policy::Kind::kRecord) {
    const RecordInfo& info = types.record_info(t);
    const auto items = v.items();
    for (size_t i = 0; i < info.fields.size(); ++i) {
      if (items[i].is_none()) {
        n += IsRequiredLeaf(types, info.fields[i]) ? 1 : 0;
      } else {
        n += CountMissing(types, info.fields[i].type, items[i]);
      }
    }
  } else if (types.kind(t) == policy::Kind::kList || types.kind(t) == policy::Kind::kSet) {
    for (const policy::Value& item : v.items()) {
      n += CountMissing(types, types.Get(t).elem, item);
    }
  }
  return n;
}

void CollectMissing(const TypeTable& types, TypeId type, const policy::Value& v, const std::string& path,
                    std::vector<std::string>& out) {
  const TypeId t = types.Unwrap(type);
  if (v.is_none()) {
    return;
  }
  if (types.kind(t) == policy::Kind::kRecord) {
    const RecordInfo& info = types.record_info(t);
    const auto items = v.items();
    for (size_t i = 0; i < info.fields.size(); ++i) {
      const std::string p = path.empty() ? info.fields[i].name : path + "." + info.fields[i].name;
      if (items[i].is_none()) {
        if (IsRequiredLeaf(types, info.fields[i])) {
          out.push_back(p);
        }
      } else {
        CollectMissing(types, info.fields[i].type, items[i], p, out);
      }
    }
  } else if (types.kind(t) == policy::Kind::kList || types.kind(t) == policy::Kind::kSet) {
    const auto items = v.items();
    for (size_t i = 0; i < items.size(); ++i) {
      CollectMissing(types, types.Get(t).elem, items[i], fmt::format("{}[{}]", path, i), out);
    }
  }
}

}  // namespace

// Where a Set() writes: the slot, its declared type, and whether it is a required leaf.
struct SlotRef {
  policy::Value* slot = nullptr;
  TypeId type = 0;
  bool required = false;
};

struct detail::FactsAccess {
  static auto Locate(FactsImpl& f, const Field& field, std::span<const size_t> indices) -> Result<SlotRef>;
  static auto Check(const Facts& facts, const Field& field) -> Status;
  // Check() then Locate(): the start of every setter.
  static auto Prepare(Facts& facts, const Field& field, std::span<const size_t> indices) -> Result<SlotRef>;
  static auto Store(Facts& facts, const SlotRef& ref, policy::Value v) -> Status;
  // Brings the handle's hot_ (what the inline Evaluator::Decide reads) in step with impl_: after
  // creating facts and after anything that may change how many facts are missing.
  static void Sync(Facts& facts);
  // Facts of `set` for the record type `type` and the decision key `key`, with nothing read yet:
  // the start of Decision::NewFacts and Decision::FactsFromJson.
  static auto Start(const std::shared_ptr<const SetImpl>& set, TypeId type, const void* key) -> Facts;
};

namespace {

// Where new facts are built before KeepCompact copies them out: one per thread, reset after
// each use, so its blocks serve every case the thread reads.
auto BuildingArena() -> Arena& {
  thread_local Arena arena;
  return arena;
}

// Copies `root`, built in `scratch`, into `*keep`: a fresh arena whose first block is exactly
// what the record took (later blocks of `later_blocks` bytes, for what setters add), then
// empties `scratch`. A case record costs its own bytes, not a 4 KB scratch block.
auto KeepCompact(const policy::Value& root, Arena& scratch, Arena& keep, size_t later_blocks)
    -> policy::Value {
  keep = Arena(std::max<size_t>(scratch.bytes_allocated(), 16), later_blocks);
  const policy::Value copy = CopyValue(root, keep);
  scratch.Reset();
  return copy;
}

}  // namespace

auto FactsAccess::Start(const std::shared_ptr<const SetImpl>& set, TypeId type, const void* key) -> Facts {
  Facts facts;
  facts.impl_ = std::make_unique<FactsImpl>();
  facts.impl_->set = set;
  facts.impl_->record_type = type;
  facts.impl_->type_key = key;
  return facts;
}

void FactsAccess::Sync(Facts& facts) {
  const FactsImpl& f = *facts.impl_;
  facts.hot_.key = f.missing == 0 ? f.type_key : nullptr;
  static_assert(sizeof facts.hot_.root == sizeof f.root);
  std::memcpy(facts.hot_.root, &f.root, sizeof f.root);
}

Facts::Facts() = default;
Facts::~Facts() = default;
// Moved-from facts are empty, their hot_ too: the inline Decide must not read a record that moved
// away (and may be gone).
Facts::Facts(Facts&& other) noexcept : impl_(std::move(other.impl_)), hot_(std::exchange(other.hot_, {})) {}
auto Facts::operator=(Facts&& other) noexcept -> Facts& {
  impl_ = std::move(other.impl_);
  hot_ = std::exchange(other.hot_, {});
  return *this;
}

auto Facts::heap_bytes() const -> size_t {
  return impl_ ? sizeof(FactsImpl) + impl_->arena.bytes_reserved() : 0;
}

auto Decision::NewFacts() const -> Result<Facts> {
  if (!set_) {
    return MakeError(ErrorCode::kInvalidArgument, "the decision handle is empty");
  }
  Facts facts = FactsAccess::Start(set_, input_type_, facts_key_);
  FactsImpl& f = *facts.impl_;
  Arena& scratch = BuildingArena();
  const policy::Value skeleton = NewSkeleton(set_->types(), input_type_, scratch, f.missing);
  // Setters add text and lists later: small blocks for those.
  f.root = KeepCompact(skeleton, scratch, f.arena, 256);
  FactsAccess::Sync(facts);
  return facts;
}

auto Decision::FactsFromJson(std::string_view json, std::string_view file_name) const -> Result<Facts> {
  Facts facts;
  if (auto status = ReadFactsJson(json, file_name, &facts); !status) {
    return status.error();
  }
  return facts;
}

auto Decision::ReadFactsJson(std::string_view json, std::string_view file_name, Facts* facts) const
    -> Status {
  if (!set_) {
    return MakeError(ErrorCode::kInvalidArgument, "the decision handle is empty");
  }
  // Reused facts read into their own arena: the last case's values go, its memory stays for this
  // one (a batch reading case after case). New ones read into a scratch arena, then keep a copy
  // in exactly the memory the record needs (a caller holding many cases).
  const bool reuse = facts->impl_ && facts->impl_->set == set_ && facts->impl_->record_type == input_type_;
  if (reuse) {
    facts->impl_->arena.Reset();
  } else {
    *facts = FactsAccess::Start(set_, input_type_, facts_key_);
  }
  FactsImpl& f = *facts->impl_;
  Arena& into = reuse ? f.arena : BuildingArena();
  // Until a case is read, the facts are incomplete: nothing evaluates the last case's values.
  f.root = policy::Value();
  f.missing = 1;
  FactsAccess::Sync(*facts);
  DiagnosticSink diags;
  std::optional<policy::Value> root;
  try {
    root = set_->engine->ReadCase(index_, json, std::string(file_name), into, diags);
    if (root && !reuse) {
      root = KeepCompact(*root, into, f.arena, 256);
    }
  } catch (const std::bad_alloc&) {
    BuildingArena().Reset();
    return MakeError(ErrorCode::kInvalidInput, "out of memory while reading the case");
  }
  if (!reuse) {
    into.Reset();  // a case that failed to read leaves nothing behind either
  }
  if (!root) {
    auto diagnostics = detail::ToPublic(diags, set_->engine->sources());
    std::string message =
        fmt::format("the case record cannot be read: {}", detail::Summary(diagnostics, "see diagnostics"));
    return MakeError(ErrorCode::kInvalidInput, std::move(message), std::move(diagnostics));
  }
  f.root = *root;
  f.missing = 0;  // the JSON reader requires every key
  FactsAccess::Sync(*facts);
  return {};
}

auto FactsAccess::Check(const Facts& facts, const Field& field) -> Status {
  if (!facts.impl_) {
    return MakeError(ErrorCode::kInvalidArgument, "the facts are empty (moved from or never created)");
  }
  if (!field.set_) {
    return MakeError(ErrorCode::kInvalidArgument, "the field handle is empty");
  }
  if (field.set_ != facts.impl_->set) {
    return MakeError(ErrorCode::kStale, fmt::format("field `{}` belongs to another version of the policies; "
                                                    "resolve it again on the version the facts were made for",
                                                    field.path()));
  }
  if (field.record_type_ != facts.impl_->record_type) {
    return MakeError(ErrorCode::kTypeMismatch,
                     fmt::format("field `{}` is a field of `{}`, these facts are a `{}`", field.path(),
                                 field.set_->types().Name(field.record_type_),
                                 field.set_->types().Name(facts.impl_->record_type)));
  }
  return {};
}

auto FactsAccess::Prepare(Facts& facts, const Field& field, std::span<const size_t> indices)
    -> Result<SlotRef> {
  if (Status s = Check(facts, field); !s) {
    return s.error();
  }
  auto ref = Locate(*facts.impl_, field, indices);
  Sync(facts);  // Locate creates an optional record on the way, with its own missing facts
  return ref;
}

auto FactsAccess::Locate(FactsImpl& f, const Field& field, std::span<const size_t> indices)
    -> Result<SlotRef> {
  const TypeTable& types = f.set->types();
  if (indices.size() != field.list_depth()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("field `{}` needs {} list index(es), {} given", field.path(),
                                 field.list_depth(), indices.size()));
  }
  policy::Value* slot = &f.root;
  TypeId type = f.record_type;
  bool required = false;
  size_t next_index = 0;
  for (const uint32_t step : field.steps_) {
    const TypeId t = types.Unwrap(type);
    if (step == kListStep) {
      const size_t i = indices[next_index++];
      if (slot->is_none() || i >= slot->items().size()) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("field `{}`: index {} is past the end of a list of {} (call Resize first)",
                        field.path(), i, slot->is_none() ? 0 : slot->items().size()));
      }
      slot = MutableItems(*slot) + i;
      type = types.Get(t).elem;
      required = false;
      continue;
    }
    if (slot->is_none()) {
      // An optional record comes into being with its first fact.
      *slot = NewSkeleton(types, t, f.arena, f.missing);
    }
    const FieldInfo& fi = types.record_info(t).fields[step];
    slot = MutableItems(*slot) + step;
    type = fi.type;
    required = IsRequiredLeaf(types, fi);
  }
  return SlotRef{slot, type, required};
}

auto FactsAccess::Store(Facts& facts, const SlotRef& ref, policy::Value v) -> Status {
  FactsImpl& f = *facts.impl_;
  const TypeTable& types = f.set->types();
  if (ref.required && ref.slot->is_none() && !v.is_none()) {
    --f.missing;
  }
  f.missing -= CountMissing(types, ref.type, *ref.slot);
  *ref.slot = v;
  f.missing += CountMissing(types, ref.type, v);
  Sync(facts);
  return {};
}

namespace {

auto Mismatch(const Field& field, const TypeTable& types, TypeId type, std::string_view given) -> Error {
  return MakeError(ErrorCode::kTypeMismatch, fmt::format("field `{}` is a `{}`; cannot set it to {}",
                                                         field.path(), types.Name(type), given));
}

// Shared body of the scalar setters: locate, check the kind, store.
template <typename Make>
auto SetScalar(Facts& facts, std::unique_ptr<detail::FactsImpl>& impl, const Field& field,
               std::span<const size_t> indices, policy::Kind want, std::string_view given, Make make)
    -> Status {
  auto ref = FactsAccess::Prepare(facts, field, indices);
  if (!ref) {
    return ref.error();
  }
  const TypeTable& types = impl->set->types();
  const TypeId t = types.Unwrap(ref->type);
  if (types.kind(t) != want) {
    return Mismatch(field, types, ref->type, given);
  }
  auto v = make(t);
  if (!v) {
    return v.error();
  }
  return FactsAccess::Store(facts, *ref, *v);
}

}  // namespace

auto Facts::Set(const Field& field, bool value, std::span<const size_t> indices) -> Status {
  return SetScalar(*this, impl_, field, indices, policy::Kind::kBool, "a Bool",
                   [&](TypeId) -> Result<policy::Value> { return policy::Value::Bool(value); });
}

auto Facts::Set(const Field& field, int64_t value, std::span<const size_t> indices) -> Status {
  if (Status s = FactsAccess::Check(*this, field); !s) {
    return s;
  }
  // An integer fact may also fill a Decimal field exactly.
  const TypeTable& types = impl_->set->types();
  const bool decimal = types.kind(types.Unwrap(field.field_type_)) == policy::Kind::kDecimal;
  return SetScalar(*this, impl_, field, indices, decimal ? policy::Kind::kDecimal : policy::Kind::kInt,
                   "an Int", [&](TypeId) -> Result<policy::Value> {
                     if (!decimal) {
                       return policy::Value::Int(value);
                     }
                     const auto d = Decimal::FromInt(value);
                     if (!d) {
                       return MakeError(ErrorCode::kTypeMismatch,
                                        fmt::format("field `{}`: {} is outside the range of a Decimal "
                                                    "(less than 10^17 in magnitude)",
                                                    field.path(), value));
                     }
                     return policy::Value::Dec(*d);
                   });
}

auto Facts::SetDecimal(const Field& field, std::string_view text, std::span<const size_t> indices) -> Status {
  return SetScalar(*this, impl_, field, indices, policy::Kind::kDecimal, fmt::format("\"{}\"", text),
                   [&](TypeId) -> Result<policy::Value> {
                     const auto d = Decimal::Parse(text);
                     if (!d) {
                       return MakeError(ErrorCode::kTypeMismatch,
                                        fmt::format("field `{}`: `{}` is not a decimal number with at most "
                                                    "18 places and less than 10^17 in magnitude",
                                                    field.path(), text));
                     }
                     return policy::Value::Dec(*d);
                   });
}

auto Facts::Set(const Field& field, double value, std::span<const size_t> indices) -> Status {
  if (!std::isfinite(value)) {
    return MakeError(ErrorCode::kTypeMismatch,
                     fmt::format("field `{}`: {} is not a finite number", field.path(), value));
  }
  // The shortest text that reads back as the same double ("7.5", "0.1"); Set(field, text) is exact.
  return SetDecimal(field, fmt::format("{}", value), indices);
}

auto Facts::Set(const Field& field, std::string_view text, std::span<const size_t> indices) -> Status {
  if (FindInvalidUtf8(text) != std::string_view::npos) {
    return MakeError(ErrorCode::kTypeMismatch,
                     fmt::format("field `{}`: the text is not valid UTF-8", field.path()));
  }
  return SetScalar(*this, impl_, field, indices, policy::Kind::kText, "a text",
                   [&](TypeId) -> Result<policy::Value> { return impl_->arena.NewText(text); });
}

auto Facts::Set(const Field& field, Date value, std::span<const size_t> indices) -> Status {
  return SetScalar(
      *this, impl_, field, indices, policy::Kind::kDate, "a Date", [&](TypeId) -> Result<policy::Value> {
        const auto d = detail::ToEngineDate(value);
        if (!d) {
          return MakeError(ErrorCode::kInvalidArgument,
                           fmt::format("field `{}`: not a valid date in the years 1 to 9999", field.path()));
        }
        return policy::Value::DateV(*d);
      });
}

auto Facts::Set(const Field& field, const EnumValue& value, std::span<const size_t> indices) -> Status {
  return SetScalar(
      *this, impl_, field, indices, policy::Kind::kEnum, "an enum member",
      [&](TypeId t) -> Result<policy::Value> {
        if (value.version != impl_->set->version) {
          return MakeError(ErrorCode::kStale, "the enum value belongs to another version of the policies");
        }
        if (value.type != t) {
          return MakeError(ErrorCode::kTypeMismatch,
                           fmt::format("field `{}` is a `{}`; the value is a member of `{}`", field.path(),
                                       impl_->set->types().Name(t), impl_->set->types().Name(value.type)));
        }
        return policy::Value::Enum(value.ordinal);
      });
}

auto Facts::SetDuration(const Field& field, int64_t count, std::string_view unit,
                        std::span<const size_t> indices) -> Status {
  return SetScalar(*this, impl_, field, indices, policy::Kind::kDuration, "a Duration",
                   [&](TypeId) -> Result<policy::Value> {
                     DurationUnit u;
                     if (unit == "days" || unit == "day") {
                       u = DurationUnit::kDays;
                     } else if (unit == "weeks" || unit == "week") {
                       u = DurationUnit::kWeeks;
                     } else if (unit == "months" || unit == "month") {
                       u = DurationUnit::kMonths;
                     } else if (unit == "years" || unit == "year") {
                       u = DurationUnit::kYears;
                     } else {
                       return MakeError(
                           ErrorCode::kInvalidArgument,
                           fmt::format("`{}` is not a unit: days, weeks, months or years", unit));
                     }
                     return policy::Value::Dur(Duration{count, u});
                   });
}

namespace {

// Lists and sets of scalars: `make` turns one element into a policy::Value or an error.
template <typename T, typename Make>
auto SetCollection(Facts& facts, std::unique_ptr<detail::FactsImpl>& impl, const Field& field,
                   std::span<const T> values, std::span<const size_t> indices, policy::Kind elem_kind,
                   std::string_view given, Make make) -> Status {
  auto ref = FactsAccess::Prepare(facts, field, indices);
  if (!ref) {
    return ref.error();
  }
  const TypeTable& types = impl->set->types();
  const TypeId t = types.Unwrap(ref->type);
  const policy::Kind kind = types.kind(t);
  if ((kind != policy::Kind::kList && kind != policy::Kind::kSet) ||
      types.kind(types.Get(t).elem) != elem_kind) {
    return Mismatch(field, types, ref->type, given);
  }
  if (values.size() > vm::kMaxGeneratedItems) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("field `{}`: {} items; the limit is {}", field.path(), values.size(),
                                 vm::kMaxGeneratedItems));
  }
  std::vector<policy::Value> items;
  items.reserve(values.size());
  for (const T& v : values) {
    auto item = make(types.Get(t).elem, v);
    if (!item) {
      return item.error();
    }
    items.push_back(*item);
  }
  const policy::Value list =
      kind == policy::Kind::kSet ? impl->arena.NewSet(std::move(items)) : impl->arena.NewList(items);
  return FactsAccess::Store(facts, *ref, list);
}

}  // namespace

auto Facts::Set(const Field& field, std::span<const Date> values, std::span<const size_t> indices) -> Status {
  return SetCollection(*this, impl_, field, values, indices, policy::Kind::kDate, "a list of dates",
                       [&](TypeId, Date d) -> Result<policy::Value> {
                         const auto e = detail::ToEngineDate(d);
                         if (!e) {
                           return MakeError(ErrorCode::kInvalidArgument,
                                            fmt::format("field `{}`: a date is not valid", field.path()));
                         }
                         return policy::Value::DateV(*e);
                       });
}

auto Facts::Set(const Field& field, std::span<const EnumValue> values, std::span<const size_t> indices)
    -> Status {
  return SetCollection(
      *this, impl_, field, values, indices, policy::Kind::kEnum, "a list of enum members",
      [&](TypeId elem, const EnumValue& e) -> Result<policy::Value> {
        if (e.version != impl_->set->version) {
          return MakeError(ErrorCode::kStale, "an enum value belongs to another version of the policies");
        }
        if (e.type != elem) {
          return MakeError(ErrorCode::kTypeMismatch,
                           fmt::format("field `{}` holds `{}`; a value is a member of `{}`", field.path(),
                                       impl_->set->types().Name(elem), impl_->set->types().Name(e.type)));
        }
        return policy::Value::Enum(e.ordinal);
      });
}

auto Facts::Resize(const Field& field, size_t count, std::span<const size_t> indices) -> Status {
  auto ref = FactsAccess::Prepare(*this, field, indices);
  if (!ref) {
    return ref.error();
  }
  const TypeTable& types = impl_->set->types();
  const TypeId t = types.Unwrap(ref->type);
  if (types.kind(t) != policy::Kind::kList) {
    return Mismatch(field, types, ref->type, "a list of records");
  }
  const TypeId elem = types.Get(t).elem;
  if (types.kind(elem) != policy::Kind::kRecord) {
    return MakeError(ErrorCode::kTypeMismatch,
                     fmt::format("field `{}` is a `{}`: Resize makes lists of records; set "
                                 "lists of values with Set",
                                 field.path(), types.Name(ref->type)));
  }
  if (count > vm::kMaxGeneratedItems) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("field `{}`: {} items; the limit is {}",
                                                              field.path(), count, vm::kMaxGeneratedItems));
  }
  // Items already set keep their facts; new ones are empty records.
  const policy::Value old = *ref->slot;
  const auto old_items = old.is_none() ? std::span<const policy::Value>{} : old.items();
  AggregateObject* obj = impl_->arena.NewAggregate(static_cast<uint32_t>(count));
  int64_t added = 0;
  for (size_t i = 0; i < count; ++i) {
    obj->mutable_data()[i] =
        i < old_items.size() ? old_items[i] : NewSkeleton(types, elem, impl_->arena, added);
  }
  // Store() counts the whole new list, skeletons included; `added` is not needed.
  return FactsAccess::Store(*this, *ref, policy::Value::List(obj));
}

auto Facts::Clear(const Field& field, std::span<const size_t> indices) -> Status {
  auto ref = FactsAccess::Prepare(*this, field, indices);
  if (!ref) {
    return ref.error();
  }
  const TypeTable& types = impl_->set->types();
  if (ref->required) {
    return MakeError(ErrorCode::kTypeMismatch, fmt::format("field `{}` is a `{}`, which cannot be none",
                                                           field.path(), types.Name(ref->type)));
  }
  return FactsAccess::Store(*this, *ref, policy::Value());
}

auto Facts::missing() const -> std::vector<std::string> {
  std::vector<std::string> out;
  if (impl_ && impl_->missing > 0) {
    CollectMissing(impl_->set->types(), impl_->record_type, impl_->root, "", out);
  }
  return out;
}

}  // namespace policy::api
