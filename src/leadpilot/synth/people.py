"""Companies and the people who become leads: firmographics, job titles, e-mail addresses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import catalog as cat

_IND_FIT = np.array([f for _, _, f in cat.INDUSTRIES])
_SEN_POWER = np.array([p for _, _, p in cat.SENIORITIES])
_DEPT_FIT = np.array([f for _, _, f in cat.DEPARTMENTS])
_FIRST = tuple(n for pool in cat.NAME_POOLS for n in cat.FIRST_NAMES[pool])
_LAST = tuple(n for pool in cat.NAME_POOLS for n in cat.LAST_NAMES[pool])
_FIRST_OFFSET = np.cumsum([0] + [len(cat.FIRST_NAMES[p]) for p in cat.NAME_POOLS])
_LAST_OFFSET = np.cumsum([0] + [len(cat.LAST_NAMES[p]) for p in cat.NAME_POOLS])
_COUNTRY_POOL = np.array([cat.NAME_POOLS.index(c[4]) for c in cat.COUNTRIES])
FOUNDER_MAX_SIZE = 20


def _p(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def size_fit(size: np.ndarray) -> np.ndarray:
    lo, hi = cat.ICP_SIZE
    best = (size >= lo) & (size <= hi)
    near = ((size >= 10) & (size < lo)) | ((size > hi) & (size <= 10_000))
    return np.where(best, 1.0, np.where(near, 0.5, 0.0))


@dataclass
class Companies:
    industry: np.ndarray
    size: np.ndarray  # employees
    country: np.ndarray
    email_format: np.ndarray
    icp: np.ndarray  # firmographic fit 0..1
    name: pa.Array
    domain: pa.Array


def make_companies(rng: np.random.Generator, n: int) -> Companies:
    heads, tails = cat.BRAND_HEADS, cat.BRAND_TAILS
    words = [w for group in cat.INDUSTRY_WORDS for w in group]
    word_industry = np.repeat(np.arange(len(cat.INDUSTRIES)), [len(g) for g in cat.INDUSTRY_WORDS])
    n_country = len(cat.COUNTRIES)
    n_combo = len(heads) * len(tails) * len(words) * n_country
    n = min(n, n_combo)
    # Distinct (brand, word, country) triples weighted by country and industry: Gumbel top-k.
    combo = np.arange(n_combo)
    country, word = combo % n_country, (combo // n_country) % len(words)
    industry_weight = _p([i[1] for i in cat.INDUSTRIES]) / np.bincount(word_industry)
    weight = _p([c[1] for c in cat.COUNTRIES])[country] * industry_weight[word_industry[word]]
    keys = np.log(weight) + rng.gumbel(size=n_combo)
    combo = np.sort(np.argpartition(-keys, n - 1)[:n])
    rng.shuffle(combo)
    country = combo % n_country
    word = (combo // n_country) % len(words)
    brand = combo // (n_country * len(words))  # head * len(tails) + tail
    brands = pa.array([h + t for h in heads for t in tails])
    brand_s = pc.take(brands, pa.array(brand))
    word_s = pc.take(pa.array(words), pa.array(word))
    legal = pc.take(pa.array([c[3] for c in cat.COUNTRIES]), pa.array(country))
    tld = pc.take(pa.array([c[2] for c in cat.COUNTRIES]), pa.array(country))
    name = pc.binary_join_element_wise(brand_s, word_s, legal, " ")
    domain = pc.utf8_lower(
        pc.binary_join_element_wise(pc.binary_join_element_wise(brand_s, word_s, "-"), tld, ".")
    )
    industry = word_industry[word]
    size = np.exp(np.log(cat.COMPANY_SIZE_MEDIAN) + cat.COMPANY_SIZE_SIGMA * rng.standard_normal(n))
    size = np.clip(np.rint(size), 1, 20_000)
    w_ind, w_size = cat.FIT_WEIGHTS["industry"], cat.FIT_WEIGHTS["size"]
    icp = (w_ind * _IND_FIT[industry] + w_size * size_fit(size)) / (w_ind + w_size)
    fmt = rng.choice(len(cat.EMAIL_FORMATS), n, p=_p(cat.EMAIL_FORMAT_WEIGHTS))
    return Companies(industry, size, country, fmt, icp, name, domain)


@dataclass
class People:
    company: np.ndarray
    seniority: np.ndarray
    department: np.ndarray
    first: np.ndarray  # index into the pooled first names
    last: np.ndarray
    founder: np.ndarray  # bool: title is CEO & Founder


def draw_people(
    rng: np.random.Generator, comp: Companies, blocks: list[tuple[int, int, float]]
) -> People:
    """People for consecutive blocks of leads: (start, stop, ICP bias of the block's campaign).

    Channels that target the ideal customer profile (outbound, events) reach fitting companies
    and senior buyers more often; broad paid social reaches juniors in small firms.
    """
    n = blocks[-1][1] if blocks else 0
    company = np.zeros(n, dtype=np.int64)
    seniority = np.zeros(n, dtype=np.int64)
    department = np.zeros(n, dtype=np.int64)
    base_company = comp.size**0.3
    sen_base = np.array([s[1] for s in cat.SENIORITIES])
    dept_base = np.array([d[1] for d in cat.DEPARTMENTS])
    for start, stop, bias in blocks:
        if stop == start:
            continue
        k = stop - start
        p_company = _p(base_company * np.exp(bias * comp.icp))
        company[start:stop] = rng.choice(len(comp.size), k, p=p_company)
        p_seniority = _p(sen_base * np.exp(bias * _SEN_POWER))
        seniority[start:stop] = rng.choice(len(sen_base), k, p=p_seniority)
        p_department = _p(dept_base * np.exp(0.7 * bias * _DEPT_FIT))
        department[start:stop] = rng.choice(len(dept_base), k, p=p_department)
    size = comp.size[company]
    # In very small firms the contact is often the founder.
    small = size < FOUNDER_MAX_SIZE
    seniority = np.where(small & (rng.random(n) < 0.3), 0, seniority)
    founder = small & (seniority == 0) & (rng.random(n) < 0.7)
    pool = _COUNTRY_POOL[comp.country[company]]
    n_first = np.diff(_FIRST_OFFSET)[pool]
    n_last = np.diff(_LAST_OFFSET)[pool]
    first = _FIRST_OFFSET[pool] + (rng.random(n) * n_first).astype(np.int64)
    last = _LAST_OFFSET[pool] + (rng.random(n) * n_last).astype(np.int64)
    return People(company, seniority, department, first, last, founder)


def fit_score(comp: Companies, people: People) -> np.ndarray:
    """ICP fit 0..1 from industry, company size, seniority and department."""
    w = cat.FIT_WEIGHTS
    return (
        w["industry"] * _IND_FIT[comp.industry[people.company]]
        + w["size"] * size_fit(comp.size[people.company])
        + w["seniority"] * _SEN_POWER[people.seniority]
        + w["department"] * _DEPT_FIT[people.department]
    )


def job_titles(people: People) -> np.ndarray:
    """Codes into title_vocabulary()."""
    n_dept = len(cat.DEPARTMENTS)
    code = people.seniority * n_dept + people.department
    return np.where(people.founder, len(cat.SENIORITIES) * n_dept, code)


def title_vocabulary() -> tuple[str, ...]:
    return tuple(t for row in cat.JOB_TITLES for t in row) + (cat.FOUNDER_TITLE,)


def emails(comp: Companies, people: People) -> pa.Array:
    """Lowercase work addresses in each company's format; namesakes get a number (jsmith2)."""
    fmt = comp.email_format[people.company]
    first_s = pc.take(pa.array(_FIRST), pa.array(people.first))
    last_s = pc.take(pa.array(_LAST), pa.array(people.last))
    initial = pc.utf8_slice_codeunits(first_s, 0, 1)
    local = pc.choose(
        pa.array(fmt.astype(np.int8)),
        pc.binary_join_element_wise(first_s, last_s, "."),
        pc.binary_join_element_wise(initial, last_s, ""),
        first_s,
        pc.binary_join_element_wise(first_s, last_s, ""),
    )
    # Identify the local part numerically to number the namesakes of a company.
    n_last = len(_LAST) + 1
    initial_code = np.array([ord(f[0]) for f in _FIRST])[people.first]
    local_key = np.select(
        [fmt == 1, fmt == 2],
        [initial_code * n_last + people.last, people.first],
        people.first * n_last + people.last,
    )
    key = people.company * (256 * n_last) + local_key
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    position = np.arange(len(key))
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = position - np.maximum.accumulate(np.where(starts, position, 0))
    numbered = pc.binary_join_element_wise(local, pc.cast(pa.array(rank + 1), pa.string()), "")
    local = pc.if_else(pa.array(rank > 0), numbered, local)
    domain = pc.take(comp.domain, pa.array(people.company))
    return pc.binary_join_element_wise(local, domain, "@")


def repeat_variants(rng: np.random.Generator, addresses: pa.Array) -> pa.Array:
    """The same address as typed again: other case or stray whitespace."""
    k = len(addresses)
    choice = pa.array(rng.integers(0, 4, k).astype(np.int8))
    return pc.choose(
        choice,
        pc.utf8_upper(addresses),
        pc.utf8_title(addresses),
        pc.binary_join_element_wise(" ", addresses, ""),
        pc.binary_join_element_wise(addresses, "  ", ""),
    )
