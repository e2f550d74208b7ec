// Case records: JSON text -> runtime values, guided by the declared record type. Every
// mismatch is reported with its JSON path ($.programme.mode) and, for enum values, a
// suggestion; the whole record is checked so one run lists every problem.
//
// Numbers are read from their text (runtime/engine/exact_json.h): the digits written in the case
// reach Decimal::Parse as they are, never through a double.
#include <fmt/format.h>

#include <cstring>

#include <algorithm>
#include <cstdint>

#include "runtime/engine/engine.h"
#include "runtime/engine/exact_json.h"
#include "runtime/engine/fast_case_reader.h"

namespace policy {
namespace {

// The 1-based line and column (in code points) of byte `at` of `text`.
auto LineColumn(std::string_view text, size_t at) -> std::pair<uint32_t, uint32_t> {
  uint32_t line = 1;
  uint32_t col = 1;
  for (size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col};
}

using json = nlohmann::json;

// The decimal places a `Decimal` holds, named in the error for a number with more.
constexpr int kDecimalPlaces = Decimal::kPlaces;

// The decimal places of JSON number text once trailing zeros are dropped: 2 for "7.250" and for
// "2.5E-1" (0.25), 0 for "1e3" and "12.0".
auto DecimalPlaces(std::string_view text) -> int64_t {
  const size_t e = text.find_first_of("eE");
  const std::string_view mantissa = text.substr(0, e);
  int64_t exponent = 0;
  if (e != std::string_view::npos) {
    const std::string_view digits = text.substr(e + 1);
    const bool negative = !digits.empty() && digits[0] == '-';
    for (const char c : digits) {
      if (c >= '0' && c <= '9') {
        exponent = std::min<int64_t>(exponent * 10 + (c - '0'), 1'000'000'000);
      }
    }
    exponent = negative ? -exponent : exponent;
  }
  const size_t point = mantissa.find('.');
  std::string_view fraction = point == std::string_view::npos ? "" : mantissa.substr(point + 1);
  std::string digits = std::string(mantissa.substr(0, point)) + std::string(fraction);
  digits.erase(0, std::min(digits.find_first_not_of("-0"), digits.size()));
  if (digits.empty()) {
    return 0;  // zero
  }
  const size_t zeros = digits.size() - 1 - digits.find_last_not_of('0');
  return std::max<int64_t>(0, static_cast<int64_t>(fraction.size()) - exponent - static_cast<int64_t>(zeros));
}

auto JsonTypeName(const json& j) -> const char* {
  if (exact_json::IsNumber(j)) {
    return exact_json::IsIntegerText(exact_json::NumberText(j)) ? "an integer" : "a number";
  }
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

class Binder {
 public:
  // `decision` is the decision the case is read for, named in errors about missing fields.
  Binder(const TypeTable& types, Arena& arena, const std::string& file, DiagnosticSink& diags,
         std::string decision)
      : types_(types), arena_(arena), file_(file), diags_(diags), decision_(std::move(decision)) {}

  void set_root_type(std::string name) { root_type_ = std::move(name); }
  void set_max_list_items(size_t n) { max_list_items_ = n; }

  auto Bind(const json& j, TypeId type, const std::string& path) -> Value {
    if (errors_ >= kMaxErrors) {
      return Value();
    }
    if (types_.IsOptional(type)) {
      return j.is_null() ? Value() : Bind(j, types_.Get(type).elem, path);
    }
    switch (types_.kind(type)) {
      case Kind::kBool:
        if (j.is_boolean()) {
          return Value::Bool(j.get<bool>());
        }
        return Mismatch(j, path, "a boolean (`true` or `false`)");
      case Kind::kInt:
        if (j.is_number_integer() && (!j.is_number_unsigned() || j.get<uint64_t>() <= INT64_MAX)) {
          return Value::Int(j.get<int64_t>());
        }
        if (exact_json::IsNumber(j) && exact_json::IsIntegerText(exact_json::NumberText(j))) {
          Report(DiagCode::kInputOutOfRange, path,
                 fmt::format("{} is too large for an `Int`", exact_json::NumberText(j)));
          return Value();
        }
        return Mismatch(j, path, "an integer");
      case Kind::kDecimal: {
        if (j.is_number_integer() && !j.is_number_unsigned()) {
          if (const auto d = Decimal::FromInt(j.get<int64_t>())) {
            return Value::Dec(*d);
          }
        }
        if (!exact_json::IsNumber(j)) {
          return Mismatch(j, path, "a number");
        }
        // The number exactly as the case writes it: "1234567.891234567891", "2.5E-1".
        const std::string text = exact_json::NumberText(j);
        if (const auto d = Decimal::Parse(text)) {
          return Value::Dec(*d);
        }
        if (const int64_t places = DecimalPlaces(text); places > kDecimalPlaces) {
          Report(DiagCode::kInputOutOfRange, path,
                 fmt::format("{} has {} decimal places; a `Decimal` holds at most {}", text, places,
                             kDecimalPlaces))
              .WithHelp(fmt::format("round it to {} decimal places", kDecimalPlaces));
        } else {
          Report(DiagCode::kInputOutOfRange, path,
                 fmt::format("{} is out of range for a `Decimal` (less than 10^{} in magnitude)", text,
                             Decimal::kIntegerDigits));
        }
        return Value();
      }
      case Kind::kText:
        if (j.is_string()) {
          return arena_.NewText(j.get_ref<const std::string&>());
        }
        return Mismatch(j, path, "a string");
      case Kind::kDate: {
        if (!j.is_string()) {
          return Mismatch(j, path, "a date string \"YYYY-MM-DD\"");
        }
        const std::string& s = j.get_ref<const std::string&>();
        if (const auto d = Date::Parse(s)) {
          return Value::DateV(*d);
        }
        Report(DiagCode::kInvalidDate, path, fmt::format("\"{}\" is not a valid date", s))
            .WithHelp(
                "dates are written \"YYYY-MM-DD\" and must exist (2024-02-29 does, 2023-02-29 does not)");
        return Value();
      }
      case Kind::kDuration: {
        if (j.is_string()) {
          if (const auto d = ParseCaseDuration(j.get_ref<const std::string&>())) {
            return Value::Dur(*d);
          }
        }
        return Mismatch(j, path, "an ISO 8601 duration such as \"P26W\" or \"P12M\"");
      }
      case Kind::kEnum: {
        const EnumInfo& info = types_.enum_info(type);
        if (!j.is_string()) {
          return Mismatch(j, path, fmt::format("one of the `{}` values as a string", types_.Name(type)));
        }
        const std::string& s = j.get_ref<const std::string&>();
        for (uint32_t i = 0; i < info.json_names.size(); ++i) {
          if (info.json_names[i] == s) {
            return Value::Enum(i);
          }
        }
        Diagnostic& d = Report(DiagCode::kUnknownEnumValue, path,
                               fmt::format("\"{}\" is not a `{}` value", s, types_.Name(type)));
        if (const std::string hint = SuggestName(s, info.json_names); !hint.empty()) {
          d.WithHelp(fmt::format("did you mean \"{}\"?", hint));
        }
        std::string list;
        for (size_t i = 0; i < info.json_names.size(); ++i) {
          list += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", info.json_names[i]);
        }
        d.WithNote(fmt::format("`{}` is one of {}", types_.Name(type), list));
        return Value();
      }
      case Kind::kRecord:
        return BindRecord(j, type, path);
      case Kind::kList:
      case Kind::kSet: {
        if (!j.is_array()) {
          return Mismatch(j, path, "an array");
        }
        if (j.size() > max_list_items_) {
          Report(DiagCode::kInputTooLarge, path,
                 fmt::format("the array has {} items; the limit is {}", j.size(), max_list_items_));
          return Value();
        }
        std::vector<Value> items;
        items.reserve(j.size());
        for (size_t i = 0; i < j.size(); ++i) {
          items.push_back(Bind(j[i], types_.Get(type).elem, fmt::format("{}[{}]", path, i)));
        }
        if (types_.kind(type) == Kind::kSet) {
          const size_t before = items.size();
          Value set = arena_.NewSet(items);
          if (set.items().size() != before) {
            Report(DiagCode::kWrongInputType, path, "the array lists the same item twice, but it is a set")
                .WithHelp("remove the duplicates");
          }
          return set;
        }
        return arena_.NewList(items);
      }
      default:
        Report(DiagCode::kWrongInputType, path,
               fmt::format("values of type `{}` cannot be read from JSON", types_.Name(type)));
        return Value();
    }
  }

  auto errors() const -> int { return errors_; }

 private:
  auto BindRecord(const json& j, TypeId type, const std::string& path) -> Value {
    const RecordInfo& rec = types_.record_info(type);
    if (!j.is_object()) {
      return Mismatch(j, path, fmt::format("an object (a `{}` record)", types_.Name(type)));
    }
    AggregateObject* out = arena_.NewAggregate(static_cast<uint32_t>(rec.fields.size()));
    for (size_t i = 0; i < rec.fields.size(); ++i) {
      const FieldInfo& f = rec.fields[i];
      const std::string field_path = path + "." + f.name;
      const auto it = j.find(f.name);
      if (it == j.end() && f.may_be_absent) {
        continue;  // stays none
      }
      if (it == j.end()) {
        Report(DiagCode::kMissingInputField, field_path, fmt::format("the case has no field `{}`", f.name))
            .WithNote(
                fmt::format("decision `{}` needs it: it reads the whole case as a `{}`, which is checked "
                            "before anything is evaluated",
                            decision_, root_type_))
            .WithHelp(types_.IsOptional(f.type)
                          ? fmt::format("write `\"{}\": null` when it does not apply", f.name)
                          : fmt::format("`{}` of `{}` is required: a `{}`", f.name, types_.Name(type),
                                        types_.Name(f.type)));
        continue;
      }
      out->mutable_data()[i] = Bind(*it, f.type, field_path);
    }
    for (const auto& [key, value] : j.items()) {
      if (!rec.FieldIndex(key)) {
        std::vector<std::string> names;
        for (const FieldInfo& f : rec.fields) {
          names.push_back(f.name);
        }
        Diagnostic& d = Report(DiagCode::kUnexpectedInputField, path + "." + key,
                               fmt::format("`{}` has no field `{}`", types_.Name(type), key));
        if (const std::string s = SuggestName(key, names); !s.empty()) {
          d.WithHelp(fmt::format("did you mean `{}`?", s));
        }
      }
    }
    return Value::Record(out);
  }

  auto Mismatch(const json& j, const std::string& path, const std::string& expected) -> Value {
    Report(DiagCode::kWrongInputType, path, fmt::format("expected {}, found {}", expected, JsonTypeName(j)));
    return Value();
  }

  auto Report(DiagCode code, const std::string& path, std::string message) -> Diagnostic& {
    ++errors_;
    return diags_.ReportInput(code, file_, path, std::move(message));
  }

  static constexpr int kMaxErrors = 50;
  const TypeTable& types_;
  Arena& arena_;
  const std::string& file_;
  DiagnosticSink& diags_;
  std::string decision_;
  std::string root_type_;
  size_t max_list_items_ = SIZE_MAX;
  int errors_ = 0;
};

}  // namespace

auto Engine::ReadCase(uint32_t decision, std::string_view json_text, const std::string& file,
                      vm::Context& ctx, DiagnosticSink& diags, const InputLimits& limits) const
    -> std::optional<Value> {
  return ReadCase(decision, json_text, file, ctx.input_arena(), diags, limits);
}

auto Engine::ReadCase(uint32_t decision, std::string_view json_text, const std::string& file, Arena& arena,
                      DiagnosticSink& diags, const InputLimits& limits) const -> std::optional<Value> {
  const ir::Decision& d = ir_->decisions[decision];
  if (d.params.size() != 1 || ir_->types.kind(d.params[0]) != Kind::kRecord) {
    diags
        .Report(DiagCode::kNotEvaluable, d.span,
                fmt::format("decision `{}` cannot be evaluated on a case file", d.name), "declared here")
        .WithNote(
            "a decision evaluated from JSON takes exactly one parameter of a record type, e.g. `(c: Case)`");
    return std::nullopt;
  }
  if (json_text.size() > limits.max_bytes) {
    diags.ReportInput(
        DiagCode::kInputTooLarge, file, "",
        fmt::format("the case is {} bytes; the limit is {} bytes", json_text.size(), limits.max_bytes));
    return std::nullopt;
  }
  // JSON text cannot hold a NUL byte (a string writes it \u0000), and the parsers would take one
  // for the end of the input and accept whatever follows it.
  if (const void* nul = std::memchr(json_text.data(), 0, json_text.size()); nul != nullptr) {
    const size_t at = static_cast<size_t>(static_cast<const char*>(nul) - json_text.data());
    const auto [line, col] = LineColumn(json_text, at);
    diags
        .ReportInput(
            DiagCode::kInvalidJson, file, "",
            fmt::format("invalid JSON at line {}, column {}: a NUL byte, which JSON text cannot hold", line,
                        col))
        .WithHelp("inside a string, write it as \\u0000; outside one, remove it");
    return std::nullopt;
  }
  if (limits.fast_reader) {
    if (auto fast = ReadCaseFast(ir_->types, d.params[0], json_text, arena, limits)) {
      return fast;
    }
  }
  json parsed;
  try {
    parsed = exact_json::ParseStrict<json>(json_text, limits.max_depth);
  } catch (const exact_json::DuplicateKey& e) {
    diags
        .ReportInput(DiagCode::kInvalidJson, file, e.path,
                     fmt::format("the key `{}` is given twice in one object",
                                 e.path.substr(e.path.find_last_of('.') + 1)))
        .WithHelp("give each field once; which of two values was meant cannot be guessed");
    return std::nullopt;
  } catch (const exact_json::TooDeep& e) {
    diags.ReportInput(
        DiagCode::kInputTooLarge, file, e.path,
        fmt::format("the case nests objects and arrays more than {} levels deep", limits.max_depth));
    return std::nullopt;
  } catch (const exact_json::BadNumber& e) {
    const size_t end = std::min(e.byte > 0 ? e.byte - 1 : 0, json_text.size());
    const auto [line, col] = LineColumn(json_text, end >= e.text.size() ? end + 1 - e.text.size() : 0);
    diags.ReportInput(
        DiagCode::kInvalidJson, file, e.path,
        fmt::format("invalid JSON at line {}, column {}: the number {} is too large for any number "
                    "type",
                    line, col, e.text));
    return std::nullopt;
  } catch (const json::parse_error& e) {
    // Byte offset -> line and column for the message.
    const auto [line, col] = LineColumn(json_text, std::min(e.byte > 0 ? e.byte - 1 : 0, json_text.size()));
    std::string reason = e.what();
    if (const size_t colon = reason.find(": ", reason.find("parse error")); colon != std::string::npos) {
      reason = reason.substr(colon + 2);
    }
    diags.ReportInput(DiagCode::kInvalidJson, file, "",
                      fmt::format("invalid JSON at line {}, column {}: {}", line, col, reason));
    return std::nullopt;
  } catch (const json::exception& e) {
    // Not a syntax error but a value the parser cannot hold: a number such as 1e999999 overflows
    // a double (nlohmann's out_of_range 406). Found by fuzz_case_json.
    std::string reason = e.what();
    if (const size_t bracket = reason.find("] "); bracket != std::string::npos) {
      reason = reason.substr(bracket + 2);
    }
    diags.ReportInput(DiagCode::kInvalidJson, file, "", fmt::format("invalid JSON: {}", reason));
    return std::nullopt;
  }
  Binder binder(ir_->types, arena, file, diags, d.name);
  binder.set_root_type(ir_->types.Name(d.params[0]));
  binder.set_max_list_items(limits.max_list_items);
  Value v = binder.Bind(parsed, d.params[0], "$");
  if (binder.errors() > 0) {
    return std::nullopt;
  }
  return v;
}

}  // namespace policy
