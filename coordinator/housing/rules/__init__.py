"""Rules that act on the survey's findings: a dwelling found in a suspect state opens a
"1+4" case at it; that case resolved as rectified puts the dwelling's state right."""
