"""Delivery of the daily update with a controllable clock and a fake poster: exactly one post per
channel per session across crashes, restarts, racing ticks, failures and 1,000 channels."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

from bot.delivery import TITLE, ChannelGone, Delivery, NoAccess, TickReport, Transient, nonce
from bot.schedule import SchedulePolicy
from commands import digest
from commands.registry import execute
from commands.reply import Reply
from data.calendar import TradingCalendar
from data.db import create_engine
from data.state import StateStore, Subscription
from tests.conftest import expire_claims

CAL = TradingCalendar()
SESSION = dt.date(2026, 8, 21)
CREATED = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)


class Clock:
    def __init__(self, when: str) -> None:
        self.set(when)

    def set(self, when: str) -> None:
        self.now = dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


class FakePoster:
    def __init__(self) -> None:
        self.posts: list[tuple[int, str, str | None]] = []  # (channel, nonce, thread)
        self.fail: dict[int, Exception] = {}

    async def post(self, channel_id, reply, *, nonce, thread_name):
        await asyncio.sleep(0)
        if channel_id in self.fail:
            raise self.fail[channel_id]
        self.posts.append((channel_id, nonce, thread_name))
        return 10_000 + len(self.posts)

    async def find_post(self, channel_id, title):
        return next((10_000 + i + 1 for i, p in enumerate(self.posts) if p[0] == channel_id), None)

    def count(self, channel_id: int) -> int:
        return sum(1 for p in self.posts if p[0] == channel_id)


class Updates:
    """Stands in for the digest: an update as of ``data_until`` (the newest session in the data)."""

    def __init__(self, data_until: dt.date = SESSION) -> None:
        self.data_until, self.calls = data_until, 0

    async def __call__(self, session: dt.date, theme: str = "dark") -> Reply:
        self.calls += 1
        as_of = min(session, self.data_until)
        return Reply(TITLE.format(session=as_of), "figures", as_of=as_of, chart=b"\x89PNG")


async def subscribe(state: StateStore, *channels: int, thread: bool = True) -> None:
    for channel in channels:
        await state.subscribe(Subscription(channel, 1, None, "America/New_York", thread, 7), CREATED)


def delivery(state, poster, clock, updates=None) -> Delivery:
    return Delivery(state, updates or Updates(), poster, CAL, clock)


async def test_one_post_per_session_with_a_thread(state):
    await subscribe(state, 101, 102)
    await subscribe(state, 103, thread=False)
    poster, clock = FakePoster(), Clock("2026-08-21T20:31")
    d = delivery(state, poster, clock, Updates(data_until=dt.date(2026, 12, 31)))
    report = await d.tick()
    assert report.sent == 3
    assert sorted(poster.posts) == [
        (101, nonce(101, "2026-08-21"), "Rotation 2026-08-21"),
        (102, nonce(102, "2026-08-21"), "Rotation 2026-08-21"),
        (103, nonce(103, "2026-08-21"), None),
    ]
    clock.set("2026-08-21T20:45")
    assert (await d.tick()).sent == 0
    clock.set("2026-08-22T12:00")  # Saturday
    await d.tick()
    clock.set("2026-08-24T20:31")  # Monday's session
    assert (await d.tick()).sent == 3
    assert [poster.count(c) for c in (101, 102, 103)] == [2, 2, 2]


def test_nonce_fits_discord_and_is_stable():
    n = nonce(1_400_000_000_000_000_123, "2026-08-21")
    assert len(n) <= 25
    assert (
        n == nonce(1_400_000_000_000_000_123, "2026-08-21") != nonce(1_400_000_000_000_000_124, "2026-08-21")
    )


async def test_nothing_before_the_due_time_or_on_weekends(state):
    await subscribe(state, 101)
    poster, clock = FakePoster(), Clock("2026-08-21T20:29")
    await delivery(state, poster, clock).tick()
    clock.set("2026-08-23T15:00")  # Sunday
    await delivery(state, poster, clock).tick()
    assert poster.posts == []


async def test_killed_after_the_claim_posts_once_after_restart(state):
    await subscribe(state, 101)
    clock = Clock("2026-08-21T20:31")
    claim = await state.claim(101, "2026-08-21", dt.timedelta(minutes=10))  # then the process died
    assert claim is not None
    poster = FakePoster()
    clock.set("2026-08-21T20:35")  # restarted: the claim's lease still runs, nobody posts
    assert (await delivery(state, poster, clock).tick()).skipped == 1
    await expire_claims(state)  # ten minutes later on the database's clock
    clock.set("2026-08-21T20:42")  # the lease ran out: taken over, looked for, not found, sent once
    assert (await delivery(state, poster, clock).tick()).sent == 1
    assert poster.count(101) == 1
    row = await state.delivery(101, "2026-08-21")
    assert row["status"] == "sent"
    assert row["attempts"] == 2


async def test_killed_after_the_send_before_the_commit_does_not_post_twice(state):
    await subscribe(state, 101)
    clock, poster = Clock("2026-08-21T20:31"), FakePoster()
    await state.claim(101, "2026-08-21", dt.timedelta(minutes=10))
    await poster.post(101, None, nonce=nonce(101, "2026-08-21"), thread_name=None)  # sent, then died
    await expire_claims(state)
    clock.set("2026-08-21T20:45")
    report = await delivery(state, poster, clock).tick()
    assert report.found_existing == 1
    assert report.sent == 0
    assert poster.count(101) == 1
    assert (await state.delivery(101, "2026-08-21"))["status"] == "sent"


async def test_two_processes_ticking_at_once_post_once(state):
    await subscribe(state, *range(200, 240))
    clock, poster = Clock("2026-08-21T20:31"), FakePoster()
    first, second = delivery(state, poster, clock), delivery(state, poster, clock)
    await asyncio.gather(first.tick(), second.tick(), first.tick())
    assert sorted(p[0] for p in poster.posts) == list(range(200, 240))


async def test_restart_after_a_missed_day_posts_the_missed_update_once(state):
    await subscribe(state, 101)
    clock, poster = Clock("2026-08-25T14:00"), FakePoster()  # down since Monday morning
    await delivery(state, poster, clock).tick()
    await delivery(state, poster, clock).tick()
    assert [p[1] for p in poster.posts] == [nonce(101, "2026-08-24")]


async def test_a_deleted_channel_or_lost_permission_fails_that_subscription_only(state):
    await subscribe(state, 101, 102, 103)
    clock, poster = Clock("2026-08-21T20:31"), FakePoster()
    poster.fail = {101: ChannelGone("404 Unknown Channel"), 102: NoAccess("missing Attach Files")}
    report = await delivery(state, poster, clock).tick()
    assert (report.sent, report.failed) == (1, 2)
    problems = {s.channel_id: s.problem for s in await state.subscriptions()}
    assert "deleted" in problems[101]
    assert problems[102] == "missing Attach Files"
    assert problems[103] is None
    clock.set("2026-08-21T21:00")
    await delivery(state, poster, clock).tick()  # a failed post is not retried for that session
    assert poster.count(101) == poster.count(102) == 0


async def test_transient_errors_are_retried_on_the_next_tick(state):
    await subscribe(state, 101)
    clock, poster = Clock("2026-08-21T20:31"), FakePoster()
    poster.fail = {101: Transient("503 Service Unavailable")}
    d = delivery(state, poster, clock)
    assert (await d.tick()).retry == 1
    poster.fail = {}
    clock.set("2026-08-21T20:32")
    assert (await d.tick()).sent == 1


async def test_waits_for_the_close_then_says_the_data_is_late(state):
    await subscribe(state, 101)
    clock, poster = Clock("2026-08-24T20:31"), FakePoster()
    updates = Updates(data_until=SESSION)  # Monday's close never arrives
    d = delivery(state, poster, clock, updates)
    assert (await d.tick()).waiting_for_data == ["2026-08-24"]
    assert poster.posts == []
    clock.set("2026-08-24T22:31")  # two hours after it was due
    assert (await d.tick()).sent == 1
    clock.set("2026-08-24T23:00")
    await d.tick()
    assert poster.count(101) == 1


async def test_a_thousand_channels_one_render(state, snapshot_market):
    channels = range(1_000_000, 1_001_000)
    await subscribe(state, *channels)

    async def real_update(session: dt.date, theme: str) -> Reply:
        query = digest.COMMAND.validate({"date": session.isoformat()})
        return await execute(digest.COMMAND, query, snapshot_market, theme=theme)

    clock, poster = Clock("2026-08-21T20:31"), FakePoster()
    d = Delivery(state, real_update, poster, CAL, clock)
    report = await d.tick()
    assert report.sent == 1000
    assert d.renders == 1
    assert sorted(p[0] for p in poster.posts) == list(channels)
    assert (await d.tick()).sent == 0


# -- several processes on one database: leases, renewals and takeovers ---------------------------

LEASE = dt.timedelta(seconds=1)  # short, so a stall past it takes a second or two of real time


def leased(state, poster, clock, **kwargs) -> Delivery:
    policy = SchedulePolicy(stale_claim=LEASE)
    return Delivery(state, Updates(), poster, CAL, clock, policy, **kwargs)


class StallingPoster(FakePoster):
    """Its host freezes (the whole process, renewals included: a blocked event loop) right after
    Discord accepted post number ``at``, until ``resume`` is set."""

    def __init__(self, posts: list, at: int, stalled: threading.Event, resume: threading.Event) -> None:
        super().__init__()
        self.posts, self.at, self.stalled, self.resume = posts, at, stalled, resume

    async def post(self, channel_id, reply, *, nonce, thread_name):
        message_id = await super().post(channel_id, reply, nonce=nonce, thread_name=thread_name)
        if sum(1 for p in self.posts if p[2] == "A") == self.at:
            self.stalled.set()
            self.resume.wait(60)  # blocks the event loop: nothing in this process runs
        return message_id

    async def find_post(self, channel_id, title):
        return None  # never asked: A only ever holds fresh claims


class Tagged(FakePoster):
    """Records which worker made each post (third field), all workers into one shared list."""

    def __init__(self, posts: list, tag: str) -> None:
        super().__init__()
        self.posts, self.tag = posts, tag

    async def post(self, channel_id, reply, *, nonce, thread_name):
        await asyncio.sleep(0)
        self.posts.append((channel_id, nonce, self.tag))
        return 10_000 + len(self.posts)


class StallingTagged(StallingPoster, Tagged):
    def __init__(self, posts, at, stalled, resume) -> None:
        Tagged.__init__(self, posts, "A")
        self.at, self.stalled, self.resume = at, stalled, resume


class Resuming(Tagged):
    """Worker B's poster: its first post (B has claimed its first batch by then) thaws A."""

    def __init__(self, posts: list, resume: threading.Event) -> None:
        super().__init__(posts, "B")
        self.resume = resume

    async def post(self, channel_id, reply, *, nonce, thread_name):
        message_id = await super().post(channel_id, reply, nonce=nonce, thread_name=thread_name)
        self.resume.set()
        return message_id


