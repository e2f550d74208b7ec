#include "lsp/uri.h"

#include <fmt/format.h>

namespace policy::lsp {

namespace {

auto HexValue(char c) -> int {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Characters a path keeps as they are in a URI (RFC 3986 unreserved, and `/`).
auto KeepsItself(unsigned char c) -> bool {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '/';
}

}  // namespace

auto UriToPath(std::string_view uri) -> std::string {
  constexpr std::string_view kFile = "file://";
  if (uri.substr(0, kFile.size()) != kFile) {
    return std::string(uri);
  }
  std::string_view rest = uri.substr(kFile.size());
  // file://host/path: only the local host (empty or `localhost`) names a path here.
  if (rest.substr(0, 9) == "localhost") {
    rest.remove_prefix(9);
  }
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && HexValue(rest[i + 1]) >= 0 && HexValue(rest[i + 2]) >= 0) {
      path.push_back(static_cast<char>(HexValue(rest[i + 1]) * 16 + HexValue(rest[i + 2])));
      i += 2;
    } else {
      path.push_back(rest[i]);
    }
  }
  return path;
}

auto PathToUri(std::string_view path) -> std::string {
  if (path.empty() || path.front() != '/') {
    return std::string(path);  // already a URI (untitled:...), or not a path we made
  }
  std::string uri = "file://";
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (KeepsItself(c)) {
      uri.push_back(ch);
    } else {
      uri += fmt::format("%{:02X}", c);
    }
  }
  return uri;
}

}  // namespace policy::lsp
