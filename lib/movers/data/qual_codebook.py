"""The code book of a qualitative project: the participant attributes (REFI-QDA case variables, the columns of
``participants.csv``) and the values they take, with the report's stated design of its sample.

The analysis (:mod:`movers.strands.qual.qualitative`) reads a project by these names and the synthetic
generator (:mod:`movers.synth.qual`) writes one with them: both import them from here, the data layer, so
the generator needs nothing from the analysis.
"""

from __future__ import annotations

# participant attributes the chapter reads (REFI-QDA case variables / participants.csv columns)
METHOD = "Method"
AREA = "Area type"
TYPE = "Interviewee type"
LOCATION = "Location"
GROUP = "Focus group"
AGE_BAND = "Age band"
GENDER = "Gender"
ETHNICITY = "Ethnicity"
QUALIFICATION = "Highest qualification"
CHILDREN = "Dependent children"
REQUIRED = (METHOD, AREA, TYPE, GENDER, ETHNICITY, QUALIFICATION, CHILDREN)

FOCUS_GROUP, INTERVIEW = "Focus group", "Interview"
COLD, HOT = "Cold spot", "Hot spot"
INTERVIEW_TYPES = ("Cold to hot spot", "Hot to different hot spot", "Hot to same hot spot", "Cold to same cold spot")
GROUP_TYPES = ("Focus group, cold spot", "Focus group, hot spot")
QUALIFICATIONS = ("Level 2 or below", "Level 3", "Level 4-5", "Bachelor's degree or equivalent", "Postgraduate")
DEGREE, POSTGRAD = QUALIFICATIONS[3], QUALIFICATIONS[4]

# The report's design, as stated in "In-depth qualitative research"
REPORT_LOCATIONS = {
    COLD: ("Crawley", "Derby", "Liverpool", "Merthyr Tydfil", "Nuneaton", "Paisley", "Wakefield"),
    HOT: ("Cardiff", "Central London", "Edinburgh"),
}
REPORT_GROUP_PARTICIPANTS = 139
REPORT_INTERVIEWS = {
    "Cold to hot spot": 19,
    "Hot to different hot spot": 5,
    "Hot to same hot spot": 5,
    "Cold to same cold spot": 10,
}
