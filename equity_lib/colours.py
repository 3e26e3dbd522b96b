"""Chart colours, defined once (conventions.md, "Charts" and "SPC").

* ``NHS``: NHS identity colours for non-SPC charts (no more than five series on one chart), plus the pale
  grey used for grid lines and the ink used for text and edges.
* ``MDC``: NHS England's Making Data Count colours for SPC charts.
"""

NHS = {
    "blue": "#005EB8",
    "dark_blue": "#003087",
    "light_blue": "#41B6E6",
    "dark_grey": "#425563",
    "warm_yellow": "#FFB81C",
    "pink": "#AE2573",
    "aqua_green": "#00A499",
    "pale_grey": "#E8EDEE",
    "ink": "#231F20",
}

MDC = {
    "concern": "#E46C0A",
    "improvement": "#00B0F0",
    "neutral": "#490092",
    "common_cause": "#A6A6A6",
    "target": "#DE1B1B",
    "ink": NHS["ink"],
    "line": NHS["dark_grey"],
}
