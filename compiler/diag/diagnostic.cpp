#include <algorithm>

#include "compiler/diag/diagnostic.h"

namespace policy {
namespace {
constexpr DiagKindInfo kKinds[] = {
#define X(code, name, severity, summary) {#code, #name, Severity::k##severity, summary},
#include "compiler/diag/kinds.def"
#undef X
};
}  // namespace

auto GetKindInfo(DiagCode code) -> const DiagKindInfo& {
  return kKinds[static_cast<size_t>(code)];
}

auto AllKinds() -> std::vector<DiagKindInfo> {
  return {std::begin(kKinds), std::end(kKinds)};
}

auto DiagnosticSink::Report(DiagCode code, Span primary, std::string message, std::string primary_text)
    -> Diagnostic& {
  Diagnostic d;
  d.code = code;
  d.severity = GetKindInfo(code).severity;
  d.primary = primary;
  d.message = std::move(message);
  d.primary_text = std::move(primary_text);
  diagnostics_.push_back(std::move(d));
  return diagnostics_.back();
}

auto DiagnosticSink::ReportInput(DiagCode code, std::string file, std::string json_path, std::string message)
    -> Diagnostic& {
  Diagnostic& d = Report(code, Span{}, std::move(message));
  d.file = std::move(file);
  d.json_path = std::move(json_path);
  return d;
}

auto DiagnosticSink::error_count() const -> size_t {
  return static_cast<size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::kError;
  }));
}

auto DiagnosticSink::Sorted() const -> std::vector<Diagnostic> {
  std::vector<Diagnostic> sorted = diagnostics_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    const bool av = a.primary.valid();
    const bool bv = b.primary.valid();
    if (av != bv) {
      return av;
    }
    if (!av) {
      return false;
    }
    if (a.primary.file != b.primary.file) {
      return a.primary.file < b.primary.file;
    }
    return a.primary.begin < b.primary.begin;
  });
  return sorted;
}

void DiagnosticSink::Append(const DiagnosticSink& other) {
  diagnostics_.insert(diagnostics_.end(), other.diagnostics_.begin(), other.diagnostics_.end());
}

// Edit distance with adjacent transpositions (optimal string alignment), so the common typo
// `bsae` for `base` counts as one edit. Names are short, so the quadratic table is fine.
auto SuggestName(std::string_view wrong, const std::vector<std::string>& candidates) -> std::string {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) {
      d[i][0] = i;
    }
    for (size_t j = 0; j <= b.size(); ++j) {
      d[0][j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.size()][b.size()];
  };
  // An abbreviation ("undergrad" for "undergraduate") is a strong hint on its own.
  if (wrong.size() >= 4) {
    for (const std::string& c : candidates) {
      if (c.size() > wrong.size() && c.compare(0, wrong.size(), wrong) == 0) {
        return c;
      }
    }
  }
  std::string best;
  size_t best_distance = std::max<size_t>(1, wrong.size() / 3) + 1;
  for (const std::string& c : candidates) {
    if (c == wrong) {
      continue;
    }
    const size_t d = distance(wrong, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

auto SuggestQualifiedName(std::string_view wrong, const std::vector<std::string>& qualified) -> std::string {
  std::string suggestion = SuggestName(wrong, qualified);
  if (!suggestion.empty()) {
    return suggestion;
  }
  for (const std::string& n : qualified) {
    if (n.size() > wrong.size() && n.compare(n.size() - wrong.size(), wrong.size(), wrong) == 0 &&
        n[n.size() - wrong.size() - 1] == '.') {
      return n;
    }
  }
  return "";
}

}  // namespace policy
