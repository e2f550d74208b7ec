#include "runtime/batch/csv_cases.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <set>

namespace policy::batch {

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out->push_back(c);  // UTF-8 passes through; invalid UTF-8 is the case reader's error
        }
    }
  }
  out->push_back('"');
}

auto IsJsonNumber(std::string_view s) -> bool {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
    }
    return i > start;
  };
  if (i < s.size() && s[i] == '-') {
    ++i;
  }
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) {
      return false;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    if (!digits()) {
      return false;
    }
  }
  return i == s.size();
}

namespace {

// Whether `s` is one JSON value and nothing else (a list, set or record cell).
auto IsOneJsonValue(std::string_view s) -> bool {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element element;
  return !parser.parse(s.data(), s.size()).get(element);
}

}  // namespace

auto CsvCaseLayout::Make(const TypeTable& types, TypeId record, const std::vector<std::string>& header,
                         std::string* error) -> std::optional<CsvCaseLayout> {
  CsvCaseLayout layout;
  layout.column_count_ = header.size();
  std::set<std::string> seen;
  for (size_t column = 0; column < header.size(); ++column) {
    const std::string& path = header[column];
    if (!seen.insert(path).second) {
      *error = fmt::format("column `{}` is named twice in the header", path);
      return std::nullopt;
    }
    std::vector<Node>* level = &layout.root_;
    TypeId type = record;
    size_t start = 0;
    while (true) {
      const size_t dot = path.find('.', start);
      const std::string name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      const TypeId record_type = types.Unwrap(type);
      if (types.kind(record_type) != Kind::kRecord) {
        *error = fmt::format("column `{}`: `{}` is of type `{}`, which has no fields", path,
                             path.substr(0, start - 1), types.Name(type));
        return std::nullopt;
      }
      const RecordInfo& info = types.record_info(record_type);
      const auto index = info.FieldIndex(name);
      if (!index) {
        *error = fmt::format("column `{}`: `{}` has no field `{}`", path, types.Name(record_type), name);
        return std::nullopt;
      }
      const FieldInfo& field = info.fields[*index];
      std::string key;
      AppendJsonString(field.name, &key);
      key.push_back(':');
      Node* node = nullptr;
      for (Node& n : *level) {
        if (n.key_json == key) {
          node = &n;
        }
      }
      if (node == nullptr) {
        node = &level->emplace_back();
        node->key_json = key;
        node->may_be_absent = field.may_be_absent;
        node->nullable = types.IsOptional(field.type) || field.may_be_absent;
      }
      type = field.type;
      if (dot == std::string::npos) {
        if (!node->children.empty() || node->column >= 0) {
          *error = fmt::format("column `{}` names a record whose fields have columns of their own", path);
          return std::nullopt;
        }
        node->column = static_cast<int>(column);
        switch (types.kind(types.Unwrap(type))) {
          case Kind::kBool:
            node->cell = Cell::kBool;
            break;
          case Kind::kInt:
          case Kind::kDecimal:
            node->cell = Cell::kNumber;
            break;
          case Kind::kText:
          case Kind::kDate:
          case Kind::kDuration:
          case Kind::kEnum:
            node->cell = Cell::kString;
            break;
          default:
            node->cell = Cell::kJson;  // lists, sets, whole records
        }
        break;
      }
      if (node->column >= 0) {
        *error = fmt::format("column `{}`: `{}` has a column of its own", path, path.substr(0, dot));
        return std::nullopt;
      }
      level = &node->children;
      start = dot + 1;
    }
  }
  // Every required field needs a column: otherwise every row would fail the same way.
  std::vector<std::string> missing;
  auto check = [&](auto&& self, TypeId type, const std::vector<Node>* nodes,
                   const std::string& prefix) -> void {
    const RecordInfo& info = types.record_info(types.Unwrap(type));
    for (const FieldInfo& f : info.fields) {
      std::string key;
      AppendJsonString(f.name, &key);
      key.push_back(':');
      const Node* node = nullptr;
      for (const Node& n : *nodes) {
        if (n.key_json == key) {
          node = &n;
        }
      }
      const std::string path = prefix.empty() ? f.name : prefix + "." + f.name;
      if (node == nullptr) {
        if (!f.may_be_absent) {
          missing.push_back(path);
        }
      } else if (node->column < 0) {
        self(self, f.type, &node->children, path);
      }
    }
  };
  check(check, record, &layout.root_, "");
  if (!missing.empty()) {
    *error = fmt::format("no column for the required field{} {}", missing.size() == 1 ? "" : "s",
                         fmt::format("`{}`", fmt::join(missing, "`, `")));
    return std::nullopt;
  }
  return layout;
}

auto CsvCaseLayout::AllEmpty(const Node& node, const std::vector<std::string>& cells) const -> bool {
  if (node.column >= 0) {
    return cells[static_cast<size_t>(node.column)].empty();
  }
  for (const Node& child : node.children) {
    if (!AllEmpty(child, cells)) {
      return false;
    }
  }
  return true;
}

void CsvCaseLayout::WriteObject(const std::vector<Node>& nodes, const std::vector<std::string>& cells,
                                std::string* out) const {
  out->push_back('{');
  bool first = true;
  for (const Node& node : nodes) {
    const bool empty = AllEmpty(node, cells);
    if (empty && node.may_be_absent) {
      continue;
    }
    if (!first) {
      out->push_back(',');
    }
    first = false;
    out->append(node.key_json);
    if (node.column < 0) {
      if (empty && node.nullable) {
        out->append("null");
      } else {
        WriteObject(node.children, cells, out);
      }
      continue;
    }
    const std::string& cell = cells[static_cast<size_t>(node.column)];
    if (cell.empty()) {
      out->append("null");
      continue;
    }
    switch (node.cell) {
      case Cell::kBool:
        if (cell == "true" || cell == "false") {
          out->append(cell);
        } else {
          AppendJsonString(cell, out);  // the reader says it is not a Bool, with its path
        }
        break;
      case Cell::kNumber:
        if (IsJsonNumber(cell)) {
          out->append(cell);
        } else {
          AppendJsonString(cell, out);
        }
        break;
      case Cell::kString:
        AppendJsonString(cell, out);
        break;
      case Cell::kJson:
        if (IsOneJsonValue(cell)) {
          out->append(cell);
        } else {
          AppendJsonString(cell, out);  // not JSON: a string, which the reader refuses by type
        }
        break;
    }
  }
  out->push_back('}');
}

auto CsvCaseLayout::ToJson(const std::vector<std::string>& cells, std::string* error) const -> std::string {
  std::string out;
  AppendJson(cells, &out, error);
  return out;
}

void CsvCaseLayout::AppendJson(const std::vector<std::string>& cells, std::string* out,
                               std::string* error) const {
  if (cells.size() != column_count_) {
    *error = fmt::format("the row has {} cell{}; the header has {} columns", cells.size(),
                         cells.size() == 1 ? "" : "s", column_count_);
    return;
  }
  WriteObject(root_, cells, out);
}

}  // namespace policy::batch
