"""Progress statistics (issue 8): today, cards, due forecast, true retention, streaks, topics, memory.

``compute_stats`` returns plain data (the ``srs stats --json`` schema, documented in the README), so
the CLI and the TUI render the same figures. Days are study days: the local date with the configured
rollover hour. A study day is [its UTC start, the next day's UTC start), computed per day, so days of
23 or 25 hours around DST changes are neither lost nor doubled.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo

from srs.clock import day_start, local_zone, study_day, utc_now
from srs.errors import SrsError
from srs.model import Decay, Scope, TagRow
from srs.review import SettingsBook, check_deck
from srs.storage import Store, quiz_store, stats_store
from srs.storage.timecodec import from_us, to_us

TOPICS: dict[str, str] = {
    "tensor-ops": "Tensor operations",
    "autograd": "Autograd",
    "nn-modules": "nn modules",
    "training-loop": "Training loop",
    "optimizers": "Optimizers",
    "loss-metrics": "Loss and metrics",
    "data-loading": "Data loading",
    "deployment": "Deployment",
    "performance": "Performance",
    "gpu-cuda": "GPU / CUDA",
    "custom-modules": "Custom modules",
    "debugging": "Debugging",
    "serialization": "Serialization",
    "advanced-training": "Advanced training",
    "transfer-learning": "Transfer learning",
}
MATURE_DAYS = 21  # Anki: a card is mature once its interval reaches 21 days
RETENTION_WINDOWS = (7, 30, 365)
FORECAST_DAYS = 30
DEFAULT_DAYS = 365
KNOWN_AT = 0.9
WEAK_MARGIN = 0.05  # a topic is weak when it falls this far below the desired retention...
WEAK_MIN_REVIEWS = 10  # ...in retention, given at least this many answers in the period,
WEAK_MIN_STUDIED = 5  # ...or in mean retrievability, given at least this many studied cards
FSRS5_DECAY = 0.5  # 19-parameter (FSRS-5) sets have a fixed decay


# ---- pure helpers ------------------------------------------------------------------------------


def day_boundaries(first: date, count: int, zone: tzinfo, rollover_hour: int) -> list[int]:
    """UTC starts (microseconds) of ``count`` consecutive study days from ``first``, plus the end of the last."""
    return [to_us(day_start(first + timedelta(days=i), zone, rollover_hour)) for i in range(count + 1)]


def bucket_width(boundaries: Iterable[int]) -> int:
    """A bucket width (µs, at most an hour) that divides every boundary, so no bucket straddles two days.

    Whole hours in most zones; 30 or 15 minutes where the UTC offset has them.
    """
    return math.gcd(3_600_000_000, *boundaries)


def bucket_days(buckets: Iterable[tuple[int, int]], boundaries: Sequence[int]) -> tuple[list[int], int]:
    """Spread (bucket start, count) pairs over the days the boundaries delimit.

    Returns the count per day and the count before the first day (which is not in any day);
    buckets at or after the last boundary are ignored.
    """
    days = [0] * (len(boundaries) - 1)
    before = 0
    for start, count in buckets:
        index = bisect.bisect_right(boundaries, start) - 1
        if index < 0:
            before += count
        elif index < len(days):
            days[index] += count
    return days, before


def current_streak(daily: Sequence[int]) -> int:
    """Consecutive studied days ending today (the last entry); an unstudied today does not break it yet."""
    days = list(daily)
    if days and days[-1] == 0:
        days.pop()
    streak = 0
    for count in reversed(days):
        if count == 0:
            break
        streak += 1
    return streak


def longest_streak(daily: Iterable[int]) -> int:
    """The longest run of consecutive days with at least one review."""
    longest = run = 0
    for count in daily:
        run = run + 1 if count else 0
        longest = max(longest, run)
    return longest


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide."""
    return part / whole if whole else None


def retention_cell(passed: int, failed: int) -> dict[str, object]:
    """A true-retention figure: answers passed (Hard, Good, Easy), failed (Again) and the share passed."""
    return {"passed": passed, "failed": failed, "retention": ratio(passed, passed + failed)}


