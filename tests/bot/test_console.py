"""The console end to end, as a user runs it: ``python -m bot`` in a subprocess on the snapshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bot(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DISCORD_GUILD_ID", "DATABASE_URL"}
    }
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATA_SOURCE": "snapshot",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cache.db'}",
        "CHART_DIR": str(tmp_path / "charts"),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ask_json_gap_2024(tmp_path):
    result = run_bot(tmp_path, "ask", "--json", "/gap period:2024")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    fields = {f["name"]: f for f in reply["fields"]}
    assert round(fields["^RUT return"]["number"] * 100, 2) == 10.02
    assert round(fields["^GSPC return"]["number"] * 100, 2) == 23.31
    assert reply["as_of"] == "2024-12-31"  # the last close the answer used (issue 25)
    chart = Path(reply["chart"])
    assert chart.parent == tmp_path / "charts"
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_ask_text_streak(tmp_path):
    result = run_bot(tmp_path, "ask", "/streak as_of:2026-01-16")
    assert result.returncode == 0, result.stderr
    assert "for 11 consecutive sessions as of 2026-01-16, since 2026-01-02" in result.stdout
    assert "Information, not investment advice." in result.stdout
    assert "Chart: " in result.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [("/gap period:bogus", "I don't understand the period `bogus`"), ("/frobnicate", "There is no command")],
)
def test_ask_mistakes_exit_2_with_a_message_not_a_traceback(tmp_path, line, message):
    result = run_bot(tmp_path, "ask", line)
    assert result.returncode == 2
    assert message in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_interactive_console(tmp_path):
    result = run_bot(tmp_path, stdin="/help\n/gap 2024\n/gap period:2031\n/streak\nquit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "/gap" in out
    assert "Example: `/gap period:2024`" in out
    assert "+10.02%" in out
    assert "starts after the newest session" in out
    assert "Small vs large: streak" in out
    assert len(list((tmp_path / "charts").glob("*.png"))) == 2
    assert "Traceback" not in result.stderr


def test_token_set_is_never_echoed(tmp_path):
    env_token = "XYZ.secret-token-value"
    result = subprocess.run(
        [sys.executable, "-c", "from bot.settings import Settings; s = Settings(); print(s); print(repr(s))"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": env_token},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert env_token not in result.stdout


def test_simulated_daily_updates_skip_the_holiday_and_follow_the_half_day(tmp_path):
    result = run_bot(tmp_path, "simulate", "--start", "2025-11-24", "--end", "2025-12-02", "--channels", "2")
    assert result.returncode == 0, result.stderr
    posts = [line for line in result.stdout.splitlines() if "#desk-" in line]
    assert len(posts) == 12  # 6 sessions (Thanksgiving closed) x 2 channels, each exactly once
    assert not [p for p in posts if "2025-11-27" in p]
    assert "2025-11-28 13:30 ET  #desk-1  Daily rotation update — 2025-11-28" in result.stdout
    assert "12 posts for 6 trading sessions x 2 channel(s)." in result.stdout


def test_simulated_servers_east_and_west_post_when_their_confirmation_says(tmp_path):
    servers = ("--server", "Europe/Berlin@18:00", "--server", "America/Los_Angeles@14:00")
    days = ("--start", "2025-11-24", "--end", "2025-11-25")
    result = run_bot(tmp_path, "simulate", *days, "--channels", "1", *servers)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the rule, in the words /subscribe uses; then the posts at those times
    assert "#desk-2 (Europe/Berlin): posted at `18:00` Europe/Berlin, the first 18:00 after each" in out
    assert "`time:22:30` or later posts the same day." in out
    assert "#desk-3 (America/Los_Angeles): posted at `14:00` America/Los_Angeles, the first 14:00" in out
    title = "Daily rotation update — 2025-11-24"
    assert f"2025-11-24 16:30 ET  #desk-1  {title}" in out
    assert f"2025-11-24 17:00 ET = 2025-11-24 14:00 America/Los_Angeles  #desk-3  {title}" in out
    assert f"2025-11-25 12:00 ET = 2025-11-25 18:00 Europe/Berlin  #desk-2  {title}" in out  # the next day
    later = "Daily rotation update — 2025-11-25"
    assert f"2025-11-26 12:00 ET = 2025-11-26 18:00 Europe/Berlin  #desk-2  {later}" in out
    assert "6 posts for 2 trading sessions x 3 channel(s)." in out


def test_simulated_january_2026_fires_a_streak_alert_once(tmp_path):
    result = run_bot(
        tmp_path,
        "simulate",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-31",
        "--channels",
        "1",
        "--alert",
        "streak:10",
    )
    assert result.returncode == 0, result.stderr
    alerts = [line for line in result.stdout.splitlines() if "#desk-99" in line]
    assert alerts == [
        "2026-01-15 16:30 ET  #desk-99  Alert: an outperformance streak reaching 10 sessions — 2026-01-15"
    ]
    assert "1 alert post(s)." in result.stdout


def test_console_history_streak_of_eleven(tmp_path):
    result = run_bot(tmp_path, "ask", "/history signal:streak threshold:11")
    assert result.returncode == 0, result.stderr
    assert "6 occurrences of an outperformance streak reaching 11 sessions since 1987-09-10" in result.stdout


def test_simulated_calls_are_resolved_once_when_their_window_closes(tmp_path):
    calls = ["alice:small:1w", "dave:small:1w@2026-01-20", "bob:large:1m", "erin:small:1y@2026-01-06"]
    days = ("--start", "2026-01-05", "--end", "2026-01-28", "--channels", "1")
    result = run_bot(tmp_path, "simulate", *days, *(arg for c in calls for arg in ("--call", c)))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2026-01-12 16:30 ET  #thread-500  Call #1 resolved: right — small over 1w" in out
    assert "2026-01-27 16:30 ET  #thread-500  Call #3 resolved: wrong — small over 1w" in out
    assert "a spread of -1.87 pp, so the call was wrong" in out
    assert "erin: call erin:small:1y@2026-01-06 refused: Live data is off" in out
    assert "2 call result(s) posted for 4 call(s)." in out
    assert "2 closed calls by 2 members: 1/2 (50%) right" in out
    assert "#2 bob · large 1m · ^RUT vs ^GSPC · ends 2026-02-04" in out
    assert (tmp_path / "charts" / "call-1.png").read_bytes()[:4] == b"\x89PNG"


def test_ask_csv_prints_the_export_and_export_true_saves_it(tmp_path):
    result = run_bot(tmp_path, "ask", "--csv", "/compare a:IWM b:SPY period:2024")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "# rotation-bot export",
        "# command: /compare a:IWM b:SPY period:2024",
        "# as of: 2024-12-31",
        "# source: bundled snapshot",
    ]
    data = [line for line in lines if not line.startswith("#")]
    assert data[0].startswith("date,IWM close,SPY close,IWM daily return,SPY daily return,daily spread")
    assert data[1].startswith("2023-12-29,")
    assert len(data) == 1 + 253  # the base close and the 252 sessions of 2024
    saved = run_bot(tmp_path, "ask", "--json", "/gap period:2024 export:true")
    path = Path(json.loads(saved.stdout)["csv"])
    assert path.parent == tmp_path / "charts"
    assert path.read_text().startswith("# rotation-bot export\n# command: /gap period:2024 small:^RUT")
    refused = run_bot(tmp_path, "ask", "--csv", "/help")
    assert refused.returncode == 2
