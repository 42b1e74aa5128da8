"""The synthetic business as data: calendar, channels, campaigns, people, funnel parameters.

Every number that shapes the generated data lives here, so the stories the data tells
(the seeded situations) can be read and tuned without touching the generator code.
Volumes are given per 10,000 leads and scale with ``n_leads``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# --- calendar -------------------------------------------------------------------------------
# Fixed dates, never relative to today, so a seed always gives the same bytes.
LEADS_START = np.datetime64("2024-01-01", "D")
LEADS_END = np.datetime64("2025-12-31", "D")  # last day on which leads are created
# Snapshot date of the exports, a quarter after the last lead: nothing happens after it (later
# events are censored), so recent cohorts are young and recent opportunities still open.
AS_OF = np.datetime64("2026-03-31T00:00:00", "s")
N_QUARTERS = 8  # 2024-Q1 .. 2025-Q4
QUARTER_LABELS = tuple(f"{2024 + q // 4}-Q{q % 4 + 1}" for q in range(N_QUARTERS))

# Leads per quarter (per 10,000) including the fixed-window campaigns below.
# 2025-Q2 doubles 2025-Q1, mainly through two cheap paid_social campaigns.
QUARTER_TOTALS = (1000, 1050, 950, 1150, 1050, 2100, 1300, 1400)

# Relative lead volume by weekday (Mon..Sun) and a few seasonal dips (B2B in Europe).
WEEKDAY_WEIGHTS = (1.0, 1.05, 1.05, 1.0, 0.85, 0.25, 0.2)
WORKDAY_ONLY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.9, 0.02, 0.01)  # SDRs, events, partners
SEASONAL_DIPS = (  # (first day, last day, factor)
    ("2024-07-29", "2024-08-23", 0.65),
    ("2025-07-28", "2025-08-22", 0.65),
    ("2024-12-21", "2025-01-02", 0.35),
    ("2025-12-20", "2025-12-31", 0.35),
)
# Hour of day (UTC) of lead creation: European office hours with a lunch dip.
HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 3.0, 5.5, 7.0, 7.5, 6.0,
    4.5, 6.5, 7.5, 7.0, 6.0, 4.0, 2.5, 2.0, 1.6, 1.2, 0.8, 0.4,
)  # fmt: skip

# --- channels -------------------------------------------------------------------------------
# (utm_source, utm_medium, referrer, weight): what the form captured for the lead.
Utm = tuple[str | None, str | None, str | None, float]


@dataclass(frozen=True)
class Channel:
    name: str
    acquisition: str
    utm: tuple[Utm, ...]
    share: float  # share of the regular (not fixed-window) lead volume
    creation_touch: str  # touch type at created_at: form_submit, other (badge scan), email_send
    mql_days: float  # median delay lead -> MQL
    icp_bias: float  # how strongly the channel reaches ideal-customer-profile companies
    landing_cvr: float = 0.0  # visitor -> lead on its landing pages; 0: no web traffic
    extra_visitors: float = 0.0  # non-converting visitors (home, blog) per landing visitor
    ctr: float = 0.0  # ad click-through rate (impressions only for ad channels)


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "paid_search", "paid",
        (("google", "cpc", None, 0.85), ("bing", "cpc", None, 0.15)),
        share=0.22, creation_touch="form_submit", mql_days=1.0, icp_bias=0.6,
        landing_cvr=0.05, extra_visitors=0.2, ctr=0.045,
    ),
    Channel(
        "paid_social", "paid",
        (("linkedin", "paid_social", None, 0.75), ("facebook", "paid_social", None, 0.25)),
        share=0.155, creation_touch="form_submit", mql_days=6.0, icp_bias=-0.3,
        landing_cvr=0.04, extra_visitors=0.2, ctr=0.007,
    ),
    Channel(
        "organic_search", "inbound",
        (
            ("google", "organic", "https://www.google.com/", 0.82),
            ("bing", "organic", "https://www.bing.com/", 0.13),
            ("duckduckgo", "organic", "https://duckduckgo.com/", 0.05),
        ),
        share=0.23, creation_touch="form_submit", mql_days=8.0, icp_bias=0.0,
        landing_cvr=0.03, extra_visitors=2.5,
    ),
    Channel(
        "email", "inbound", (("newsletter", "email", None, 1.0),),
        share=0.065, creation_touch="form_submit", mql_days=5.0, icp_bias=0.3,
        landing_cvr=0.06, extra_visitors=0.5,
    ),
    Channel(
        "referral", "inbound",
        (
            ("g2.com", "referral", "https://www.g2.com/products/leadpilot/reviews", 0.45),
            ("capterra.com", "referral", "https://www.capterra.com/p/leadpilot/", 0.25),
            ("medium.com", "referral", "https://medium.com/revops-weekly/funnel-metrics", 0.2),
            ("producthunt.com", "referral", "https://www.producthunt.com/products/leadpilot", 0.1),
        ),
        share=0.055, creation_touch="form_submit", mql_days=3.0, icp_bias=0.5,
        landing_cvr=0.04, extra_visitors=0.8,
    ),
    Channel(
        "events", "event", ((None, None, None, 1.0),),
        share=0.0, creation_touch="other", mql_days=2.0, icp_bias=1.0,
    ),
    Channel(
        "outbound", "outbound", ((None, None, None, 1.0),),
        share=0.095, creation_touch="email_send", mql_days=2.0, icp_bias=2.0,
    ),
    Channel(
        "partners", "partner",
        (("agency_partner", "affiliate", None, 0.6), ("app_marketplace", "affiliate", None, 0.4)),
        share=0.08, creation_touch="form_submit", mql_days=2.0, icp_bias=1.0,
        landing_cvr=0.06, extra_visitors=0.3,
    ),
    Channel(
        "direct", "inbound", (("(direct)", "(none)", None, 1.0),),
        share=0.10, creation_touch="form_submit", mql_days=3.0, icp_bias=0.3,
        landing_cvr=0.05, extra_visitors=1.5,
    ),
)  # fmt: skip
CHANNEL_INDEX = {c.name: i for i, c in enumerate(CHANNELS)}
# Share of all leads whose channel field is empty (UTMs kept, so grouping can derive it).
MISSING_CHANNEL_SHARE = 0.05


# --- campaigns ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Campaign:
    name: str
    channel: str
    # Funnel step rates: lead->MQL, MQL->SAL (acceptance), SAL->SQL, SQL->opportunity, won.
    rates: tuple[float, float, float, float, float]
    contents: tuple[tuple[str | None, float], ...]
    cpl: float | None = None  # cost per lead, None for free channels
    weight: float = 1.0  # share within the channel's regular volume
    quarters: tuple[int, ...] | None = None  # active quarters of a regular campaign (None: all)
    fixed: float = 0.0  # leads per 10,000 for a campaign bound to a date window
    window: tuple[str, str] | None = None  # first and last day (inclusive) of a fixed campaign
    peak_days: int = 0  # events: the first days of the window carry most leads
    icp_bias: float | None = None  # overrides the channel's
    utm_source: str | None = None  # the one UTM source of the channel this campaign uses


_NONE: tuple[tuple[str | None, float], ...] = ((None, 1.0),)

CAMPAIGNS: tuple[Campaign, ...] = (
    # paid_search: good intent, CPL 60-120
    Campaign("ps_brand", "paid_search", (0.70, 0.85, 0.50, 0.80, 0.60),
             (("/demo", 0.4), ("/pricing", 0.35), ("/free-trial", 0.25)), cpl=60, weight=0.4),
    Campaign("ps_generic_revops", "paid_search", (0.55, 0.75, 0.40, 0.75, 0.55),
             (("/lp/revops-analytics", 0.6), ("/lp/roi-calculator", 0.25), ("/demo", 0.15)),
             cpl=100, weight=0.4),
    Campaign("ps_competitors", "paid_search", (0.60, 0.80, 0.45, 0.75, 0.55),
             (("/lp/competitor-comparison", 0.8), ("/demo", 0.2)), cpl=115, weight=0.2,
             quarters=(2, 3, 4, 5, 6, 7)),
    # Seeded situation 2, expensive side: CPL 80, ~17 % of its leads become customers.
    Campaign("paid_search_high_intent", "paid_search", (0.80, 0.85, 0.50, 0.75, 0.56),
             (("/demo", 0.7), ("/pricing", 0.3)), cpl=80, fixed=150,
             window=("2025-01-06", "2025-03-31"), icp_bias=1.5),
    # paid_social: cheaper, poorer
    Campaign("pso_retargeting", "paid_social", (0.50, 0.70, 0.38, 0.72, 0.50),
             (("/demo", 0.3), ("/free-trial", 0.3), ("/lp/roi-calculator", 0.4)), cpl=40,
             weight=0.5),
    Campaign("pso_thought_leadership", "paid_social", (0.40, 0.65, 0.32, 0.70, 0.45),
             (("/lp/webinar-lead-scoring", 0.5), ("/ebook/lead-scoring-guide", 0.5)), cpl=55,
             weight=0.5),
    # Seeded situation 2, cheap side (and most of the 2025-Q2 volume jump): CPL 20, ~3 %.
    Campaign("paid_social_cheap_leadgen", "paid_social", (0.50, 0.62, 0.34, 0.70, 0.45),
             (("/lp/ebook-b2b-benchmarks", 1.0),), cpl=20, fixed=500,
             window=("2025-04-01", "2025-06-30"), icp_bias=-1.2),
    Campaign("pso_lookalike_q2", "paid_social", (0.42, 0.60, 0.30, 0.65, 0.42),
             (("/lp/ebook-b2b-benchmarks", 0.5), ("/lp/webinar-lead-scoring", 0.5)), cpl=24,
             fixed=450, window=("2025-04-14", "2025-06-30"), icp_bias=-1.0),
    # organic_search
    Campaign("seo_blog", "organic_search", (0.40, 0.75, 0.38, 0.80, 0.58),
             (("/blog/mql-vs-sql", 0.4), ("/blog/b2b-funnel-metrics", 0.4),
              ("/ebook/lead-scoring-guide", 0.2)), weight=0.6),
    Campaign("seo_product_pages", "organic_search", (0.55, 0.80, 0.42, 0.80, 0.60),
             (("/pricing", 0.4), ("/demo", 0.3), ("/free-trial", 0.3)), weight=0.4),
    # email (tool costs only)
    Campaign("em_newsletter", "email", (0.45, 0.70, 0.36, 0.78, 0.58),
             (("/webinar/attribution-101", 0.4), ("/ebook/lead-scoring-guide", 0.3),
              ("/demo", 0.3)), cpl=8, weight=0.5),
    Campaign("em_nurture", "email", (0.55, 0.75, 0.40, 0.80, 0.60),
             (("/demo", 0.5), ("/free-trial", 0.5)), cpl=5, weight=0.3),
    Campaign("em_webinar_invites", "email", (0.50, 0.70, 0.34, 0.75, 0.55),
             (("/webinar/attribution-101", 1.0),), cpl=15, weight=0.2),
    # referral
    Campaign("ref_review_sites", "referral", (0.65, 0.85, 0.45, 0.80, 0.62),
             (("/pricing", 0.5), ("/demo", 0.5)), weight=0.6),
    Campaign("ref_content_syndication", "referral", (0.40, 0.70, 0.32, 0.75, 0.55),
             (("/ebook/lead-scoring-guide", 0.6), ("/blog/b2b-funnel-metrics", 0.4)), weight=0.4),
    # events: trade shows, leads are badge scans on the show days and a few days after
    Campaign("ev_saas_connect_2024", "events", (0.80, 0.80, 0.45, 0.75, 0.55), _NONE,
             cpl=170, fixed=150, window=("2024-03-12", "2024-03-21"), peak_days=3),
    Campaign("ev_martech_expo_2024", "events", (0.75, 0.80, 0.42, 0.75, 0.55), _NONE,
             cpl=150, fixed=200, window=("2024-10-08", "2024-10-17"), peak_days=3),
    Campaign("ev_revops_summit_2025", "events", (0.85, 0.85, 0.50, 0.78, 0.58), _NONE,
             cpl=190, fixed=250, window=("2025-02-18", "2025-02-27"), peak_days=3),
    Campaign("ev_martech_expo_2025", "events", (0.75, 0.80, 0.42, 0.75, 0.55), _NONE,
             cpl=160, fixed=200, window=("2025-10-07", "2025-10-16"), peak_days=3),
    # outbound: few leads, many SQLs (SDR tooling as spend)
    Campaign("ob_sdr_smb", "outbound", (0.85, 0.85, 0.60, 0.65, 0.50), _NONE, cpl=35,
             weight=0.5),
    Campaign("ob_sdr_midmarket", "outbound", (0.85, 0.85, 0.62, 0.68, 0.52), _NONE, cpl=45,
             weight=0.5),
    Campaign("ob_abm_enterprise_q1", "outbound", (0.90, 0.88, 0.58, 0.72, 0.55), _NONE,
             cpl=90, fixed=150, window=("2025-01-13", "2025-03-28"), icp_bias=3.0),
    # partners (commissions as spend)
    Campaign("pt_agency_referrals", "partners", (0.80, 0.85, 0.55, 0.78, 0.60),
             (("/partners/referral", 1.0),), cpl=70, weight=0.6, utm_source="agency_partner"),
    Campaign("pt_tech_integrations", "partners", (0.70, 0.80, 0.48, 0.75, 0.58),
             (("/integrations/hubspot", 0.5), ("/integrations/salesforce", 0.5)), cpl=50,
             weight=0.4, utm_source="app_marketplace"),
    # direct
    Campaign("direct_website", "direct", (0.55, 0.80, 0.38, 0.80, 0.60),
             (("/contact", 0.4), ("/demo", 0.35), ("/pricing", 0.25)), weight=0.7),
    Campaign("direct_chat", "direct", (0.50, 0.75, 0.36, 0.78, 0.58),
             (("/chat", 0.6), ("/pricing", 0.4)), weight=0.3),
)  # fmt: skip
CAMPAIGN_INDEX = {c.name: i for i, c in enumerate(CAMPAIGNS)}

# Quarter effects on the cumulative funnel (stage index 1 = SAL ... 4 = customer).
# 2025-Q1: a fully staffed, focused sales team closes more; 2025-Q2: sales are swamped by
# the lead flood, accept fewer MQLs, later, and reject more of them for 'bad timing'.
FOCUSED_QUARTER = QUARTER_LABELS.index("2025-Q1")
SWAMPED_QUARTER = QUARTER_LABELS.index("2025-Q2")
QUARTER_STAGE_FACTORS: dict[int, tuple[float, float, float, float, float]] = {
    FOCUSED_QUARTER: (1.0, 1.0, 1.0, 1.0, 1.2),
    SWAMPED_QUARTER: (1.0, 0.97, 0.97, 0.97, 0.97),
}
QUARTER_SAL_DELAY = {SWAMPED_QUARTER: 2.5}  # MQLs wait longer for a sales answer

# --- contents -------------------------------------------------------------------------------
# Landing pages that signal buying intent lift conversion; content downloads lower it.
INTENT_PAGES = ("/demo", "/pricing", "/free-trial", "/contact", "/chat")
CONTENT_PAGES = ("/lp/ebook-b2b-benchmarks", "/ebook/lead-scoring-guide", "/blog/mql-vs-sql",
                 "/blog/b2b-funnel-metrics", "/lp/webinar-lead-scoring",
                 "/webinar/attribution-101")  # fmt: skip
EXTRA_PAGES = ("/", "/blog")  # visited, never a lead's landing page
ASSETS = ("ebook_lead_scoring_guide", "whitepaper_b2b_benchmarks", "checklist_revops_audit",
          "template_roi_calculator", "case_study_saas_scaleup")  # fmt: skip
WEBINAR_TOPICS = ("lead_scoring", "attribution", "funnel_metrics", "revops_stack", "icp")
NURTURE_STEPS = 6
OUTBOUND_STEPS = 5

# --- companies and people -------------------------------------------------------------------
# (name, weight, ICP fit 0..1)
INDUSTRIES: tuple[tuple[str, float, float], ...] = (
    ("Software", 0.22, 1.0),
    ("Financial Services", 0.08, 0.9),
    ("Professional Services", 0.13, 0.8),
    ("Marketing & Advertising", 0.08, 0.9),
    ("Manufacturing", 0.12, 0.5),
    ("Retail & E-commerce", 0.10, 0.5),
    ("Logistics", 0.07, 0.4),
    ("Healthcare", 0.09, 0.3),
    ("Education", 0.07, 0.1),
    ("Public Sector", 0.04, 0.0),
)
# (name, weight, e-mail top-level domain, legal form, first-name/last-name pool)
COUNTRIES: tuple[tuple[str, float, str, str, str], ...] = (
    ("France", 0.28, "fr", "SAS", "fr"),
    ("Germany", 0.15, "de", "GmbH", "de"),
    ("United Kingdom", 0.14, "co.uk", "Ltd", "en"),
    ("Spain", 0.07, "es", "SL", "es"),
    ("Italy", 0.06, "it", "Srl", "it"),
    ("Netherlands", 0.07, "nl", "BV", "nl"),
    ("Belgium", 0.06, "be", "SRL", "fr"),
    ("Switzerland", 0.05, "ch", "AG", "de"),
    ("United States", 0.10, "com", "Inc", "en"),
    ("Canada", 0.02, "ca", "Corp", "en"),
)
COMPANY_SIZE_MEDIAN = 60  # employees; lognormal, clipped to 1..20000
COMPANY_SIZE_SIGMA = 1.7
LEADS_PER_COMPANY = 8  # average contacts per company
BRAND_HEADS = ("Nor", "Vel", "Bright", "Blue", "Ar", "Cal", "Del", "Ever", "Fin", "Grey",
               "Hal", "Iri", "Jun", "Kin", "Lum", "Mar", "Nov", "Ori", "Pal", "Quin",
               "Ros", "Sol", "Ter", "Ul", "Val", "Wen", "Xan", "Yar", "Zen", "Alt")  # fmt: skip
BRAND_TAILS = ("a", "ix", "ora", "wave", "peak", "dal", "tek", "on", "ia", "um", "ent", "ly",
               "ova", "gate", "field", "stone", "wind", "line", "bridge", "port")  # fmt: skip
# Words in company names, by industry (same order as INDUSTRIES): names say what firms do.
INDUSTRY_WORDS: tuple[tuple[str, ...], ...] = (
    ("Systems", "Software", "Labs", "Technologies", "Cloud"),
    ("Finance", "Capital", "Payments"),
    ("Consulting", "Advisory", "Partners"),
    ("Media", "Digital", "Creative"),
    ("Industries", "Works", "Manufacturing"),
    ("Retail", "Commerce", "Stores"),
    ("Logistics", "Freight", "Transport"),
    ("Health", "Medical", "Care"),
    ("Academy", "Learning", "Education"),
    ("Agency", "Authority", "Council"),
)
# How the company writes e-mail addresses: first.last, flast, first, firstlast.
EMAIL_FORMATS = ("first.last", "flast", "first", "firstlast")
EMAIL_FORMAT_WEIGHTS = (0.6, 0.2, 0.08, 0.12)

FIRST_NAMES = {
    "fr": ("julie", "thomas", "camille", "nicolas", "claire", "antoine", "sophie", "julien",
           "marie", "pierre", "lea", "hugo", "chloe", "louis", "emma", "mathieu", "sarah",
           "maxime", "laura", "olivier", "manon", "alexandre", "ines", "benoit"),
    "de": ("anna", "lukas", "lena", "jonas", "laura", "felix", "sarah", "paul", "julia",
           "maximilian", "katrin", "stefan", "sabine", "tobias", "nina", "michael", "eva",
           "florian", "hannah", "markus"),
    "en": ("james", "emily", "oliver", "sophie", "jack", "olivia", "harry", "amelia",
           "george", "jessica", "daniel", "lucy", "michael", "sarah", "david", "emma",
           "william", "chloe", "matthew", "hannah", "ryan", "megan"),
    "es": ("lucia", "hugo", "maria", "pablo", "carmen", "javier", "elena", "alejandro",
           "sofia", "daniel", "paula", "adrian", "laura", "sergio", "marta", "diego"),
    "it": ("giulia", "marco", "francesca", "luca", "chiara", "alessandro", "sara", "matteo",
           "valentina", "andrea", "elena", "davide", "martina", "simone", "federica"),
    "nl": ("emma", "daan", "sanne", "lucas", "lotte", "sem", "anouk", "thijs", "femke",
           "bram", "lisa", "jesse", "iris", "ruben", "eva"),
}  # fmt: skip
LAST_NAMES = {
    "fr": ("martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand",
           "leroy", "moreau", "simon", "laurent", "lefebvre", "michel", "garcia", "david",
           "bertrand", "roux", "vincent", "fournier", "morel", "girard", "andre", "mercier",
           "dupont", "lambert", "bonnet", "francois", "martinez", "legrand"),
    "de": ("muller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker",
           "schulz", "hoffmann", "koch", "richter", "bauer", "klein", "wolf", "schroder",
           "neumann", "schwarz", "zimmermann", "braun", "kruger", "hartmann"),
    "en": ("smith", "jones", "williams", "taylor", "brown", "davies", "evans", "wilson",
           "thomas", "johnson", "roberts", "robinson", "thompson", "wright", "walker",
           "white", "edwards", "hughes", "green", "hall", "wood", "harris", "clarke",
           "jackson", "miller", "davis", "moore", "anderson"),
    "es": ("garcia", "rodriguez", "gonzalez", "fernandez", "lopez", "martinez", "sanchez",
           "perez", "gomez", "martin", "jimenez", "ruiz", "hernandez", "diaz", "moreno",
           "alvarez", "romero", "navarro"),
    "it": ("rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "colombo", "ricci",
           "marino", "greco", "bruno", "gallo", "conti", "deluca", "costa", "giordano"),
    "nl": ("dejong", "jansen", "devries", "vandenberg", "vandijk", "bakker", "janssen",
           "visser", "smit", "meijer", "mulder", "bos", "vos", "peters", "hendriks"),
}  # fmt: skip
NAME_POOLS = tuple(FIRST_NAMES)

# (name, weight, decision power 0..1)
SENIORITIES: tuple[tuple[str, float, float], ...] = (
    ("c_level", 0.07, 0.8),
    ("vp", 0.08, 1.0),
    ("director", 0.17, 1.0),
    ("manager", 0.30, 0.55),
    ("individual", 0.38, 0.1),
)
# (name, weight, fit 0..1): the product is bought by marketing and sales teams.
DEPARTMENTS: tuple[tuple[str, float, float], ...] = (
    ("marketing", 0.32, 1.0),
    ("sales", 0.26, 1.0),
    ("it", 0.14, 0.4),
    ("operations", 0.12, 0.4),
    ("finance", 0.09, 0.2),
    ("hr", 0.07, 0.1),
)
# Job title by seniority (rows) and department (columns).
JOB_TITLES: tuple[tuple[str, ...], ...] = (
    ("Chief Marketing Officer", "Chief Revenue Officer", "Chief Technology Officer",
     "Chief Operating Officer", "Chief Financial Officer", "Chief People Officer"),
    ("VP Marketing", "VP Sales", "VP Engineering", "VP Operations", "VP Finance", "VP People"),
    ("Marketing Director", "Sales Director", "IT Director", "Operations Director",
     "Finance Director", "HR Director"),
    ("Marketing Manager", "Sales Manager", "IT Manager", "Operations Manager",
     "Finance Manager", "HR Manager"),
    ("Marketing Specialist", "Account Executive", "Software Engineer", "Operations Analyst",
     "Financial Analyst", "HR Specialist"),
)  # fmt: skip
FOUNDER_TITLE = "CEO & Founder"  # c-level of very small companies
ICP_SIZE = (50, 2000)  # best-fitting company sizes

# --- funnel ---------------------------------------------------------------------------------
# Lead score used for per-lead conversion: ICP fit, engagement and the landing page's intent.
FIT_WEIGHTS = {"industry": 0.35, "size": 0.25, "seniority": 0.25, "department": 0.15}
SCORE_FIT = 2.4  # logit points per unit of fit
SCORE_ENGAGEMENT = 0.5  # per standard deviation of the engagement propensity
SCORE_INTENT = 0.3  # intent page +, content page -
# Later stages depend more on the score (fit matters more for a sale than for an MQL).
STAGE_SCORE_SLOPES = (0.6, 0.7, 0.9, 1.0, 1.1)
LEAD_EVENT_SHARE = 0.7  # leads whose CRM logged an explicit 'lead' stage event
SKIP_SAL_SHARE = 0.06  # SQLs that never got a SAL event
REJECTED_EVENT_SHARE = 0.85  # non-accepted MQLs that sales rejected explicitly
DISQUALIFIED_SHARE = 0.6  # SAL/SQL that stalled and were disqualified explicitly
STALE_DEAL_SHARE = 0.05  # lost deals nobody ever closed in the CRM: stay open
EARLY_DISQUALIFIED_SHARE = 0.08  # poor-fit leads disqualified before MQL
DUPLICATE_SHARE = 0.005  # repeat records of an existing person (same e-mail, other case)
DUPLICATE_MAX_DAYS = 7

# Delays in days: lognormal (median, sigma).
DELAY_SAL = (1.5, 0.9)
DELAY_SQL = (9.0, 0.8)
DELAY_OPPORTUNITY = (12.0, 0.8)
DELAY_WON = (50.0, 0.6)  # scaled by (amount / median amount) ** 0.3: big deals take longer
DELAY_LOST = (65.0, 0.7)
DELAY_REJECTED = (3.0, 0.8)
DELAY_DISQUALIFIED = (20.0, 0.8)
DELAY_EARLY_DISQUALIFIED = (2.0, 0.8)
MQL_SIGMA = 1.1
MIN_DELAY_SECONDS = 300  # every stage strictly after the previous one
MAX_DELAY_DAYS = 365.0  # longest delay between two steps

REJECT_REASONS = ("no budget", "bad timing", "not decision maker", "competitor", "duplicate",
                  "out of ICP")  # fmt: skip
REJECT_REASON_WEIGHTS = (0.22, 0.25, 0.18, 0.08, 0.07, 0.20)
SDRS = ("Camille Laurent", "Jonas Weber", "Emily Clarke", "Hugo Garcia", "Sara Conti",
        "Thijs Bakker")  # fmt: skip
SDR_WEIGHTS = (0.22, 0.18, 0.18, 0.16, 0.14, 0.12)
ACCOUNT_EXECUTIVES = ("Nicolas Moreau", "Katrin Hoffmann", "Oliver Wright", "Elena Navarro",
                      "Marco Rossi")  # fmt: skip
AE_WEIGHTS = (0.26, 0.22, 0.2, 0.17, 0.15)

DEAL_MEDIAN = 8000.0  # EUR
DEAL_SIGMA = 0.85
DEAL_SIZE_ELASTICITY = 0.2  # bigger companies buy bigger deals
CURRENCY = "EUR"

# --- touchpoints ----------------------------------------------------------------------------
ENGAGEMENT_SIGMA = 0.8  # lognormal spread of a lead's engagement propensity
PRE_SESSION_SHARE = 0.9  # web leads whose own-channel click/visit precedes the form
PRE_TOUCHES = 2.2  # earlier touches from any channel (mean)
PRE_DAYS = (6.0, 1.2)  # how long before creation the earlier touches happen
PRE_MAX_DAYS = 90.0  # the lookback of a typical attribution window
# Channels of the earlier touches (other channels make multi-touch attribution meaningful).
PRE_MIX = (("organic_search", 0.35), ("direct", 0.25), ("paid_social", 0.15),
           ("paid_search", 0.10), ("referral", 0.10), ("email", 0.05))  # fmt: skip
# What such an earlier touch points to: always-on campaigns (so no spend-less campaign gets
# credit outside its dates) and pages.
PRE_TOUCH_CAMPAIGNS = {"paid_search": ("ps_brand", "ps_generic_revops"),
                       "paid_social": ("pso_retargeting", "pso_thought_leadership"),
                       "email": ("em_newsletter",)}  # fmt: skip
PRE_TOUCH_PAGES = {"organic_search": ("/blog/mql-vs-sql", "/blog/b2b-funnel-metrics", "/blog"),
                   "direct": ("/", "/pricing"), "referral": ("/pricing", "/"),
                   "email": ("/webinar/attribution-101",),
                   "paid_search": ("/demo", "/lp/revops-analytics"),
                   "paid_social": ("/lp/roi-calculator", "/lp/webinar-lead-scoring")}  # fmt: skip
SENDS_PER_MONTH = 0.8  # marketing e-mails after creation, per month over a year
SEND_MONTHS = 12
EMAIL_MIX = (("em_newsletter", 0.5), ("em_nurture", 0.4), ("em_webinar_invites", 0.1))
OPEN_RATE = 0.25
CLICK_GIVEN_OPEN = 0.16
DOWNLOADS = 0.6
WEBINAR_REGISTRATIONS = 0.35
WEBINAR_ATTENDANCE = 0.45
POST_VISITS = 2.5
POST_SOCIAL = 0.3
INTEREST_DAYS = 90.0  # engagement decays after creation (exponential scale)
POST_VISIT_MIX = (("direct", 0.4), ("organic_search", 0.3), ("email", 0.2),
                  ("paid_social", 0.1))  # fmt: skip
POST_PAGES = ("/", "/pricing", "/demo", "/blog", "/blog/mql-vs-sql", "/integrations/hubspot")
DOWNLOAD_MIX = (("email", 0.45), ("organic_search", 0.35), ("direct", 0.2))
OUTBOUND_OPEN_RATE = 0.35
SALES_CALLS = 1.5  # per SAL, between SAL and SQL
SALES_MEETINGS_SQL = 1.0  # per SQL, before the opportunity (plus one discovery meeting)
SALES_MEETINGS_OPP = 2.0  # per opportunity, until it closes
OUTBOUND_CALLS = 1.5