def decay_of(parameters: Sequence[float]) -> Decay:
    """The forgetting-curve constants of an FSRS parameter set, as ``fsrs.Scheduler`` derives them."""
    decay = -(parameters[20] if len(parameters) > 20 else FSRS5_DECAY)
    return Decay(decay=decay, factor=0.9 ** (1 / decay) - 1)


def recall_probability(elapsed_days: int, stability: float, constants: Decay) -> float:
    """FSRS retrievability after ``elapsed_days`` whole days (the formula the SQL evaluates per card)."""
    return (1 + constants.factor * max(0, elapsed_days) / stability) ** constants.decay


def heat_level(count: int, busiest: int) -> int:
    """Calendar shade of a day: 0 without reviews, else 1-4 by its share of the busiest day."""
    if count <= 0 or busiest <= 0:
        return 0
    return min(4, 1 + (4 * count - 1) // busiest)


def is_weak(topic: dict, desired_retention: float) -> bool:
    """Weak: retention or mean retrievability clearly below the desired retention, on enough evidence."""
    threshold = desired_retention - WEAK_MARGIN
    retention = topic["retention"]
    mean_r = topic["mean_retrievability"]
    low_retention = retention is not None and topic["reviews"] >= WEAK_MIN_REVIEWS and retention < threshold
    low_recall = mean_r is not None and topic["studied"] >= WEAK_MIN_STUDIED and mean_r < threshold
    return low_retention or low_recall


# ---- sections ----------------------------------------------------------------------------------


def _today(conn, scope: Scope, today: date, start_us: int, end_us: int) -> dict:
    totals = stats_store.today_totals(conn, scope, start_us, end_us)
    ratings = {name: totals[name] for name in ("again", "hard", "good", "easy")}
    return {
        "date": today.isoformat(),
        "reviews": totals["reviews"],
        "cards": totals["cards"],
        "new_seen": totals["new_seen"],
        "time_ms": totals["time_ms"],
        "again_rate": ratio(totals["again"], totals["reviews"]),
        "ratings": ratings,
    }


def _forecast(conn, scope: Scope, today: date, zone: tzinfo, hour: int) -> dict:
    boundaries = day_boundaries(today, FORECAST_DAYS, zone, hour)
    buckets = stats_store.due_buckets(conn, scope, boundaries[-1], bucket_width(boundaries))
    per_day, overdue = bucket_days(buckets, boundaries)
    per_day[0] += overdue  # overdue cards are due today
    return {
        "overdue": overdue,
        "next_7": sum(per_day[:7]),
        "next_30": sum(per_day[:30]),
        "days": [{"date": (today + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(per_day)],
    }


def _retention(conn, scope: Scope, today: date, zone: tzinfo, hour: int, end_us: int) -> dict:
    starts = [to_us(day_start(today - timedelta(days=n - 1), zone, hour)) for n in RETENTION_WINDOWS]
    # Disjoint segments (newest first), accumulated into the nested windows: each answer is read once.
    edges = [end_us, *starts]
    totals = dict.fromkeys(("young_passed", "young_failed", "mature_passed", "mature_failed"), 0)
    out = {}
    for window, lo, hi in zip(RETENTION_WINDOWS, edges[1:], edges):
        segment = stats_store.true_retention_counts(conn, scope, lo, hi, MATURE_DAYS)
        totals = {key: totals[key] + segment[key] for key in totals}
        out[f"{window}d"] = {
            "young": retention_cell(totals["young_passed"], totals["young_failed"]),
            "mature": retention_cell(totals["mature_passed"], totals["mature_failed"]),
            "total": retention_cell(totals["young_passed"] + totals["mature_passed"], totals["young_failed"] + totals["mature_failed"]),
        }
    return out


def _streak(conn, scope: Scope, today: date, zone: tzinfo, hour: int, days: int) -> dict:
    first_us = stats_store.first_review_us(conn, scope)
    first_day = study_day(from_us(first_us), zone, hour) if first_us is not None else today
    start = min(first_day, today - timedelta(days=days - 1))
    span = (today - start).days + 1
    daily = stats_store.daily_review_counts(conn, scope, day_boundaries(start, span, zone, hour))
    shown = daily[-days:]
    return {
        "current": current_streak(daily),
        "longest": longest_streak(daily),
        "days_studied": sum(1 for n in shown if n),
        "history": [{"date": (today - timedelta(days=days - 1 - i)).isoformat(), "reviews": n} for i, n in enumerate(shown)],
    }


def _topics_and_memory(rows: list[TagRow], desired_retention: float) -> tuple[list[dict], dict]:
    sums = {slug: [0, 0, 0, 0, 0, 0.0] for slug in TOPICS}  # cards, studied, reviews, passed, with_memory, R sum
    for row in rows:
        for tag in set(row.tags.split()):
            if tag in sums:
                acc = sums[tag]
                for i, value in enumerate((row.cards, row.studied, row.reviews, row.passed, row.with_memory, row.retrievability_sum)):
                    acc[i] += value
    topics = []
    for slug, (cards, studied, reviews, passed, with_memory, r_sum) in sums.items():
        topic = {
            "topic": slug,
            "title": TOPICS[slug],
            "cards": cards,
            "studied": studied,
            "reviews": reviews,
            "passed": passed,
            "retention": ratio(passed, reviews),
            "mean_retrievability": ratio(r_sum, with_memory),
        }
        topic["weak"] = is_weak(topic, desired_retention)
        topics.append(topic)
    with_memory = sum(row.with_memory for row in rows)
    memory = {
        "cards": with_memory,
        "average_retrievability": ratio(sum(row.retrievability_sum for row in rows), with_memory),
        "known_90": sum(row.known for row in rows),
    }
    return topics, memory


def compute_stats(
    store: Store, now: datetime | None = None, zone: tzinfo | None = None, deck: str | None = None, days: int = DEFAULT_DAYS,
) -> dict:
    """Every figure of ``srs stats`` as plain data (the JSON schema).

    ``deck`` limits the figures to a deck and its subdecks; ``days`` is the period of the review
    history (calendar) and of the per-topic retention. ``now`` is aware UTC (default: the clock).
    """
    if days < 1:
        raise SrsError(f"--days must be at least 1, not {days}")
    now = now or utc_now()
    zone = zone or local_zone()
    book = SettingsBook.load(store)
    check_deck(store, deck)
    settings = book.for_deck(deck)
    hour = settings.day_starts_at
    scope = Scope(deck=deck)
    today = study_day(now, zone, hour)
    today_start, today_end = (to_us(day_start(today + timedelta(days=i), zone, hour)) for i in (0, 1))
    period_start = to_us(day_start(today - timedelta(days=days - 1), zone, hour))
    decays = {deck_id: decay_of(book.for_deck_id(deck_id).parameters) for deck_id in book.deck_names}
    now_us = to_us(now)
    # One read transaction (Store.read): every figure comes from the same snapshot even while answers are written.
    with store.read() as conn:
        stats = {
            "today": _today(conn, scope, today, today_start, today_end),
            "cards": stats_store.card_counts(conn, scope, now_us, MATURE_DAYS),
            "forecast": _forecast(conn, scope, today, zone, hour),
            "retention": _retention(conn, scope, today, zone, hour, today_end),
            "streak": _streak(conn, scope, today, zone, hour, days),
        }
        rows = stats_store.tag_rows(conn, scope, now_us, period_start, today_end, decays, decay_of(book.for_deck(None).parameters), KNOWN_AT)
        quizzes = quiz_store.quiz_history(conn, limit=None)
    stats["topics"], stats["memory"] = _topics_and_memory(rows, settings.desired_retention)
    stats["quizzes"] = quiz_figures(quizzes, deck)
    return stats


def quiz_figures(history: list[dict], deck: str | None = None) -> dict:
    """Quiz history for ``srs quiz`` users: how many, the mean score, and each quiz's score over time."""
    if deck:
        history = [q for q in history if q["deck"] and (q["deck"] == deck or q["deck"].startswith(deck + "::"))]
    scores = [q["score"] for q in history]
    return {
        "count": len(history),
        "average_score": round(sum(scores) / len(scores), 4) if scores else None,
        "history": [
            {key: q[key] for key in ("started_at", "deck", "topic", "answered", "correct", "score", "time_used_ms", "budget_ms")}
            for q in history
        ],
    }
