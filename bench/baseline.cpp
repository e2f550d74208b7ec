// The baseline's rules, written as directly as C++ allows (see baseline.h). Each function cites
// the FAQ question it implements, as the policies do, so the two can be read side by side.
#include "bench/baseline.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace baseline {
namespace {

using std::chrono::months;
using std::chrono::year_month_day;

auto ParseDate(const nlohmann::json& j) -> std::optional<Date> {
  if (!j.is_string()) {
    return std::nullopt;
  }
  const std::string s = j.get<std::string>();
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) {
    return std::nullopt;
  }
  const year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return Date{ymd};
}

template <typename E, size_t N>
auto ParseEnum(const nlohmann::json& j, const char* const (&names)[N]) -> std::optional<E> {
  if (!j.is_string()) {
    return std::nullopt;
  }
  const std::string s = j.get<std::string>();
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) {
      return static_cast<E>(i);
    }
  }
  return std::nullopt;
}

constexpr const char* kResidence[] = {"mainland", "macao", "taiwan", "overseas", "hong_kong"};
constexpr const char* kLevel[] = {
    "sub_degree", "undergraduate", "taught_postgraduate", "research_postgraduate", "secondary", "other"};
constexpr const char* kAward[] = {
    "associate_degree",     "higher_diploma", "diploma",         "certificate",          "bachelor_degree",
    "postgraduate_diploma", "master_degree",  "doctoral_degree", "school_qualification", "none"};
constexpr const char* kMode[] = {"full_time", "part_time"};
constexpr const char* kOrigin[] = {"local", "non_local"};
constexpr const char* kSponsor[] = {"accepting_institution", "individual"};

// `d + n months`: the same day n months later, else the last day of that month (Q10; the
// catalogue's date arithmetic).
auto AddMonths(Date d, int64_t n) -> Date {
  const year_month_day ymd{d};
  const std::chrono::year_month target = std::chrono::year_month{ymd.year(), ymd.month()} + months{n};
  const std::chrono::day last =
      std::chrono::year_month_day_last{target.year(), std::chrono::month_day_last{target.month()}}.day();
  return Date{target.year() / target.month() / std::min(ymd.day(), last)};
}

auto AgeOn(Date birth, Date on) -> int {
  const year_month_day b{birth};
  const year_month_day o{on};
  int age = static_cast<int>(o.year()) - static_cast<int>(b.year());
  if (o.month() < b.month() || (o.month() == b.month() && o.day() < b.day())) {
    --age;
  }
  return age;
}

auto UgPlus(Level l) -> bool {
  return l == Level::kUndergraduate || l == Level::kTaughtPostgraduate || l == Level::kResearchPostgraduate;
}
auto SubDegree(Award a) -> bool {
  return a == Award::kAssociateDegree || a == Award::kHigherDiploma;
}
auto PostSecondary(const Case& c) -> bool {
  return SubDegree(c.award) || UgPlus(c.level) || (c.qf_level && *c.qf_level >= 4);
}
auto FullTimeLocallyAccredited(const Case& c) -> bool {
  return c.mode == Mode::kFullTime && c.locally_accredited;
}

}  // namespace

