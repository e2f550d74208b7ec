#include "runtime/engine/exact_json.h"

#include <charconv>
#include <type_traits>
#include <utility>
#include <vector>

namespace policy::exact_json {
namespace {

// Builds the DOM from nlohmann's SAX events, as its own DOM parser does (a repeated key keeps
// the last value), but keeps the raw text of every number nlohmann would turn into a double.
// Iterative, like nlohmann's parser: only the depth limit bounds the nesting.
template <class Json>
class Builder {
 public:
  using number_integer_t = typename Json::number_integer_t;
  using number_unsigned_t = typename Json::number_unsigned_t;
  using number_float_t = typename Json::number_float_t;
  using string_t = typename Json::string_t;
  using binary_t = typename Json::binary_t;

  Builder(int max_depth, bool reject_duplicates)
      : max_depth_(max_depth), reject_duplicates_(reject_duplicates) {}

  auto null() -> bool { return Value(Json(nullptr)); }
  auto boolean(bool v) -> bool { return Value(Json(v)); }
  auto number_integer(number_integer_t v) -> bool { return Value(Json(v)); }
  auto number_unsigned(number_unsigned_t v) -> bool { return Value(Json(v)); }
  auto number_float(number_float_t /*approximation*/, const string_t& token) -> bool {
    // The lexer writes the locale's decimal point into the token (it hands the token to strtod);
    // the input had '.'.
    std::string text = token;
    for (char& c : text) {
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E')) {
        c = '.';
      }
    }
    return Value(Number<Json>(text));
  }
  auto string(string_t& v) -> bool { return Value(Json(std::move(v))); }
  auto binary(binary_t& v) -> bool { return Value(Json::binary(std::move(v))); }
  auto start_object(std::size_t /*size*/) -> bool {
    open_.push_back(Add(Json::object()));
    where_.push_back(last_segment_);
    return true;
  }
  auto key(string_t& k) -> bool {
    CheckDepth();
    key_ = std::move(k);
    return true;
  }
  auto end_object() -> bool {
    open_.pop_back();
    where_.pop_back();
    return true;
  }
  auto start_array(std::size_t /*size*/) -> bool {
    open_.push_back(Add(Json::array()));
    where_.push_back(last_segment_);
    return true;
  }
  auto end_array() -> bool {
    open_.pop_back();
    where_.pop_back();
    return true;
  }
  template <class Exception>
  auto parse_error(std::size_t position, const std::string& token, const Exception& e) -> bool {
    if constexpr (!std::is_same_v<Exception, typename Json::parse_error>) {
      // Not a syntax error but a value no double holds (1e400): say where it is.
      if (reject_duplicates_) {
        throw BadNumber{position, CurrentPath(), token};
      }
    }
    throw e;  // the concrete type, as nlohmann's own DOM parser throws it
  }

  auto root() -> Json& { return root_; }

 private:
  void CheckDepth() const {
    if (static_cast<int>(open_.size()) >= max_depth_) {
      throw TooDeep{reject_duplicates_ ? CurrentPath() : std::string()};
    }
  }

  // The JSON path of the value being read ($.programme.mode, $.periods[2]); strict mode only.
  auto CurrentPath() const -> std::string {
    std::string path = "$";
    for (const std::string& segment : where_) {
      path += segment;
    }
    if (!open_.empty()) {
      path += open_.back()->is_array() ? "[" + std::to_string(open_.back()->size()) + "]" : "." + key_;
    }
    return path;
  }

  auto Value(Json v) -> bool {
    Add(std::move(v));
    return true;
  }