async def test_a_worker_stalled_past_its_lease_is_taken_over_and_nothing_is_posted_twice(state, state_url):
    channels = list(range(7000, 7300))
    await subscribe(state, *channels)
    posts: list = []
    stalled, resume = threading.Event(), threading.Event()
    clock = Clock("2026-08-21T20:31")

    def worker_a() -> TickReport:
        async def run() -> TickReport:
            store = StateStore(create_engine(state_url))  # its own engine: another process, in effect
            try:
                poster = StallingTagged(posts, at=20, stalled=stalled, resume=resume)
                return await leased(store, poster, clock, concurrency=1, batch=50).tick()
            finally:
                await store.close()

        return asyncio.run(run())

    a = asyncio.create_task(asyncio.to_thread(worker_a))
    assert await asyncio.to_thread(stalled.wait, 60)
    await asyncio.sleep(LEASE.total_seconds() * 1.3)  # A is frozen and its lease has run out
    try:
        b_report = await leased(state, Resuming(posts, resume), clock).tick()
    finally:
        resume.set()
    a_report = await a

    per_channel = {c: [p[2] for p in posts if p[0] == c] for c in channels}
    print(f"\nstall takeover: A {a_report}\n B {b_report}")
    assert {c: len(w) for c, w in per_channel.items() if len(w) != 1} == {}  # exactly one post each
    assert b_report.found_existing == 20  # A's posts before the stall, never recorded by A: found
    assert a_report.lost == 50  # the rest of A's batch refused before sending, its 20 records refused
    # after the thaw A and B share the remaining batches legitimately: still one post per channel
    assert b_report.sent + b_report.found_existing + a_report.sent == 300
    assert sum(1 for w in per_channel.values() if w == ["A"]) == 20 + a_report.sent
    for c in channels:
        assert (await state.delivery(c, SESSION.isoformat()))["status"] == "sent"