auto FromJson(std::string_view text) -> std::optional<Case> {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::nullopt;
  }
  try {
    Case c;
    const auto& a = j.at("applicant");
    const auto& p = j.at("programme");
    const auto& x = j.at("exchange");
    const auto dob = ParseDate(a.at("date_of_birth"));
    const auto residence = ParseEnum<Residence>(a.at("residence_category"), kResidence);
    const auto level = ParseEnum<Level>(p.at("level"), kLevel);
    const auto award = ParseEnum<Award>(p.at("award"), kAward);
    const auto mode = ParseEnum<Mode>(p.at("mode"), kMode);
    const auto origin = ParseEnum<Origin>(p.at("origin"), kOrigin);
    const auto sponsor = ParseEnum<SponsorKind>(j.at("sponsor").at("kind"), kSponsor);
    const auto application = ParseDate(j.at("dates").at("application_date"));
    if (!dob || !residence || !level || !award || !mode || !origin || !sponsor || !application) {
      return std::nullopt;
    }
    c.date_of_birth = *dob;
    c.residence = *residence;
    c.travel_document_expiry = ParseDate(a.at("travel_document_expiry"));
    c.in_hong_kong = a.at("in_hong_kong").get<bool>();
    c.has_hk_identity_card = a.at("has_hk_identity_card").get<bool>();
    c.level = *level;
    c.award = *award;
    if (!p.at("qf_level").is_null()) {
      c.qf_level = p.at("qf_level").get<int64_t>();
    }
    c.mode = *mode;
    c.locally_accredited = p.at("locally_accredited").get<bool>();
    c.origin = *origin;
    c.normal_duration_months = p.at("normal_duration_months").get<int64_t>();
    c.study_period_hundredths =
        static_cast<int64_t>(p.at("study_period_academic_years").get<double>() * 100 + 0.5);
    c.is_exchange_student = x.at("is_exchange_student").get<bool>();
    if (!x.at("exchange_period_months").is_null()) {
      c.exchange_period_months = x.at("exchange_period_months").get<int64_t>();
    }
    c.sponsor = *sponsor;
    c.application_date = *application;
    c.entry_date = ParseDate(j.at("dates").at("entry_date"));
    return c;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// Q20 (from the relaxation of 17 March 2014), with the Q23 exception for exchange students.
auto PartTimeOnCampusAllowed(const Case& c, Date as_of) -> std::optional<bool> {
  constexpr Date kRelaxation{std::chrono::year{2014} / 3 / 17};
  if (as_of < kRelaxation) {
    return std::nullopt;
  }
  if (c.is_exchange_student) {
    return false;
  }
  return FullTimeLocallyAccredited(c) && c.origin == Origin::kLocal && UgPlus(c.level) &&
         c.study_period_hundredths >= 100;
}

// Q2 part 1: each document and the condition in brackets after it.
auto ApplicantDocuments(const Case& c) -> uint16_t {
  const bool under_18 = AgeOn(c.date_of_birth, c.application_date) < 18;
  const bool flags[] = {
      true,                                                                          // ID995A
      true,                                                                          // PHOTO
      true,                                                                          // ACCEPTANCE_LETTER
      c.travel_document_expiry.has_value() || c.residence != Residence::kMainland,   // TRAVEL_DOC_COPY
      c.residence == Residence::kMainland && !c.travel_document_expiry.has_value(),  // PRC_RESIDENT_ID_COPY
      c.in_hong_kong,                                   // LATEST_ARRIVAL_PAGE_COPY
      c.has_hk_identity_card,                           // HKID_COPY
      under_18,                                         // GUARDIAN_CONSENT
      under_18,                                         // ACCOMMODATION_PROOF
      c.sponsor == SponsorKind::kAcceptingInstitution,  // APPLICANT_FINANCIAL_PROOF
      c.residence == Residence::kMacao,                 // MACAO_ID_COPY
      c.residence == Residence::kTaiwan,                // TAIWAN_ID_COPY
  };
  uint16_t bits = 0;
  for (size_t i = 0; i < std::size(flags); ++i) {
    bits |= flags[i] ? static_cast<uint16_t>(1U << i) : 0;
  }
  return bits;
}

auto DocumentsJson(uint16_t documents) -> std::string {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < std::size(kApplicantDocumentNames); ++i) {
    if ((documents & (1U << i)) != 0) {
      names.push_back(kApplicantDocumentNames[i]);
    }
  }
  std::sort(names.begin(), names.end());
  nlohmann::json j = nlohmann::json::array();
  for (std::string_view n : names) {
    j.push_back(n);
  }
  return j.dump();
}

// Q10: the normal duration, at most six years, for full-time locally-accredited post-secondary
// programmes; otherwise 12 months or the duration, whichever is shorter. Q10/Q11: never beyond
// the travel document's validity.
auto LimitOfStay(const Case& c) -> std::optional<Date> {
  if (!c.entry_date) {
    return std::nullopt;
  }
  const Date entry = *c.entry_date;
  const int64_t study_months = c.is_exchange_student && c.exchange_period_months ? *c.exchange_period_months
                                                                                 : c.normal_duration_months;
  const Date course = FullTimeLocallyAccredited(c) && PostSecondary(c)
                          ? std::min(AddMonths(entry, study_months), AddMonths(entry, 72))
                          : std::min(AddMonths(entry, 12), AddMonths(entry, study_months));
  if (c.travel_document_expiry && *c.travel_document_expiry < course) {
    return *c.travel_document_expiry;
  }
  return course;
}

}  // namespace baseline
