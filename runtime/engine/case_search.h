// Case records made up from a record type: a fresh one with every field present, and small
// random changes to an existing one, guided by the type (booleans flip, enums take each value,
// numbers and dates move to nearby and boundary values, optionals appear and disappear, lists
// grow and shrink). Used by the bounded searches of `policy diff` and `policy analyze`; the
// search is deterministic for a given seed.
#pragma once

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>

#include "compiler/base/types.h"
#include "core/date.h"
#include "core/decimal.h"
#include "runtime/engine/exact_json.h"

namespace policy {

// Builds and mutates case records for one record type.
class CaseMutator {
 public:
  CaseMutator(const TypeTable& types, Date as_of, uint64_t seed) : types_(types), as_of_(as_of), rng_(seed) {}

  // A value of `type` with every field present: false, 0, the evaluation date, the first enum
  // value, none, empty collections.
  auto Fresh(TypeId type) -> nlohmann::json {
    switch (types_.kind(type)) {
      case Kind::kBool:
        return false;
      case Kind::kInt:
        return 0;
      case Kind::kDecimal:
        return 0;
      case Kind::kText:
        return "";
      case Kind::kDate:
        return as_of_.ToString();
      case Kind::kDuration:
        return "P0D";
      case Kind::kEnum:
        return types_.enum_info(type).json_names.front();
      case Kind::kOptional:
        return nullptr;
      case Kind::kList:
      case Kind::kSet:
        return nlohmann::json::array();
      case Kind::kRecord: {
        nlohmann::json o = nlohmann::json::object();
        for (const FieldInfo& f : types_.record_info(type).fields) {
          o[f.name] = Fresh(f.type);
        }
        return o;
      }
      default:
        return nullptr;
    }
  }

  // Changes one leaf somewhere under `j` (of type `type`).
  void Mutate(nlohmann::json& j, TypeId type, int depth = 0) {
    switch (types_.kind(type)) {
      case Kind::kBool:
        j = !(j.is_boolean() && j.get<bool>());
        return;
      case Kind::kInt: {
        static constexpr int64_t kInteresting[] = {0, 1, 2, 3, 6, 12, 17, 18, 19, 20, 21, 24, 26, 36, 48, 60};
        const int64_t v = j.is_number_integer() ? j.get<int64_t>() : 0;
        switch (Below(3)) {
          case 0:  // saturating: witnesses can hold the extremes of Int
            j = v == INT64_MAX ? v : v + 1;
            return;
          case 1:
            j = v == INT64_MIN ? v : v - 1;
            return;
          default:
            j = kInteresting[Below(std::size(kInteresting))];
            return;
        }
      }
      case Kind::kDecimal: {
        // Nearby values need not be exact: a step is taken in double, and written as the
        // shortest text that reads back as it, a number node like every other (exact_json.h).
        const auto exact = exact_json::IsNumber(j) ? Decimal::Parse(exact_json::NumberText(j)) : std::nullopt;
        const double v = exact ? exact->ToDouble() : 0;
        static constexpr double kSteps[] = {-1, -0.25, 0.25, 1, 10};
        const double moved =
            Below(3) == 0 ? static_cast<double>(Below(41)) : v + kSteps[Below(std::size(kSteps))];
        j = exact_json::Number<nlohmann::json>(fmt::format("{}", moved));
        return;
      }
      case Kind::kDate: {
        auto d = j.is_string() ? Date::Parse(j.get<std::string>()) : std::nullopt;
        const Date base = d.value_or(as_of_);
        static constexpr int64_t kDays[] = {-1, 1, -7, 7, -30, 30, -182, 182, -365, 365, -3650, 3650};
        if (const auto moved = base.AddDays(kDays[Below(std::size(kDays))])) {
          j = moved->ToString();
        }
        return;
      }
      case Kind::kEnum: {
        const auto& names = types_.enum_info(type).json_names;
        j = names[Below(names.size())];
        return;
      }
      case Kind::kOptional:
        if (j.is_null()) {
          j = Fresh(types_.Get(type).elem);
          if (Below(2) == 0) {
            Mutate(j, types_.Get(type).elem, depth + 1);
          }
        } else if (Below(4) == 0) {
          j = nullptr;
        } else {
          Mutate(j, types_.Get(type).elem, depth + 1);
        }
        return;
      case Kind::kSet:
        if (types_.kind(types_.Get(type).elem) == Kind::kEnum) {
          // Toggle one member.
          const auto& names = types_.enum_info(types_.Get(type).elem).json_names;
          const std::string& m = names[Below(names.size())];
          nlohmann::json out = nlohmann::json::array();
          bool found = false;
          for (const nlohmann::json& x : j) {
            if (x == m) {
              found = true;
            } else {
              out.push_back(x);
            }
          }
          if (!found) {
            out.push_back(m);
          }
          j = out;
          return;
        }
        [[fallthrough]];
      case Kind::kList: {
        if (!j.is_array()) {
          j = nlohmann::json::array();
        }
        const TypeId elem = types_.Get(type).elem;
        const uint32_t choice = Below(4);
        if (choice == 0 && !j.empty()) {
          j.erase(j.begin() + Below(j.size()));
        } else if (choice == 1 || j.empty()) {
          nlohmann::json item = j.empty() ? Fresh(elem) : j[Below(j.size())];
          Mutate(item, elem, depth + 1);
          if (types_.kind(type) == Kind::kSet && std::find(j.begin(), j.end(), item) != j.end()) {
            return;
          }
          j.push_back(item);
        } else {
          nlohmann::json& item = j[Below(j.size())];
          nlohmann::json changed = item;
          Mutate(changed, elem, depth + 1);
          if (types_.kind(type) == Kind::kSet && std::find(j.begin(), j.end(), changed) != j.end()) {
            return;
          }
          item = changed;
        }
        return;
      }
      case Kind::kRecord: {
        const auto& fields = types_.record_info(type).fields;
        if (fields.empty() || depth > 8) {
          return;
        }
        if (!j.is_object()) {
          j = Fresh(type);
        }
        const FieldInfo& f = fields[Below(fields.size())];
        if (!j.contains(f.name)) {
          j[f.name] = Fresh(f.type);
        }
        Mutate(j[f.name], f.type, depth + 1);
        return;
      }
      default:
        return;
    }
  }

 private:
  auto Below(size_t n) -> uint32_t {
    return n <= 1 ? 0 : static_cast<uint32_t>(std::uniform_int_distribution<size_t>(0, n - 1)(rng_));
  }

  const TypeTable& types_;
  Date as_of_;
  std::mt19937_64 rng_;
};

}  // namespace policy
