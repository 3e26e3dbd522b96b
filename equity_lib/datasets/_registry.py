"""Every dataset's schema, written once: the loaders' column types and ``datasets/datapackage.json``.

Each ``Field`` gives a column's Table Schema type, its meaning with its unit, and its allowed codes
(in their order: ordered codes load as ordered categoricals). ``datapackage()`` turns the registry
into a Frictionless Data Package descriptor (Table Schema per resource: types, constraints, enum
codes, primary and foreign keys), which ``python -m equity_lib.synthetic`` writes beside the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from equity_lib.synthetic import world


@dataclass(frozen=True)
class Field:
    """One column: Table Schema ``type`` (string, integer, number, date), meaning, unit and codes."""

    name: str
    type: str
    description: str
    unit: str | None = None
    codes: tuple | None = None  # allowed values, in order (loaded as a categorical)
    ordered: bool = False  # codes have an order (trusts by size, IMD, age bands, years)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    decimals: int | None = None  # fixed decimals in the CSV, for numbers

    @property
    def dtype(self) -> Any:
        """The pandas type the loader gives this column (dates are parsed separately)."""
        if self.codes is not None:
            return pd.CategoricalDtype(list(self.codes), ordered=self.ordered)
        return {"integer": "int64", "number": "float64", "string": "str", "date": "str"}[self.type]

    def descriptor(self) -> dict:
        """This field as a Table Schema field descriptor."""
        text = self.description + (f" Unit: {self.unit}." if self.unit else "")
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": text}
        if self.type == "date":
            out["format"] = "%Y-%m-%d"
        constraints: dict[str, Any] = {"required": True}
        if self.codes is not None:
            constraints["enum"] = list(self.codes)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class DatasetSpec:
    """How to read one dataset: its file in ``datasets/``, what it holds, and its columns."""

    filename: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, resource), same column name there
    used_in: str = ""

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def parse_dates(self) -> tuple[str, ...]:
        """ISO dates (YYYY-MM-DD), read as datetime64[ns]."""
        return tuple(f.name for f in self.fields if f.type == "date")

    @property
    def dtypes(self) -> dict[str, Any]:
        return {f.name: f.dtype for f in self.fields}

    @property
    def decimals(self) -> dict[str, int]:
        """Fixed decimals of the number columns, for a byte-stable CSV."""
        return {f.name: f.decimals for f in self.fields if f.decimals is not None}


# --- Fields used in several datasets -------------------------------------------------------------

TRUST_CODE = Field(
    "trust_code",
    "string",
    "The trust's three-letter code (fictional; not an NHS ODS code); trusts in order of size, largest first.",
    codes=world.TRUST_CODES,
    ordered=True,
)
MONTH = Field(
    "month",
    "date",
    "Calendar month, dated on its 1st day; the row reports the month-end snapshot.",
    unit="month",
)
IMD_DECILE = Field(
    "imd_decile",
    "integer",
    "National Index of Multiple Deprivation decile of the small area: "
    "1 = the most deprived 10% of small areas in England, 10 = the least deprived.",
    codes=world.IMD_DECILES,
    ordered=True,
)
IMD_QUINTILE = Field(
    "imd_quintile",
    "integer",
    "National Index of Multiple Deprivation quintile: 1 = the most "
    "deprived 20% of small areas in England, 5 = the least deprived (deciles 1-2 are quintile 1).",
    codes=world.IMD_QUINTILES,
    ordered=True,
)
AREA_CODE = Field(
    "area_code", "string", "Code of the small area (fictional, like a 2021 LSOA).", pattern="MPC[0-9]{4}"
)
AGE_BAND = Field(
    "age_band",
    "string",
    "Age band: the 19 bands of the European Standard Population 2013, youngest first.",
    unit="years of age",
    codes=world.AGE_BANDS,
    ordered=True,
)
SEX = Field("sex", "string", "Sex: F female, M male.", codes=world.SEXES)
ETHNIC_VALID = Field(
    "ethnic_category",
    "string",
    "NHS Data Dictionary ethnic category code, A-S (a census "
    "has no 'not stated' or 'not known'); labels in equity_lib.datasets.ETHNIC_CATEGORIES.",
    codes=world.VALID_ETHNIC_CODES,
)
ETHNIC_RECORDED = Field(
    "ethnic_category",
    "string",
    "Ethnic category as recorded: NHS Data Dictionary code A-S, "
    "or Z (not stated: asked and declined) or 99 (not known: not asked or not recorded), "
    "kept as categories of their own; labels in equity_lib.datasets.ETHNIC_CATEGORIES.",
    codes=world.ETHNIC_CODES,
)
TREATMENT_FUNCTION = Field(
    "treatment_function",
    "string",
    "RTT treatment function code (as in NHS England's RTT statistics; X01 = all other treatment functions).",
    codes=tuple(world.TREATMENT_FUNCTIONS),
)


def _count(name: str, description: str, unit: str) -> Field:
    return Field(name, "integer", description, unit=unit, minimum=0)


WAITING_TOTAL = _count(
    "waiting_total",
    "Incomplete RTT pathways at the end of the month: patients still waiting to start treatment.",
    "pathways",
)
WITHIN_18 = _count("within_18_weeks", "Incomplete pathways that had waited under 18 weeks.", "pathways")
OVER_52 = _count("over_52_weeks", "Incomplete pathways that had waited 52 weeks or more.", "pathways")

SYNTHETIC = "SYNTHETIC, NOT REAL DATA: made by equity_lib.synthetic for teaching."

REGISTRY: dict[str, DatasetSpec] = {
    "trusts": DatasetSpec(
        filename="trusts.csv",
        title="The five trusts of the Moorside Provider Collaborative",
        description=f"{SYNTHETIC} The five fictional acute trusts: code, name, catchment population and "
        "kind.",
        fields=(
            TRUST_CODE,
            Field(
                "trust_name", "string", "The trust's name (fictional).", codes=world.TRUST_NAMES, ordered=True
            ),
            Field(
                "catchment_population",
                "integer",
                "People in the trust's catchment (illustrative).",
                unit="people",
                minimum=0,
            ),
            Field("kind", "string", "What kind of trust it is (illustrative)."),
        ),
        primary_key=("trust_code",),
        used_in="all notebooks",
    ),
    "areas": DatasetSpec(
        filename="areas.csv",
        title="Small areas with their trust and deprivation",
        description=f"{SYNTHETIC} 1,334 small areas (like 2021 LSOAs, about 1,500 residents each), each in "
        "the "
        "catchment of one trust, with its national IMD decile and quintile (1 = most deprived).",
        fields=(
            AREA_CODE,
            Field(
                "area_name",
                "string",
                "Name of the small area (fictional: town, neighbourhood number, letter).",
            ),
            TRUST_CODE,
            IMD_DECILE,
            IMD_QUINTILE,
            Field(
                "population",
                "integer",
                "Residents (all ages); equals the sum over the area in `population`.",
                unit="people",
                minimum=0,
            ),
        ),
        primary_key=("area_code",),
        foreign_keys=(("trust_code", "trusts"),),
        used_in="03, 05, 06, 07 (joins)",
    ),
    "population": DatasetSpec(
        filename="population.csv",
        title="Residents by small area, age band and sex",
        description=f"{SYNTHETIC} Residents of each small area by the 19 ESP2013 age bands and sex.",
        fields=(
            AREA_CODE,
            AGE_BAND,
            SEX,
            Field("population", "integer", "Residents.", unit="people", minimum=0),
        ),
        primary_key=("area_code", "age_band", "sex"),
        foreign_keys=(("area_code", "areas"),),
        used_in="05, 06 (denominators)",
    ),
    "population_ethnicity": DatasetSpec(
        filename="population_ethnicity.csv",
        title="Residents by small area and ethnic category",
        description=f"{SYNTHETIC} Residents of each small area by NHS ethnic category (A-S), as a census "
        "would "
        "count them; the collaborative matches Census 2021 (England and Wales) shares.",
        fields=(
            AREA_CODE,
            ETHNIC_VALID,
            Field("population", "integer", "Residents.", unit="people", minimum=0),
        ),
        primary_key=("area_code", "ethnic_category"),
        foreign_keys=(("area_code", "areas"),),
        used_in="04, 07 (denominators)",
    ),
    "rtt_monthly": DatasetSpec(
        filename="rtt_monthly.csv",
        title="Referral-to-treatment waiting list by trust and month",
        description=f"{SYNTHETIC} Monthly referral-to-treatment (RTT) waiting list for the five trusts, "
        "April "
        "2022 to March 2025: incomplete pathways, within 18 weeks and over 52 weeks (180 rows: 5 "
        "trusts x 36 months).",
        fields=(
            MONTH,
            TRUST_CODE,
            Field(
                "trust_name", "string", "The trust's name (fictional).", codes=world.TRUST_NAMES, ordered=True
            ),
            WAITING_TOTAL,
            WITHIN_18,
            Field(
                "pct_within_18_weeks",
                "number",
                "100 x within_18_weeks / waiting_total, rounded to 1 decimal "
                "place (as NHS England publishes it).",
                unit="percent",
                minimum=0,
                maximum=100,
                decimals=1,
            ),
            OVER_52,
            Field(
                "pct_over_52_weeks",
                "number",
                "100 x over_52_weeks / waiting_total, rounded to 2 decimal places.",
                unit="percent",
                minimum=0,
                maximum=100,
                decimals=2,
            ),
        ),
        primary_key=("trust_code", "month"),
        foreign_keys=(("trust_code", "trusts"),),
        used_in="01",
    ),
    "rtt_quintile_monthly": DatasetSpec(
        filename="rtt_quintile_monthly.csv",
        title="RTT waiting list by trust, IMD quintile and month",
        description=f"{SYNTHETIC} rtt_monthly split by the IMD quintile of the patient's home; the five "
        "quintiles add up exactly to rtt_monthly for every trust and month (900 rows).",
        fields=(MONTH, TRUST_CODE, IMD_QUINTILE, WAITING_TOTAL, WITHIN_18, OVER_52),
        primary_key=("trust_code", "imd_quintile", "month"),
        foreign_keys=(("trust_code", "trusts"),),
        used_in="03, 08, 10",
    ),
    "rtt_snapshot_specialty": DatasetSpec(
        filename="rtt_snapshot_specialty.csv",
        title="RTT waiting list at the end of 2024/25 by trust and treatment function",
        description=f"{SYNTHETIC} The waiting list at the end of March 2025 (the end of the year 2024/25) by "
        "trust and treatment function, counted from waiting_list; each trust's totals equal "
        "rtt_monthly's for March 2025.",
        fields=(
            MONTH,
            TRUST_CODE,
            TREATMENT_FUNCTION,
            Field(
                "treatment_function_name",
                "string",
                "Name of the treatment function.",
                codes=tuple(v[0] for v in world.TREATMENT_FUNCTIONS.values()),
            ),
            WAITING_TOTAL,
            WITHIN_18,
            _count(
                "over_18_weeks",
                "Incomplete pathways that had waited 18 weeks or more (waiting_total - within_18_weeks).",
                "pathways",
            ),
            OVER_52,
        ),
        primary_key=("month", "trust_code", "treatment_function"),
        foreign_keys=(("trust_code", "trusts"),),
        used_in="02",
    ),
    "waiting_list": DatasetSpec(
        filename="waiting_list.csv.gz",
        title="Patient-level waiting list, end of March 2025",
        description=f"{SYNTHETIC} No real patient is in it. One row per incomplete RTT pathway at the end of "
        "March 2025, with recorded ethnic category (including Z not stated and 99 not known). Each "
        "trust x quintile has exactly rtt_quintile_monthly's March 2025 pathways, within 18 weeks "
        "and over 52 weeks. Stored gzip-compressed.",
        fields=(
            Field("pathway_id", "integer", "Pathway number (fictional), unique.", minimum=1),
            TRUST_CODE,
            AREA_CODE,
            IMD_QUINTILE,
            TREATMENT_FUNCTION,
            AGE_BAND,
            SEX,
            ETHNIC_RECORDED,
            Field(
                "weeks_waited",
                "integer",
                "Completed weeks waited since referral, at 31 March 2025: under 18 "
                "is within the 18-week standard; 52 or more is over 52 weeks.",
                unit="weeks",
                minimum=0,
                maximum=104,
            ),
        ),
        primary_key=("pathway_id",),
        foreign_keys=(("trust_code", "trusts"), ("area_code", "areas")),
        used_in="07, 08, 10",
    ),
    "ethnicity_completeness_monthly": DatasetSpec(
        filename="ethnicity_completeness_monthly.csv",
        title="Ethnicity completeness of each trust's waiting list by month",
        description=f"{SYNTHETIC} Records on each trust's waiting list at month end (= rtt_monthly "
        "waiting_total) by whether ethnic category holds a valid code (A-S), Z or 99; March 2025 "
        "is waiting_list counted.",
        fields=(
            MONTH,
            TRUST_CODE,
            _count(
                "records",
                "Pathways on the waiting list at month end (equals rtt_monthly.waiting_total).",
                "pathways",
            ),
            _count("valid_ethnic_category", "Records with a valid ethnic category code, A-S.", "pathways"),
            _count("not_stated", "Records coded Z, not stated.", "pathways"),
            _count("not_known", "Records coded 99, not known.", "pathways"),
        ),
        primary_key=("trust_code", "month"),
        foreign_keys=(("trust_code", "trusts"),),
        used_in="07, 11",
    ),
    "outpatients_weekly": DatasetSpec(
        filename="outpatients_weekly.csv",
        title="Weekly outpatient appointments and did-not-attends by trust, IMD quintile and ethnic group",
        description=f"{SYNTHETIC} 104 weeks from Monday 3 April 2023: outpatient appointments that should "
        "have been attended (attended + did not attend; cancellations excluded) and did-not-"
        "attends (DNAs), by trust, IMD quintile of the patient's home and recorded broad ethnic "
        "group (18,200 rows).",
        fields=(
            Field(
                "week",
                "integer",
                "Week number, 1 to 104 (week 40 starts on 1 January 2024).",
                unit="week",
                minimum=1,
                maximum=104,
            ),
            Field("week_start", "date", "The Monday the week starts.", unit="date"),
            TRUST_CODE,
            IMD_QUINTILE,
            Field(
                "ethnic_group",
                "string",
                "Recorded ethnic group: the NHS broad group of the ethnic category "
                "code (White A-C, Mixed D-G, Asian or Asian British H-L, Black or Black British M-P, Other "
                "Ethnic Groups R-S), or Not stated (Z) or Not known (99).",
                codes=world.BROAD_GROUPS,
            ),
            _count(
                "appointments",
                "Appointments attended or not attended (cancelled ones are not counted).",
                "appointments",
            ),
            _count("dna", "Appointments the patient did not attend (DNA) without notice.", "appointments"),
        ),
        primary_key=("trust_code", "imd_quintile", "ethnic_group", "week"),
        foreign_keys=(("trust_code", "trusts"),),
        used_in="04, 09",
    ),
    "acsc_admissions": DatasetSpec(
        filename="acsc_admissions.csv",
        title="Emergency admissions for ambulatory care sensitive conditions, with residents",
        description=f"{SYNTHETIC} Emergency admissions for ambulatory care sensitive conditions (ACSC) and "
        "residents by trust catchment, financial year (2022/23 to 2024/25), IMD decile, ESP2013 "
        "age band and sex (5,700 rows). Residents are the same each year (population summed).",
        fields=(
            TRUST_CODE,
            Field(
                "financial_year",
                "string",
                "NHS financial year, April to March.",
                codes=("2022/23", "2023/24", "2024/25"),
                ordered=True,
            ),
            IMD_DECILE,
            IMD_QUINTILE,
            AGE_BAND,
            SEX,
            Field("population", "integer", "Residents (the denominator).", unit="people", minimum=0),
            _count("admissions", "Emergency admissions for ACS conditions in the year.", "admissions"),
        ),
        primary_key=("trust_code", "financial_year", "imd_decile", "age_band", "sex"),
        foreign_keys=(("trust_code", "trusts"),),
        used_in="05, 06, 11",
    ),
}

# --- Lessons 12 and 13: the trusts' staff, and what patients tell us --------------------------------

FINANCIAL_YEAR_WRES = Field(
    "financial_year",
    "string",
    "NHS financial year, April to March; staff in post are counted at its end (31 March).",
    codes=("2020/21", "2021/22", "2022/23", "2023/24", "2024/25"),
    ordered=True,
)
COMMENT_ID = Field(
    "comment_id", "string", "Comment number (fictional), C0001 upwards.", pattern="C[0-9]{4}"
)
THEME_CODE = Field(
    "theme_code",
    "string",
    "Theme of the comment codebook (see comment_codebook): COM communication, WAIT waiting, DIG dignity "
    "and respect, LANG interpreting and language, ACC access and transport, DIS discharge, STAFF staff "
    "attitude, ENV food and environment.",
    codes=("COM", "WAIT", "DIG", "LANG", "ACC", "DIS", "STAFF", "ENV"),
)
SURVEY_ETHNIC_GROUP = Field(
    "ethnic_group",
    "string",
    "Ethnic group as recorded in the hospital record the survey sample was drawn from: the NHS broad "
    "group (White A-C, Mixed D-G, Asian H-L, Black M-P, Other R-S), or Not stated (Z) or Not known (99).",
    codes=world.BROAD_GROUPS,
)


def _coder(name: str, who: str) -> Field:
    return Field(
        name,
        "integer",
        f"1 if {who} assigned this theme to the comment, 0 if not.",
        unit="indicator (1 = theme assigned)",
        minimum=0,
        maximum=1,
    )


REGISTRY.update(
    {
        "workforce": DatasetSpec(
            filename="workforce.csv",
            title="Workforce Race Equality Standard counts by trust, financial year and ethnic group",
            description=f"{SYNTHETIC} The counts behind WRES indicators 1-4, 6 and 8 for the five trusts, "
            "2020/21 to 2024/25, by ethnic group as WRES reports it (White, BME, Unknown): staff in "
            "post; applications, shortlisted and appointed from shortlisting; non-mandatory training; "
            "formal disciplinary process; NHS Staff Survey respondents reporting harassment, bullying "
            "or abuse from staff and discrimination from a manager, team leader or colleague (75 rows).",
            fields=(
                TRUST_CODE,
                FINANCIAL_YEAR_WRES,
                Field(
                    "ethnic_group",
                    "string",
                    "Ethnic group as WRES reports it: White (White British, Irish and any other White "
                    "background), BME (Black and minority ethnic: every other group, Mixed included), "
                    "Unknown (not stated or not recorded).",
                    codes=("White", "BME", "Unknown"),
                ),
                _count("staff_in_post", "Staff in post at the end of the year (WRES indicator 1).", "staff"),
                _count("applications", "Job applications received in the year.", "applications"),
                _count("shortlisted", "Applicants shortlisted in the year.", "applicants"),
                _count(
                    "appointed",
                    "Shortlisted applicants appointed in the year (WRES indicator 2 compares appointed / "
                    "shortlisted, White against BME).",
                    "applicants",
                ),
                _count(
                    "accessed_training",
                    "Staff in post who accessed non-mandatory training or continuing professional "
                    "development in the year (WRES indicator 4).",
                    "staff",
                ),
                _count(
                    "entered_disciplinary",
                    "Staff who entered the formal disciplinary process in the year, as measured by entry "
                    "into a formal disciplinary investigation (WRES indicator 3).",
                    "staff",
                ),
                _count(
                    "survey_respondents",
                    "Staff who answered the NHS Staff Survey held in the autumn of the year.",
                    "staff",
                ),
                _count(
                    "harassment_from_staff",
                    "Survey respondents who experienced harassment, bullying or abuse from staff in the "
                    "last 12 months (WRES indicator 6).",
                    "staff",
                ),
                _count(
                    "discrimination_from_staff",
                    "Survey respondents who personally experienced discrimination at work from a manager, "
                    "team leader or other colleagues in the last 12 months (WRES indicator 8).",
                    "staff",
                ),
            ),
            primary_key=("trust_code", "financial_year", "ethnic_group"),
            foreign_keys=(("trust_code", "trusts"),),
            used_in="12",
        ),
        "patient_survey": DatasetSpec(
            filename="patient_survey.csv",
            title="Inpatient survey: invited and responded by trust, IMD quintile and ethnic group",
            description=f"{SYNTHETIC} An inpatient experience survey of 1,250 discharged patients per "
            "trust: who was invited and who responded, by trust, IMD quintile and recorded ethnic group "
            "(175 rows, every combination, some with no one invited), and the sum of respondents' "
            "overall experience scores (0-10).",
            fields=(
                TRUST_CODE,
                IMD_QUINTILE,
                SURVEY_ETHNIC_GROUP,
                _count("invited", "Patients sent the survey.", "patients"),
                _count("responded", "Patients who returned a completed survey.", "patients"),
                _count(
                    "score_sum",
                    "Sum of respondents' overall experience scores, each 0 (very poor) to 10 (very good); "
                    "score_sum / responded is the mean score.",
                    "points",
                ),
            ),
            primary_key=("trust_code", "imd_quintile", "ethnic_group"),
            foreign_keys=(("trust_code", "trusts"),),
            used_in="13",
        ),
        "patient_comments": DatasetSpec(
            filename="patient_comments.csv",
            title="Inpatient survey: free-text comments (written for the dataset)",
            description=f"{SYNTHETIC} No real patient's words: every comment was written for this dataset. "
            "The comments of a random quarter of the survey's respondents, each with the respondent's "
            "trust, IMD quintile, recorded ethnic group and overall score.",
            fields=(
                COMMENT_ID,
                TRUST_CODE,
                IMD_QUINTILE,
                SURVEY_ETHNIC_GROUP,
                Field(
                    "overall_score",
                    "integer",
                    "The respondent's overall experience score, 0 (very poor) to 10 (very good).",
                    unit="points",
                    minimum=0,
                    maximum=10,
                ),
                Field("comment", "string", "The comment (synthetic: written for the dataset)."),
            ),
            primary_key=("comment_id",),
            foreign_keys=(("trust_code", "trusts"),),
            used_in="13",
        ),
        "comment_codebook": DatasetSpec(
            filename="comment_codebook.csv",
            title="Codebook for the survey comments",
            description=f"{SYNTHETIC} The eight themes the comments were coded into: code, name, definition "
            "and an example (written for the codebook).",
            fields=(
                THEME_CODE,
                Field("theme_name", "string", "Name of the theme."),
                Field("definition", "string", "What the theme covers: the coders' rule."),
                Field("example", "string", "An example of a comment with this theme (written for it)."),
            ),
            primary_key=("theme_code",),
            used_in="13",
        ),
        "comment_codes": DatasetSpec(
            filename="comment_codes.csv",
            title="Themes two coders assigned to each survey comment",
            description=f"{SYNTHETIC} For every comment and every theme of the codebook, whether coder A and "
            "coder B, working independently, assigned the theme (1) or not (0): 8 rows per comment.",
            fields=(COMMENT_ID, THEME_CODE, _coder("coder_a", "coder A"), _coder("coder_b", "coder B")),
            primary_key=("comment_id", "theme_code"),
            foreign_keys=(("comment_id", "patient_comments"), ("theme_code", "comment_codebook")),
            used_in="13",
        ),
    }
)

# --- Lesson 15: the collaborative's shared learning log ------------------------------------------

REGISTRY["learning_log"] = DatasetSpec(
    filename="learning_log.csv",
    title="The collaborative's shared learning log: changes tried and their results",
    description=f"{SYNTHETIC} Illustrative: the changes, their wording and the people to ask are invented "
    "for teaching; every result is counted from the dataset it names. One row per result recorded for a "
    "change one trust tried: what, where, when, for whom, and what happened for all patients and for the "
    "groups it was meant to reach (11 rows, 5 changes).",
    fields=(
        Field(
            "entry_id",
            "integer",
            "Number of the change in the log, in the order the changes started.",
            unit="entry number",
            minimum=1,
        ),
        TRUST_CODE,
        Field("start_month", "date", "Month the change started, dated on its 1st day.", unit="month"),
        Field("change", "string", "What was tried, in the trust's words."),
        Field("aimed_at", "string", "Whom the change was meant for."),
        Field("measure", "string", "The measure the result is recorded on."),
        Field(
            "source",
            "string",
            "The dataset the measure is counted from (a name for equity_lib.datasets.load).",
            codes=(
                "workforce",
                "outpatients_weekly",
                "rtt_monthly",
                "rtt_quintile_monthly",
                "ethnicity_completeness_monthly",
            ),
        ),
        Field(
            "result_for",
            "string",
            "The group this row's result is for: all patients (or BME applicants), the most or least "
            "deprived IMD quintile, or the gap between them (quintile 1 minus quintile 5).",
            codes=(
                "All patients",
                "BME applicants",
                "IMD quintile 1 (most deprived)",
                "IMD quintile 5 (least deprived)",
                "Gap: quintile 1 minus quintile 5",
            ),
            ordered=True,
        ),
        Field("before_period", "string", "The period the before value covers."),
        Field(
            "before",
            "number",
            "The measure before the change: the centre line of its chart before the change (see "
            "datasets/README.md).",
            unit="the row's unit column (%, percentage points or ratio)",
            decimals=2,
        ),
        Field("after_period", "string", "The period the after value covers, as the trust recorded it."),
        Field(
            "after",
            "number",
            "The measure after the change, over after_period.",
            unit="the row's unit column (%, percentage points or ratio)",
            decimals=2,
        ),
        Field("unit", "string", "Unit of before and after.", codes=("%", "percentage points", "ratio")),
        Field(
            "verdict",
            "string",
            "What the measure's chart shows for this group (or that no chart was looked at).",
            codes=("improved", "improved a little", "gap widened", "gap narrowed", "not checked on a chart"),
        ),
        Field("lesson", "string", "The lesson whose chart shows this result.", pattern="[0-9]{2}"),
        Field("contact", "string", "Whom to ask about the change (a role, invented)."),
    ),
    primary_key=("entry_id", "result_for"),
    foreign_keys=(("trust_code", "trusts"),),
    used_in="15",
)

PACKAGE = {
    "name": "moorside-synthetic",
    "title": "Improving equitably: synthetic data for the Moorside Provider Collaborative",
    "description": (
        "SYNTHETIC, NOT REAL DATA. Every dataset of the 'Improving equitably' lessons, drawn from one "
        "synthetic world (five fictional acute trusts serving about 2 million people) by "
        "`python -m equity_lib.synthetic`, seeded and byte-for-byte reproducible. Parameters come from "
        "published figures where there are any (see datasets/README.md for each one's source); the rest "
        "are labelled illustrative."
    ),
    "licenses": [{"name": "MIT", "path": "https://opensource.org/licenses/MIT", "title": "MIT License"}],
    "sources": [
        {"title": "MHCLG, English Indices of Deprivation 2019 and 2025"},
        {
            "title": "ONS / Cabinet Office, Ethnicity facts and figures: Population of England and Wales "
            "(Census 2021)"
        },
        {"title": "NHS England, Referral to Treatment (RTT) waiting times statistics"},
        {"title": "NHS England, Waiting List Minimum Data Set, first release, 17 July 2025"},
        {"title": "The King's Fund, waiting list by deprivation, July 2021"},
        {
            "title": "NHS Digital, Hospital Outpatient Activity 2019-20; NHS England, Reducing DNAs in "
            "outpatient "
            "services (2021/22)"
        },
        {
            "title": "Blunt I, Nuffield Trust, JECH 2013;67(Suppl 1):A34 (OP72): ACS admissions by age and "
            "deprivation"
        },
        {
            "title": "Nuffield Trust / NHS Race and Health Observatory, Ethnicity coding in English health "
            "service "
            "datasets, June 2021"
        },
        {"title": "Eurostat, European Standard Population 2013"},
        {
            "title": "NHS England, Workforce Race Equality Standard (WRES) data analysis reports for NHS "
            "trusts, 2022 to 2024"
        },
        {
            "title": "Care Quality Commission, NHS Adult Inpatient Survey 2017 (response rate); Picker "
            "Institute Europe, Increasing response rates amongst BME and seldom heard groups, 2007"
        },
    ],
}


def datapackage() -> dict:
    """The Frictionless Data Package descriptor for every registered dataset."""
    resources = []
    for name, spec in REGISTRY.items():
        resource: dict[str, Any] = {
            "name": name,
            "path": spec.filename,
            "title": spec.title,
            "description": spec.description
            + (f" Used in notebook(s) {spec.used_in}." if spec.used_in else ""),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
        }
        if spec.filename.endswith(".gz"):
            resource["compression"] = "gz"
        schema: dict[str, Any] = {
            "fields": [f.descriptor() for f in spec.fields],
            "missingValues": [""],
            "primaryKey": list(spec.primary_key),
        }
        if spec.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": target, "fields": column}}
                for column, target in spec.foreign_keys
            ]
        resource["schema"] = schema
        resources.append(resource)
    return {"profile": "tabular-data-package", **PACKAGE, "resources": resources}