async def test_a_live_worker_keeps_its_claims_past_the_lease(state):
    """A slow fan-out (each batch takes longer than the lease) is renewed while it sends: a second
    process ticking all the while takes only the batches nobody holds, and nothing is posted twice."""
    channels = list(range(8000, 8150))
    await subscribe(state, *channels)
    posts: list = []
    clock = Clock("2026-08-21T20:31")

    class Slow(Tagged):
        async def post(self, channel_id, reply, *, nonce, thread_name):
            await asyncio.sleep(0.04)  # 50 posts one at a time: 2 s per batch, twice the lease
            return await super().post(channel_id, reply, nonce=nonce, thread_name=thread_name)

    a = leased(state, Slow(posts, "A"), clock, concurrency=1, batch=50)
    b_reports = []

    async def b_keeps_ticking() -> None:
        b = leased(state, Slow(posts, "B"), clock, concurrency=1, batch=50)
        while len(posts) < len(channels):
            b_reports.append(await b.tick())
            await asyncio.sleep(0.2)

    a_report, _ = await asyncio.gather(a.tick(), b_keeps_ticking())
    assert sorted(p[0] for p in posts) == channels  # each exactly once
    assert a_report.lost == 0
    assert all(r.lost == 0 for r in b_reports)
    assert a_report.sent > 0  # the fan-out was shared...
    assert sum(r.sent for r in b_reports) > 0
    assert sum(r.skipped for r in b_reports) > 0  # B met A's live claims and left them alone
