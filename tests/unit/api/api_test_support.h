// Test support for the embedding API: read a file, and rebuild a case record from its JSON
// through typed Fields only (no JSON reader), the way a service holding its own C++ structs
// would. Used for differential tests (typed vs JSON input) and by the C API tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace policy::api {

inline auto ReadFile(const std::filesystem::path& p) -> std::string {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace testing_detail {

inline auto Fail(std::string message) -> Error {
  return Error{ErrorCode::kInternal, std::move(message), {}, {}};
}

inline auto StripOptional(std::string type) -> std::string {
  if (!type.empty() && type.back() == '?') {
    type.pop_back();
  }
  return type;
}

// Sets the fact at `path` (with list `indices`) from JSON value `j`.
inline auto SetFromJson(const Decision& d, Facts& facts, const nlohmann::json& j, const std::string& path,
                        std::vector<size_t>& indices) -> Status {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (Status s = SetFromJson(d, facts, value, path.empty() ? key : path + "." + key, indices); !s) {
        return s;
      }
    }
    return {};
  }
  if (j.is_null()) {
    return {};  // optional facts start as none
  }
  auto field = d.field(path);
  if (!field) {
    return field.error();
  }
  const std::string type = StripOptional(field->type_name());
  const bool is_list = type.rfind("List<", 0) == 0 || type.rfind("Set<", 0) == 0;
  if (is_list) {
    const std::string elem = type.substr(type.find('<') + 1, type.size() - type.find('<') - 2);
    if (elem == "Date") {
      std::vector<Date> dates;
      for (const auto& item : j) {
        auto date = ParseDate(item.get<std::string>());
        if (!date) {
          return date.error();
        }
        dates.push_back(*date);
      }
      return facts.Set(*field, std::span<const Date>(dates), indices);
    }
    if (!j.empty() && j.front().is_object()) {
      if (Status s = facts.Resize(*field, j.size(), indices); !s) {
        return s;
      }
      for (size_t i = 0; i < j.size(); ++i) {
        indices.push_back(i);
        Status s = SetFromJson(d, facts, j[i], path + "[]", indices);
        indices.pop_back();
        if (!s) {
          return s;
        }
      }
      return {};
    }
    if (j.empty()) {
      // An empty list of records, or of values.
      if (Status s = facts.Resize(*field, 0, indices); s) {
        return s;
      }
      return facts.Set(*field, std::span<const Date>{}, indices);
    }
    return Fail("unsupported list at " + path);
  }
  if (j.is_boolean()) {
    return facts.Set(*field, j.get<bool>(), indices);
  }
  if (j.is_number_integer()) {
    return facts.Set(*field, j.get<int64_t>(), indices);
  }
  if (j.is_number_float()) {
    return facts.Set(*field, j.get<double>(), indices);
  }
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (type == "Date") {
      auto date = ParseDate(s);
      if (!date) {
        return date.error();
      }
      return facts.Set(*field, *date, indices);
    }
    if (type == "Text") {
      return facts.Set(*field, std::string_view(s), indices);
    }
    auto member = d.enum_value(*field, s);
    if (!member) {
      return member.error();
    }
    return facts.Set(*field, *member, indices);
  }
  return Fail("unsupported JSON at " + path);
}

}  // namespace testing_detail

inline auto CaseToTypedFacts(const Decision& d, const std::string& json) -> Result<Facts> {
  auto facts = d.NewFacts();
  if (!facts) {
    return facts.error();
  }
  std::vector<size_t> indices;
  if (Status s = testing_detail::SetFromJson(d, *facts, nlohmann::json::parse(json), "", indices); !s) {
    return s.error();
  }
  return std::move(*facts);
}

}  // namespace policy::api
