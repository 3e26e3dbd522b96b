"""A synthetic inpatient experience survey, its free-text comments and their coding.

NOT REAL DATA, and no real patient's words: every comment is put together by this module from
sentences written for the dataset. For lesson 13 ("What patients tell us, and who is not telling
us"). Four datasets:

- ``patient_survey``: who was invited and who responded, by trust x IMD quintile x recorded ethnic
  group (175 rows), with the sum of respondents' overall experience scores (0-10).
- ``patient_comments``: the free-text comments of a random sample of respondents (a quarter),
  each with the respondent's trust, quintile, recorded ethnic group and score.
- ``comment_codes``: for every comment and every theme of the codebook, whether each of two coders
  assigned that theme (1) or not (0).
- ``comment_codebook``: the eight themes: code, name, definition and an example (written for it).

Published figures used (sources quoted in ``datasets/README.md``):

- 1,250 patients sampled per trust, and an adjusted response rate of 41% (CQC adult inpatient survey
  2017: 183,692 sent, 72,778 responses; NHS England, Overall Patient Experience Scores, 13 June
  2018; Healthwatch West Berkshire, 15 June 2018). The Scottish Inpatient Experience Survey 2018 had
  40% (20,809 of 51,440; Scottish Government technical report).
- Response is lower among young people and among Black and minority ethnic groups ("particularly
  low"; H. Sheldon, Picker Institute Europe, "Increasing response rates amongst BME and seldom heard
  groups", literature review for the Healthcare Commission, 2007): the direction only.
- Inpatient admissions per 100,000: 43,385 in the most deprived quintile, 31,298 in the least (Asaria
  et al., JECH 2016; ``emergency_and_acsc`` in the parameter file): who is sampled, by quintile.
- 13% of inpatient records with ethnicity unknown or not stated (HES 2019/20; Nuffield Trust / NHS
  Race and Health Observatory, 2021).

Illustrative (not from a source): the size of the response gradients by deprivation (odds ratio 2.2,
least vs most deprived) and by ethnic group (lowest for Asian patients); scores (mean about 8 out of
10, lower in deprived areas and minority groups); the share writing a comment; which themes comments
raise; how often each coder misses or adds a theme (Cohen's kappa about 0.6-0.8 per theme).

Designed feature (for trainers: lesson 13's exercise): the theme "interpreting and language" (LANG)
is rare overall (about 3% of comments raise it; each coder marks 4-5%) but common (about 40%) among
comments from Asian patients, the group least likely to respond.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy.special import expit

from equity_lib.synthetic import areas, waiting_list, world

SEED = 13  # the first seed, counting from 0, that gives the designed feature and agreement
GROUPS = world.BROAD_GROUPS  # White, Mixed, Asian, Black, Other, Not stated, Not known
VALID_GROUPS = GROUPS[:5]
INVITED_PER_TRUST = 1250  # CQC adult inpatient survey: 1,250 consecutive discharges per trust
RESPONSE_RATE = 0.41  # CQC adult inpatient survey 2017, adjusted response rate
ADMISSIONS_Q1_VS_Q5 = 43_385 / 31_298  # Asaria et al. 2016: inpatient admissions, most vs least deprived
UNKNOWN_ETHNICITY = 0.13  # HES 2019/20 inpatients: ethnicity unknown or not stated

# Response, on the log-odds scale (illustrative sizes; directions as published).
RESPONSE_Q5_VS_Q1_LOG_ODDS = np.log(2.2)
RESPONSE_ETHNIC = {"White": 0.0, "Mixed": -0.45, "Asian": -0.8, "Black": -0.55, "Other": -0.6,
                   "Not stated": -0.3, "Not known": -0.45}
RESPONSE_TRUST = {"MTH": -0.05, "HVH": 0.0, "BDH": 0.05, "KDH": -0.05, "FRH": 0.1}

# Overall experience, 0-10 (illustrative): a latent normal score, rounded and clipped.
SCORE_MEAN = 8.3  # least deprived quintile, White patients
SCORE_SD = 1.9
SCORE_Q1_VS_Q5 = -0.5
SCORE_ETHNIC = {"White": 0.0, "Mixed": -0.3, "Asian": -0.5, "Black": -0.4, "Other": -0.4,
                "Not stated": -0.2, "Not known": -0.1}
COMMENT_SHARE = 0.25  # of respondents, the comments in this coded sample (illustrative)

# --- The codebook ------------------------------------------------------------------------------------

THEMES: tuple[tuple[str, str, str, str], ...] = (
    ("COM", "Communication", "Being told, or not told, what was happening: explanations, information, "
     "being listened to and involved in decisions.",
     "The consultant took time to explain the operation and what could go wrong."),
    ("WAIT", "Waiting", "Time spent waiting: for admission, in A&E, for a bed, for tests, for medicines "
     "or for staff to come.", "I was on a trolley in A&E for eleven hours before I got a bed."),
    ("DIG", "Dignity and respect", "Privacy, dignity and being treated as a person: curtains, help with "
     "washing and the toilet, being spoken to with respect.",
     "They always pulled the curtain round and asked before they helped me wash."),
    ("LANG", "Interpreting and language", "Language needs: interpreters booked or not, relatives used "
     "to interpret, leaflets or letters in a language the patient reads.",
     "There was no interpreter, so my son had to tell me what the doctor said."),
    ("ACC", "Access and transport", "Getting to and from hospital: parking, transport, distance, "
     "appointment times, physical access.", "Parking cost my husband a fortune every day he visited."),
    ("DIS", "Discharge", "Leaving hospital: notice, delays on the day, medicines to take home, care "
     "arranged afterwards, knowing who to call.",
     "I was told I was going home at 10 and left at 7 in the evening, waiting for tablets."),
    ("STAFF", "Staff attitude", "How staff came across: kind, caring, rude, rushed or dismissive; "
     "praise or criticism of named groups of staff.", "The night nurses were so kind to me."),
    ("ENV", "Food and environment", "Food and drink, cleanliness, noise at night, temperature, the "
     "ward and its facilities.", "The food was cold by the time it got to me and the ward was very noisy."),
)
THEME_CODES = tuple(t[0] for t in THEMES)
LANG = THEME_CODES.index("LANG")

# How often comments raise each theme (relative weights; illustrative). LANG by group: the designed
# feature.
THEME_WEIGHT = {"COM": 0.22, "WAIT": 0.17, "DIG": 0.11, "LANG": 0.0, "ACC": 0.09, "DIS": 0.12,
                "STAFF": 0.2, "ENV": 0.12}
LANG_WEIGHT = {"White": 0.003, "Mixed": 0.02, "Asian": 0.6, "Black": 0.04, "Other": 0.15,
               "Not stated": 0.03, "Not known": 0.04}
N_THEMES_P = (0.6, 0.32, 0.08)  # a comment raises 1, 2 or 3 themes (illustrative)

# Coders (illustrative): the chance of assigning a theme the comment raises, of adding one it does
# not raise, and of adding a neighbouring theme when the comment raises its neighbour.
CODERS = {"coder_a": (0.88, 0.015, 0.12), "coder_b": (0.83, 0.018, 0.15)}
NEIGHBOURS = {"STAFF": "DIG", "DIG": "STAFF", "COM": "DIS", "DIS": "COM", "WAIT": "ACC", "ACC": "WAIT"}

# Sentences written for the dataset: (positive, negative) for each theme.
SENTENCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "COM": (
        (
            "The doctors explained everything in a way I could understand.",
            "Every morning someone told me what the plan was for the day.",
            "The surgeon came back after the operation to tell me how it had gone.",
            "I felt listened to and they asked what I wanted before deciding anything.",
            "They drew me a little diagram of what they were going to do, which really helped.",
            "My daughter was kept up to date on the phone, which put her mind at rest.",
            "When my results came back the nurse sat down and went through them with me.",
            "I was involved in every decision about my treatment.",
            "They were honest with me about what could go wrong, and I appreciated that.",
            "Whenever I asked a question I got a straight answer.",
        ),
        (
            "Nobody told me what was happening from one day to the next.",
            "I got different answers from different doctors and ended up more confused.",
            "The ward round was over in two minutes and I never got to ask my questions.",
            "I only found out about my diagnosis from a letter after I got home.",
            "Staff talked over me as if I was not there.",
            "My family rang several times and were never told anything.",
            "I did not understand what the operation involved until the morning of it.",
            "They kept using medical words and nobody explained them.",
            "I asked three times about my scan result and was told someone would come, but nobody did.",
            "I felt decisions were made about me without me.",
        ),
    ),
    "WAIT": (
        (
            "I was seen in A&E quicker than I expected.",
            "I got a bed on the ward within a couple of hours.",
            "My operation went ahead on the day it was booked.",
            "The wait for my scan was short, considering how busy they were.",
            "When I pressed the buzzer someone came straight away.",
            "I was admitted the week after I saw the consultant.",
            "Tests were done the same day, so I was not left waiting and worrying.",
            "Considering the pressure they are under, I did not wait long at all.",
            "My pain relief came on time every time.",
            "I was taken down to theatre at the time they said.",
        ),
        (
            "I waited fourteen hours in A&E on a trolley before I got a bed.",
            "My operation was cancelled twice on the day, after I had been nil by mouth since midnight.",
            "I pressed the buzzer and waited over half an hour for someone to come.",
            "I waited nearly a year for this operation and my knee got much worse.",
            "It took two days to get the scan the doctor said was urgent.",
            "I sat in a corridor for most of the night waiting to be moved.",
            "I was left waiting for pain relief for a long time after asking.",
            "The wait to be admitted was far too long, and nobody told me where I was on the list.",
            "I waited all morning to be seen and then was sent to another department to wait again.",
            "My mum waited hours for help to get to the toilet.",
        ),
    ),
    "DIG": (
        (
            "They always pulled the curtains round and spoke quietly about personal things.",
            "I was helped to wash every day and never felt embarrassed.",
            "They called me by the name I asked them to use.",
            "Even when I was very poorly I was treated as a person, not a bed number.",
            "The healthcare assistant helped me to the toilet without making me feel a nuisance.",
            "They respected my wishes about who could be told about my condition.",
            "My privacy was respected throughout my stay.",
            "They made sure I was covered up properly when I was being moved.",
            "My religious needs were respected and they found me a quiet room to pray.",
            "I was treated with dignity at a very difficult time.",
        ),
        (
            "I was left in a soiled bed for far too long.",
            "Doctors discussed my condition in front of the whole bay.",
            "I was moved to a mixed ward and did not feel comfortable undressing.",
            "I was not helped to wash for three days.",
            "Nobody closed the curtains when they examined me.",
            "They spoke to my husband instead of to me, as if I could not answer for myself.",
            "My dad was left in a gown that did not cover him while people walked past.",
            "I had to ask several times for help to the toilet and in the end I had an accident.",
            "I felt like a number, not a person.",
            "My cultural needs were not respected, even after I explained them.",
        ),
    ),
    "LANG": (
        (
            "They booked an interpreter for every meeting with the doctor.",
            "The interpreter on the phone was very good and I understood everything.",
            "I was given a leaflet in my own language, which helped a lot.",
            "A nurse who spoke my language came to help when I was frightened.",
            "They asked which language I wanted before the appointment and arranged it.",
            "Having an interpreter there meant I could ask my own questions.",
            "My letters came in my language, which has never happened before.",
            "The interpreter stayed until I had understood the discharge plan.",
            "They did not rush me, and they waited for the interpreter to arrive.",
            "I could finally explain my pain properly because the interpreter was there.",
        ),
        (
            "There was no interpreter, so my son had to tell me what the doctor said.",
            "My English is not good and nobody checked that I understood.",
            "They asked my teenage daughter to translate about my operation.",
            "The interpreter never came and the doctor went ahead anyway.",
            "All the forms were in English and I signed things I did not understand.",
            "I asked for an interpreter but was told there was no time.",
            "The phone interpreter kept cutting out and I missed most of it.",
            "Nobody asked what language I speak, even though it is on my records.",
            "I could not tell the nurses I was in pain because I did not have the words.",
            "My husband had to take time off work to come and translate every day.",
        ),
    ),
    "ACC": (
        (
            "Hospital transport picked me up on time and brought me home.",
            "Parking was easy and the blue badge bays were close to the entrance.",
            "The volunteers at the front desk showed me the way to the ward.",
            "They let me choose an admission time that worked with the buses.",
            "The ward was easy to get to in my wheelchair.",
            "They gave my wife a parking permit because she was visiting every day.",
            "The bus stop is right outside, which made visiting easy for my family.",
            "Signs were clear and I found the department without any trouble.",
        ),
        (
            "Parking cost my family a fortune over the two weeks I was in.",
            "It took two buses and over an hour for my wife to visit me.",
            "Hospital transport did not turn up and I had to get a taxi I could not afford.",
            "There was nowhere to park and I nearly missed my admission.",
            "The lift to the ward was broken and nobody could tell me another way up.",
            "I was sent to the other hospital site with no way of getting there.",
            "My admission was at 7 in the morning and there are no buses from my village at that time.",
            "The signs were confusing and I got lost twice.",
        ),
    ),
    "DIS": (
        (
            "They gave me plenty of notice of when I was going home.",
            "My medicines were ready when I was, and the pharmacist explained each one.",
            "I was given a number to ring if I was worried after I got home.",
            "The district nurse came the day after I got home, just as they said.",
            "They made sure I had help at home before letting me go.",
            "I left with a clear letter that explained what to do next.",
            "The discharge was well organised and nothing was forgotten.",
            "They checked I could manage the stairs before sending me home.",
        ),
        (
            "I was told I was going home in the morning and did not leave until the evening.",
            "I waited five hours for my tablets to take home.",
            "I was sent home with no idea who to contact if things went wrong.",
            "Nobody arranged the care my mum needed at home, so she was back in within a week.",
            "I was discharged late at night with no way of getting home.",
            "My discharge letter had the wrong medicines on it.",
            "They kept me in for three extra days waiting for a care package.",
            "I went home without being told how to look after my wound.",
        ),
    ),
    "STAFF": (
        (
            "The nurses were kind and caring, nothing was too much trouble.",
            "The night staff were wonderful and always had time for a chat.",
            "Every member of staff, from the cleaners to the consultant, was lovely.",
            "The healthcare assistants worked so hard and were always cheerful.",
            "The staff were brilliant even though they were obviously short handed.",
            "One nurse in particular went out of her way to make me feel better.",
            "Everyone was friendly and patient with me.",
            "The physios were encouraging and got me back on my feet.",
            "Staff were calm and reassuring when I was scared.",
            "I cannot thank the team on the ward enough.",
        ),
        (
            "One of the nurses was rude to me when I asked for help.",
            "Some staff seemed fed up and took it out on patients.",
            "The doctor was dismissive and made me feel I was wasting his time.",
            "Staff stood chatting at the desk while buzzers were going off.",
            "I was made to feel like a nuisance for asking for things.",
            "A few of the night staff were short tempered with the older patients.",
            "The receptionist was unhelpful and would not look up from her screen.",
            "I was spoken to in a patronising way.",
            "Staff were rushed off their feet and it showed in how they treated people.",
            "Nobody introduced themselves, and some staff were quite abrupt.",
        ),
    ),
    "ENV": (
        (
            "The ward was spotless and cleaned every day.",
            "The food was better than I expected, with plenty of choice.",
            "It was quiet at night so I could actually sleep.",
            "There was always fresh water and a hot drink when I wanted one.",
            "They found me food that met my diet without any fuss.",
            "The room was clean and comfortable.",
            "The new ward is bright and the beds are comfortable.",
            "Meals came hot and on time.",
        ),
        (
            "The food was cold by the time it reached me.",
            "It was so noisy at night that I hardly slept.",
            "The toilets were not cleaned often enough.",
            "There was nothing on the menu I could eat with my diet.",
            "The ward was far too hot and there was no way to open a window.",
            "My water jug was left empty for hours.",
            "The bathroom on our bay was out of order the whole time I was there.",
            "The lights were on all night and the machines kept beeping.",
        ),
    ),
}
OPENERS = (
    ("", ""),
    ("Overall a good stay. ", "Not a good experience. "),
    ("I was in for a hip replacement. ", "I was in for a week with a chest infection. "),
    ("Thank you to everyone on the ward. ", "I want to raise a few things. "),
    ("", "I was very disappointed. "),
    ("I was very poorly when I came in. ", "I have been in hospital before and this was the worst. "),
    ("", ""),
    ("My second time in this hospital. ", "I came in through A&E. "),
)
CLOSERS = (
    ("", ""),
    (" Thank you.", " Please do something about this."),
    (" I would be happy to come back if I needed to.", " I hope nobody else goes through this."),
    ("", " Something needs to change."),
    (" Keep up the good work.", ""),
    ("", ""),
)


def _cell_people() -> np.ndarray:
    """Residents by trust x quintile x valid broad group (from ``areas``)."""
    people = areas.build()
    n_t, n_q, n_g = len(world.TRUSTS), 5, len(VALID_GROUPS)
    group_of = np.array([VALID_GROUPS.index(e.broad_group) for e in world.ETHNIC[:-2]])
    by_group = np.zeros((len(people.areas), n_g))
    np.add.at(by_group.T, group_of, people.ethnicity.T)
    cell = people.trust_index * n_q + people.areas["imd_quintile"].to_numpy() - 1
    residents = np.zeros((n_t * n_q, n_g))
    np.add.at(residents, cell, by_group)
    return residents.reshape(n_t, n_q, n_g)


def response_probability(q: np.ndarray, g: np.ndarray, t: np.ndarray, intercept: float) -> np.ndarray:
    """Chance of responding for quintile index q (0 = most deprived), group index g, trust index t."""
    x = intercept + RESPONSE_Q5_VS_Q1_LOG_ODDS * q / 4
    x = x + np.array([RESPONSE_ETHNIC[k] for k in GROUPS])[g]
    return expit(x + np.array([RESPONSE_TRUST[c] for c in world.TRUST_CODES])[t])


@cache
def build(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every table of the survey, plus ``truth``: the themes each comment really raises (cached)."""
    rng = np.random.default_rng(seed)
    n_t, n_q, n_g = len(world.TRUSTS), 5, len(GROUPS)

    # Who is invited: each trust's 1,250 discharges, spread over its residents by inpatient use.
    residents = _cell_people()
    use = ADMISSIONS_Q1_VS_Q5 ** ((4 - np.arange(n_q)) / 4)
    weight = residents * use[None, :, None]
    valid = np.stack([rng.multinomial(INVITED_PER_TRUST, (w / w.sum()).ravel()) for w in weight])
    valid = valid.reshape(n_t, n_q, len(VALID_GROUPS))
    missing = rng.binomial(valid, UNKNOWN_ETHNICITY)
    not_stated = rng.binomial(missing, waiting_list.NOT_STATED_SHARE)
    invited = np.concatenate([valid - missing, not_stated.sum(axis=2, keepdims=True),
                              (missing - not_stated).sum(axis=2, keepdims=True)], axis=2)

    # Who responds: intercept chosen so that the expected response rate is 41%.
    t_idx, q_idx, g_idx = np.meshgrid(np.arange(n_t), np.arange(n_q), np.arange(n_g), indexing="ij")
    grid = np.linspace(-3, 3, 6001)
    rates = np.array([(invited * response_probability(q_idx, g_idx, t_idx, b)).sum() for b in grid])
    intercept = float(np.interp(RESPONSE_RATE * invited.sum(), rates, grid))
    responded = rng.binomial(invited, response_probability(q_idx, g_idx, t_idx, intercept))

    # Each respondent's overall score, 0-10.
    cell = np.repeat(np.arange(invited.size), responded.ravel())
    q_r, g_r = q_idx.ravel()[cell], g_idx.ravel()[cell]
    mean = SCORE_MEAN + SCORE_Q1_VS_Q5 * (4 - q_r) / 4 + np.array([SCORE_ETHNIC[k] for k in GROUPS])[g_r]
    score = np.clip(np.rint(mean + SCORE_SD * rng.standard_normal(cell.size)), 0, 10).astype(np.int64)
    score_sum = np.bincount(cell, weights=score, minlength=invited.size).astype(np.int64)

    survey = pd.DataFrame(
        {
            "trust_code": np.repeat(world.TRUST_CODES, n_q * n_g),
            "imd_quintile": np.tile(np.repeat(np.arange(1, n_q + 1), n_g), n_t),
            "ethnic_group": np.tile(GROUPS, n_t * n_q),
            "invited": invited.ravel(),
            "responded": responded.ravel(),
            "score_sum": score_sum,
        }
    )

    # Comments: a random quarter of respondents.
    chosen = np.flatnonzero(rng.random(cell.size) < COMMENT_SHARE)
    c_cell, c_score, c_group = cell[chosen], score[chosen], g_r[chosen]
    n_c, n_th = chosen.size, len(THEMES)

    # Themes raised: 1-3 themes, drawn without replacement (Gumbel top-k), LANG weighted by group.
    w = np.tile(np.array([THEME_WEIGHT[c] for c in THEME_CODES]), (n_c, 1))
    w[:, LANG] = np.array([LANG_WEIGHT[k] for k in GROUPS])[c_group]
    keys = np.log(w) - np.log(-np.log(rng.random((n_c, n_th))))
    k = 1 + np.searchsorted(np.cumsum(N_THEMES_P), rng.random(n_c), side="right")
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    truth = rank < k[:, None]

    # The words: per theme raised, a positive or negative sentence (more likely negative for low
    # scores), in the order the themes were drawn, with an opener and a closer.
    positive = rng.random((n_c, n_th)) < expit(1.3 * (c_score[:, None] - 6.5))
    pick = rng.integers(0, 1000, (n_c, n_th))
    tone = (np.clip(c_score, 0, 10) >= 7).astype(int)  # 1: an overall positive opener and closer
    opener = rng.integers(0, len(OPENERS), n_c)
    closer = rng.integers(0, len(CLOSERS), n_c)
    texts = []
    for i in range(n_c):  # text assembly: a few hundred short strings
        order = [j for j in np.argsort(rank[i]) if truth[i, j]]
        parts = []
        for j in order:
            pos, neg = SENTENCES[THEME_CODES[j]]
            pool = pos if positive[i, j] else neg
            parts.append(pool[pick[i, j] % len(pool)])
        head = OPENERS[opener[i]][1 - tone[i]]
        tail = CLOSERS[closer[i]][1 - tone[i]]
        texts.append(head + " ".join(parts) + tail)

    comments = pd.DataFrame(
        {
            "comment_id": [f"C{i + 1:04d}" for i in range(n_c)],
            "trust_code": survey["trust_code"].to_numpy()[c_cell],
            "imd_quintile": survey["imd_quintile"].to_numpy()[c_cell],
            "ethnic_group": survey["ethnic_group"].to_numpy()[c_cell],
            "overall_score": c_score,
            "comment": texts,
        }
    )

    # Two coders: each assigns a raised theme with probability sens, an unrelated one with fp, and a
    # theme whose neighbour is raised with p_neighbour.
    neighbour_raised = np.zeros_like(truth)
    for j, code in enumerate(THEME_CODES):
        if code in NEIGHBOURS:
            neighbour_raised[:, j] = truth[:, THEME_CODES.index(NEIGHBOURS[code])]
    coded = {}
    for name, (sens, fp, near) in CODERS.items():
        p = np.where(truth, sens, np.where(neighbour_raised, near, fp))
        coded[name] = (rng.random(truth.shape) < p).astype(np.int64)
        empty = coded[name].sum(axis=1) == 0  # a coder always assigns at least one theme
        first = np.argmin(rank, axis=1)
        coded[name][empty, first[empty]] = 1
    codes = pd.DataFrame(
        {
            "comment_id": np.repeat(comments["comment_id"].to_numpy(), n_th),
            "theme_code": np.tile(THEME_CODES, n_c),
            "coder_a": coded["coder_a"].ravel(),
            "coder_b": coded["coder_b"].ravel(),
        }
    )
    codebook = pd.DataFrame(list(THEMES), columns=["theme_code", "theme_name", "definition", "example"])
    truth_frame = pd.DataFrame(truth.astype(np.int64), columns=list(THEME_CODES))
    truth_frame.insert(0, "comment_id", comments["comment_id"])
    return {"patient_survey": survey, "patient_comments": comments, "comment_codes": codes,
            "comment_codebook": codebook, "truth": truth_frame}


def generate_survey() -> pd.DataFrame:
    return build()["patient_survey"].copy()


def generate_comments() -> pd.DataFrame:
    return build()["patient_comments"].copy()


def generate_codes() -> pd.DataFrame:
    return build()["comment_codes"].copy()


def generate_codebook() -> pd.DataFrame:
    return build()["comment_codebook"].copy()

