// `file://` URIs as clients send them (RFC 8089 with percent-encoding) and back. The compiler
// names files by path; a document that is not a file (an unsaved buffer: `untitled:Untitled-1`)
// is named by its URI, which is never mistaken for a path because it has a scheme.
#pragma once

#include <string>
#include <string_view>

namespace policy::lsp {

// The path of a `file://` URI, or the URI itself for other schemes.
auto UriToPath(std::string_view uri) -> std::string;
// The `file://` URI of an absolute path; a URI (a name with a scheme) is returned as it is.
auto PathToUri(std::string_view path) -> std::string;

}  // namespace policy::lsp
