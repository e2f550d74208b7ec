#include "core/period.h"

namespace policy {

auto Period::ToString() const -> std::string {
  if (from && until) {
    return "from " + from->ToString() + " until " + until->ToString();
  }
  if (from) {
    return "from " + from->ToString();
  }
  if (until) {
    return "until " + until->ToString();
  }
  return "";
}

}  // namespace policy
