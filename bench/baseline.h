// The hand-written C++ baseline: D1, D2 and D3 coded directly against a plain struct, the way a
// developer would write them without the policy language. It is what the engine's cost is
// measured against (docs/performance.md), and it is checked against the interpreter on every
// example case (tests/unit/api/baseline_test.cpp), so the two compute the same thing.
//
//   D1  hk.employment.part_time_on_campus_allowed   (FAQ Q20, Q23)
//   D2  hk.entry.applicant_documents                (FAQ Q2)
//   D3  hk.stay.limit_of_stay                       (FAQ Q10, Q11: date arithmetic)
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baseline {

using Date = std::chrono::sys_days;

enum class Residence : uint8_t { kMainland, kMacao, kTaiwan, kOverseas, kHongKong };
enum class Level : uint8_t {
  kSubDegree,
  kUndergraduate,
  kTaughtPostgraduate,
  kResearchPostgraduate,
  kSecondary,
  kOther
};
enum class Award : uint8_t {
  kAssociateDegree,
  kHigherDiploma,
  kDiploma,
  kCertificate,
  kBachelorDegree,
  kPostgraduateDiploma,
  kMasterDegree,
  kDoctoralDegree,
  kSchoolQualification,
  kNone
};
enum class Mode : uint8_t { kFullTime, kPartTime };
enum class Origin : uint8_t { kLocal, kNonLocal };
enum class SponsorKind : uint8_t { kAcceptingInstitution, kIndividual };

// Only the facts D1-D3 read.
struct Case {
  Date date_of_birth;
  Residence residence = Residence::kOverseas;
  std::optional<Date> travel_document_expiry;
  bool in_hong_kong = false;
  bool has_hk_identity_card = false;

  Level level = Level::kOther;
  Award award = Award::kNone;
  std::optional<int64_t> qf_level;
  Mode mode = Mode::kFullTime;
  bool locally_accredited = false;
  Origin origin = Origin::kLocal;
  int64_t normal_duration_months = 0;
  int64_t study_period_hundredths = 0;  // academic years x 100 (exact for the schema's values)

  bool is_exchange_student = false;
  std::optional<int64_t> exchange_period_months;

  SponsorKind sponsor = SponsorKind::kIndividual;

  Date application_date;
  std::optional<Date> entry_date;
};

// Reads the facts above from a case record (the case-record schema), as a service would with
// nlohmann::json. Returns nullopt on malformed input.
auto FromJson(std::string_view json) -> std::optional<Case>;

// D1: nullopt = not in effect (before 2014-03-17).
auto PartTimeOnCampusAllowed(const Case& c, Date as_of) -> std::optional<bool>;

// D2: a bit per document, in the order of kApplicantDocumentNames.
auto ApplicantDocuments(const Case& c) -> uint16_t;
inline constexpr std::string_view kApplicantDocumentNames[] = {"ID995A",
                                                               "PHOTO",
                                                               "ACCEPTANCE_LETTER",
                                                               "TRAVEL_DOC_COPY",
                                                               "PRC_RESIDENT_ID_COPY",
                                                               "LATEST_ARRIVAL_PAGE_COPY",
                                                               "HKID_COPY",
                                                               "GUARDIAN_CONSENT",
                                                               "ACCOMMODATION_PROOF",
                                                               "APPLICANT_FINANCIAL_PROOF",
                                                               "MACAO_ID_COPY",
                                                               "TAIWAN_ID_COPY"};
// The catalogue's JSON encoding: names sorted by code point.
auto DocumentsJson(uint16_t documents) -> std::string;

// D3: none when there is no entry date.
auto LimitOfStay(const Case& c) -> std::optional<Date>;

}  // namespace baseline