  // Puts `v` where the parse is (the root, the end of the open array, or the open object's
  // current key) and returns where it went. Only the innermost open container changes, so the
  // pointers to the outer ones stay valid.
  auto Add(Json v) -> Json* {
    CheckDepth();
    if (open_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& top = *open_.back();
    if (top.is_array()) {
      if (reject_duplicates_) {
        last_segment_ = "[" + std::to_string(top.size()) + "]";
      }
      top.push_back(std::move(v));
      return &top.back();
    }
    if (reject_duplicates_) {
      last_segment_ = "." + key_;
      if (top.contains(key_)) {
        throw DuplicateKey{CurrentPath()};
      }
    }
    Json& slot = top[key_];
    slot = std::move(v);
    return &slot;
  }

  int max_depth_;
  bool reject_duplicates_;
  Json root_;
  std::vector<Json*> open_;
  // With reject_duplicates_: where each open container is in its parent (".mode", "[2]"), for
  // the JSON path of a repeated key.
  std::vector<std::string> where_;
  std::string last_segment_;
  string_t key_;
};

template <class Json>
void Write(const Json& j, int indent, int level, std::string& out) {
  const auto newline = [&](int at) {
    if (indent >= 0) {
      out += '\n';
      out.append(static_cast<size_t>(at) * static_cast<size_t>(indent), ' ');
    }
  };
  if (j.is_object() && !j.empty()) {
    out += '{';
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      out += first ? "" : ",";
      first = false;
      newline(level + 1);
      out += Json(it.key()).dump();
      out += indent >= 0 ? ": " : ":";
      Write(it.value(), indent, level + 1, out);
    }
    newline(level);
    out += '}';
  } else if (j.is_array() && !j.empty()) {
    out += '[';
    bool first = true;
    for (const Json& item : j) {
      out += first ? "" : ",";
      first = false;
      newline(level + 1);
      Write(item, indent, level + 1, out);
    }
    newline(level);
    out += ']';
  } else if (IsNumber(j)) {
    out += NumberText(j);
  } else {
    out += j.dump();
  }
}

}  // namespace

auto IsIntegerText(std::string_view text) -> bool {
  return !text.empty() && text.find_first_of(".eE") == std::string_view::npos;
}

template <class Json>
auto Parse(std::string_view text, int max_depth) -> Json {
  Builder<Json> builder(max_depth, false);
  Json::sax_parse(text.begin(), text.end(), &builder);
  return std::move(builder.root());
}

template <class Json>
auto ParseStrict(std::string_view text, int max_depth) -> Json {
  Builder<Json> builder(max_depth, true);
  Json::sax_parse(text.begin(), text.end(), &builder);
  return std::move(builder.root());
}

template <class Json>
auto TryParse(std::string_view text, int max_depth) -> std::optional<Json> {
  try {
    return Parse<Json>(text, max_depth);
  } catch (const TooDeep&) {
    return std::nullopt;
  } catch (const typename Json::exception&) {
    return std::nullopt;
  }
}

template <class Json>
auto Dump(const Json& j, int indent) -> std::string {
  std::string out;
  Write(j, indent, 0, out);
  return out;
}

template <class Json>
auto Number(std::string_view text) -> Json {
  if (IsIntegerText(text)) {
    const char* end = text.data() + text.size();
    int64_t i = 0;
    if (const auto r = std::from_chars(text.data(), end, i); r.ec == std::errc() && r.ptr == end) {
      return Json(i);
    }
    uint64_t u = 0;
    if (const auto r = std::from_chars(text.data(), end, u); r.ec == std::errc() && r.ptr == end) {
      return Json(u);
    }
  }
  return Json::binary(std::vector<std::uint8_t>(text.begin(), text.end()), kNumberSubtype);
}

template <class Json>
auto NumberText(const Json& j) -> std::string {
  if (j.is_binary()) {
    const auto& bytes = j.get_binary();
    return IsNumber(j) ? std::string(bytes.begin(), bytes.end()) : "";
  }
  return j.is_number() ? j.dump() : "";
}

// The two DOM kinds the project uses: sorted keys (json) and insertion order (ordered_json).
template auto Parse<nlohmann::json>(std::string_view text, int max_depth) -> nlohmann::json;
template auto ParseStrict<nlohmann::json>(std::string_view text, int max_depth) -> nlohmann::json;
template auto TryParse<nlohmann::json>(std::string_view text, int max_depth) -> std::optional<nlohmann::json>;
template auto Dump<nlohmann::json>(const nlohmann::json& j, int indent) -> std::string;
template auto Number<nlohmann::json>(std::string_view text) -> nlohmann::json;
template auto NumberText<nlohmann::json>(const nlohmann::json& j) -> std::string;
template auto Parse<nlohmann::ordered_json>(std::string_view text, int max_depth) -> nlohmann::ordered_json;
template auto TryParse<nlohmann::ordered_json>(std::string_view text, int max_depth)
    -> std::optional<nlohmann::ordered_json>;
template auto Dump<nlohmann::ordered_json>(const nlohmann::ordered_json& j, int indent) -> std::string;
template auto Number<nlohmann::ordered_json>(std::string_view text) -> nlohmann::ordered_json;
template auto NumberText<nlohmann::ordered_json>(const nlohmann::ordered_json& j) -> std::string;

}  // namespace policy::exact_json
