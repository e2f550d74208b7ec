// How `policy review` writes its report (review.h): for a person in a terminal (human), as the
// comment a bot posts on a merge request (markdown), for other programs (json), and for
// code-scanning UIs (sarif: the head's findings with their baseline state, and one result per
// changed decision, located on the rule that decides it after the change).
#pragma once

#include <ostream>
#include <string>

#include "cli/review.h"

namespace policy::cli {

enum class ReviewFormat { kHuman, kMarkdown, kJson, kSarif };

struct ReviewLimits {
  size_t changes = 20;           // decisions shown in full (markdown); the rest are counted
  size_t findings = 30;          // findings listed (markdown)
  size_t witness_bytes = 16384;  // of one witness case (markdown); a longer one is left to json
};

// One line: what the change does ("2 decisions decide differently; 1 new warning").
auto ReviewVerdict(const ReviewReport& report) -> std::string;

// `policy diff --format sarif`: one result per changed decision, as in the review's SARIF.
void RenderChangesSarif(std::ostream& out, const std::vector<ReviewChange>& changes,
                        std::optional<Date> as_of);

void RenderReview(std::ostream& out, const ReviewReport& report, ReviewFormat format,
                  const ReviewLimits& limits = {});

}  // namespace policy::cli
