#include "runtime/engine/fast_case_reader.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace policy {

auto ParseCaseDuration(std::string_view s) -> std::optional<Duration> {
  if (s.size() < 3 || s[0] != 'P') {
    return std::nullopt;
  }
  const std::string_view digits = s.substr(1, s.size() - 2);
  if (digits.empty() || digits.size() >= 18) {
    return std::nullopt;
  }
  int64_t n = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    n = n * 10 + (c - '0');
  }
  switch (s.back()) {
    case 'D':
      return Duration{n, DurationUnit::kDays};
    case 'W':
      return Duration{n, DurationUnit::kWeeks};
    case 'M':
      return Duration{n, DurationUnit::kMonths};
    case 'Y':
      return Duration{n, DurationUnit::kYears};
    default:
      return std::nullopt;
  }
}

namespace {

namespace dom = simdjson::dom;

// Whether `text` may hold a JSON number of 16 or more significant digits: whether some run of
// digits and dots holds 16 digits (a mantissa). A run in a string, or of leading zeros, only
// makes the answer cautious. Such a run is at least 16 bytes long, so it covers one of every 16
// bytes: only those are looked at, and the run around one only when it is a digit or a dot.
auto MayHaveLongNumber(std::string_view text) -> bool {
  auto in_number = [](char c) { return (c >= '0' && c <= '9') || c == '.'; };
  const size_t n = text.size();
  for (size_t i = 15; i < n; i += 16) {
    if (!in_number(text[i])) {
      continue;
    }
    size_t begin = i;
    while (begin > 0 && in_number(text[begin - 1])) {
      --begin;
    }
    size_t end = i + 1;
    while (end < n && in_number(text[end])) {
      ++end;
    }
    const auto dots = static_cast<size_t>(std::count(text.begin() + begin, text.begin() + end, '.'));
    if (end - begin >= 16 && end - begin - dots >= 16) {
      return true;
    }
  }
  return false;
}

class FastBinder {
 public:
  FastBinder(const TypeTable& types, Arena& arena, const InputLimits& limits, std::string_view text)
      : types_(types), arena_(arena), limits_(limits), text_(text) {}

  // False: step aside (the full reader decides).
  auto Bind(dom::element j, TypeId type, int depth, Value* out) -> bool {
    if (types_.IsOptional(type)) {
      if (j.is_null()) {
        *out = Value();
        return true;
      }
      type = types_.Get(type).elem;
    }
    switch (types_.kind(type)) {
      case Kind::kBool: {
        bool b = false;
        if (j.get_bool().get(b)) {
          return false;
        }
        *out = Value::Bool(b);
        return true;
      }
      case Kind::kInt: {
        int64_t i = 0;
        if (j.type() != dom::element_type::INT64 || j.get_int64().get(i)) {
          return false;  // a fraction, an exponent, or beyond 64 bits: the full reader says which
        }
        *out = Value::Int(i);
        return true;
      }
      case Kind::kDecimal: {
        if (j.type() == dom::element_type::INT64) {
          const auto d = Decimal::FromInt(j.get_int64().value_unsafe());
          if (!d) {
            return false;
          }
          *out = Value::Dec(*d);
          return true;
        }
        if (j.type() != dom::element_type::DOUBLE || !NoLongNumbers()) {
          return false;
        }
        // simdjson holds the number as the nearest double. Every number in the text has at most
        // 15 significant digits (NoLongNumbers), and two such numbers never share a normal double
        // (DBL_DIG), so the shortest text that gives the same double back is the number written,
        // if not its spelling ("12.50" gives "12.5"): the same Decimal. (Found by
        // ExactDecimalCaseTest: 1e-400 underflows to 0, which is not normal.)
        const double x = j.get_double().value_unsafe();
        if (!std::isnormal(x)) {
          return false;  // 0 is also what 1e-400 becomes: only the text tells them apart
        }
        char digits[32];
        const auto end = fmt::format_to_n(digits, sizeof digits, "{}", x);
        const auto d = Decimal::Parse(std::string_view(digits, static_cast<size_t>(end.out - digits)));
        if (!d) {
          return false;  // out of range, or more places than a Decimal holds: the full reader says which
        }
        *out = Value::Dec(*d);
        return true;
      }
      case Kind::kText: {
        std::string_view s;
        if (j.get_string().get(s)) {
          return false;
        }
        *out = arena_.NewText(s);
        return true;
      }
      case Kind::kDate: {
        std::string_view s;
        if (j.get_string().get(s)) {
          return false;
        }
        const auto d = Date::Parse(s);
        if (!d) {
          return false;
        }
        *out = Value::DateV(*d);
        return true;
      }
      case Kind::kDuration: {
        std::string_view s;
        if (j.get_string().get(s)) {
          return false;
        }
        const auto d = ParseCaseDuration(s);
        if (!d) {
          return false;
        }
        *out = Value::Dur(*d);
        return true;
      }
      case Kind::kEnum: {
        std::string_view s;
        if (j.get_string().get(s)) {
          return false;
        }
        const EnumInfo& info = types_.enum_info(type);
        for (uint32_t i = 0; i < info.json_names.size(); ++i) {
          if (info.json_names[i] == s) {
            *out = Value::Enum(i);
            return true;
          }
        }
        return false;
      }
      case Kind::kRecord:
        return BindRecord(j, type, depth, out);
      case Kind::kList:
      case Kind::kSet: {
        dom::array array;
        // A value inside `max_depth` open arrays and objects is too deep for the full reader.
        if (depth + 1 >= limits_.max_depth || j.get_array().get(array)) {
          return false;
        }
        const size_t n = array.size();
        if (n > limits_.max_list_items) {
          return false;
        }
        const TypeId elem = types_.Get(type).elem;
        if (types_.kind(type) == Kind::kList) {  // straight into the list's slots
          AggregateObject* list = arena_.NewAggregate(static_cast<uint32_t>(n));
          size_t i = 0;
          for (dom::element item : array) {
            if (!Bind(item, elem, depth + 1, &list->mutable_data()[i++])) {
              return false;
            }
          }
          *out = Value::List(list);
          return true;
        }
        std::vector<Value> items(n);
        size_t i = 0;
        for (dom::element item : array) {
          if (!Bind(item, elem, depth + 1, &items[i++])) {
            return false;
          }
        }
        {
          Value set = arena_.NewSet(items);
          if (set.items().size() != n) {
            return false;  // duplicates are an error, which the full reader reports
          }
          *out = set;
          return true;
        }
      }
      default:
        return false;
    }
  }

 private:
  auto BindRecord(dom::element j, TypeId type, int depth, Value* out) -> bool {
    dom::object object;
    if (depth + 1 >= limits_.max_depth || j.get_object().get(object)) {
      return false;
    }
    const RecordInfo& rec = types_.record_info(type);
    const size_t count = rec.fields.size();
    if (count > 64) {
      return false;  // the fields given are tracked in one word; wider records take the full road
    }
    AggregateObject* record = arena_.NewAggregate(static_cast<uint32_t>(count));  // every slot none
    // Which fields the object gave: a key given twice (nlohmann keeps the last) or a required
    // field never given (an error) is for the full reader to decide.
    uint64_t given = 0;
    uint32_t next = 0;  // case files mostly list the fields in their declared order: try it first
    for (const dom::key_value_pair field : object) {
      const auto index = next < count && rec.fields[next].name == field.key ? std::optional<uint32_t>(next)
                                                                            : rec.FieldIndex(field.key);
      next = index ? *index + 1 : 0;
      if (!index || (given >> *index & 1) != 0) {
        return false;
      }
      given |= uint64_t{1} << *index;
      if (!Bind(field.value, rec.fields[*index].type, depth + 1, &record->mutable_data()[*index])) {
        return false;
      }
    }
    for (size_t i = 0; i < count; ++i) {
      if ((given >> i & 1) == 0 && !rec.fields[i].may_be_absent) {
        return false;
      }
    }
    *out = Value::Record(record);
    return true;
  }

  // Scanned once, when a Decimal field first holds a fraction.
  auto NoLongNumbers() -> bool {
    if (no_long_numbers_ < 0) {
      no_long_numbers_ = MayHaveLongNumber(text_) ? 0 : 1;
    }
    return no_long_numbers_ == 1;
  }

  const TypeTable& types_;
  Arena& arena_;
  const InputLimits& limits_;
  std::string_view text_;
  int no_long_numbers_ = -1;  // unknown until asked
};

}  // namespace

auto ReadCaseFast(const TypeTable& types, TypeId record, std::string_view json, Arena& arena,
                  const InputLimits& limits) -> std::optional<Value> {
  // One parser per thread: it keeps its buffers, sized to the largest case it has read.
  thread_local dom::parser parser;
  dom::element root;
  if (json.size() > limits.max_bytes || parser.parse(json.data(), json.size()).get(root)) {
    return std::nullopt;
  }
  FastBinder binder(types, arena, limits, json);
  Value out;
  if (!binder.Bind(root, record, 0, &out)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace policy
