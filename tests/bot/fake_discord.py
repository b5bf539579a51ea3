"""A small fake of Discord's REST API on loopback, enough for discord.py to log in, sync commands,
answer interactions and post to channels. It records every request (time, method, path, JSON, files).

discord.py checks ``Content-Type == application/json`` exactly (no charset), expects the callback of
``?with_response=1`` to return ``{"interaction": {...}}``, and parses the messages it gets back.
Payload builders (:meth:`FakeDiscord.interaction`, :meth:`FakeDiscord.guild`,
:meth:`FakeDiscord.message_create`) produce what the gateway would deliver.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

EPHEMERAL = 1 << 6
TS = "2026-08-21T20:00:00.000000+00:00"
VIEW, SEND, EMBED, ATTACH, HISTORY = 1 << 10, 1 << 11, 1 << 14, 1 << 15, 1 << 16
MANAGE_CHANNELS, CREATE_PUBLIC_THREADS, SEND_IN_THREADS = 1 << 4, 1 << 35, 1 << 38
ALL_TEXT = VIEW | SEND | EMBED | ATTACH | HISTORY | SEND_IN_THREADS


@dataclass
class Request:
    t: float
    method: str
    path: str
    json: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)
    status: int = 200


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(payload).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status)


class RateLimits:
    """Discord's REST limits as the real API applies them, for the fan-out's pacing tests: a global
    limit per token (fixed one-second windows; interaction callbacks and webhooks exempt) and a
    bucket per channel for posting (5 per 5 s), each answered with ``X-RateLimit-*`` headers so
    discord.py paces itself, and a 429 with ``retry_after`` when a client goes over."""

    def __init__(self, global_per_second: int = 50, per_channel: int = 5, channel_window: float = 5.0):
        self.global_per_second, self.per_channel, self.channel_window = (
            global_per_second,
            per_channel,
            channel_window,
        )
        self._window, self._in_window = 0, 0
        self._channels: dict[str, tuple[float, int]] = {}  # channel -> (window start, posts in it)
        self.responses_429 = 0
        self.global_429 = 0
        self.requests_counted = 0

    def check(self, method: str, parts: list[str]) -> tuple[web.Response | None, dict[str, str]]:
        """(a 429 to answer instead, or None) and the headers to add to the real answer."""
        if parts[:1] in (["interactions"], ["webhooks"]):
            return None, {}
        now = time.monotonic()
        window = int(now)
        if window != self._window:
            self._window, self._in_window = window, 0
        if self._in_window >= self.global_per_second:
            self.responses_429 += 1
            self.global_429 += 1
            return self._429(window + 1 - now, scope="global"), {}
        self._in_window += 1
        self.requests_counted += 1
        if method == "POST" and len(parts) == 3 and parts[0] == "channels" and parts[2] == "messages":
            start, used = self._channels.get(parts[1], (now, 0))
            if now - start >= self.channel_window:
                start, used = now, 0
            reset_after = start + self.channel_window - now
            if used >= self.per_channel:
                self.responses_429 += 1
                return self._429(reset_after, scope="user"), {}
            self._channels[parts[1]] = (start, used + 1)
            return None, {
                "X-RateLimit-Limit": str(self.per_channel),
                "X-RateLimit-Remaining": str(self.per_channel - used - 1),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": f"channel-messages-{parts[1]}",
            }
        return None, {}

    @staticmethod
    def _429(retry_after: float, scope: str) -> web.Response:
        body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3)}
        body["global"] = scope == "global"
        headers = {
            "Content-Type": "application/json",
            "Retry-After": f"{retry_after:.3f}",
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",  # discord.py treats a 429 without it as a Cloudflare ban
        }
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)


class FakeDiscord:
    def __init__(self, rate_limits: RateLimits | None = None, keep_files: bool = True) -> None:
        """``keep_files=False`` records each file's name with empty bytes: for the benchmark, which
        measures the memory of the process the fake shares with the bot."""
        self.keep_files = keep_files
        self._ids = itertools.count(1_400_000_000_000_000_000)
        self.app_id, self.guild_id = str(next(self._ids)), str(next(self._ids))
        self.channel_id, self.thread_id, self.voice_id = (str(next(self._ids)) for _ in range(3))
        self.bot_user = {"id": self.app_id, "username": "rotation-bot", "discriminator": "0", "bot": True}
        self.bot_user |= {"avatar": None, "global_name": None, "public_flags": 0, "flags": 0}
        self.requests: list[Request] = []
        self.synced: dict[str | None, list[dict]] = {}
        self.gone: set[str] = set()  # channels that answer 404 Unknown Channel
        self.forbidden: set[str] = set()  # channels where posting answers 403 Missing Permissions
        self.channel_messages: dict[str, list[dict]] = {}  # newest first, as history returns them
        self.text_channels: dict[str, str] = {}  # extra text channels (id -> guild id) GET /channels knows
        self.attachments: dict[str, bytes] = {}  # files members attached, served at {base}/attachments/NAME
        self.rate_limits = rate_limits
        self.max_concurrency = 1  # what /gateway/bot says: identifies allowed per 5 s, one per bucket
        self.callback_delay = 0.0  # seconds before an interaction callback is answered (a far Discord)
        self.faults: list[
            tuple[str, str, int, int]
        ] = []  # (method, path prefix, status, code): answered once
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        self.base = ""

    async def start(self) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}/api/v10"
        return self.base

    async def stop(self) -> None:
        await self._runner.cleanup()

    # -- requests --------------------------------------------------------------------------------

    async def _read(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        if request.content_type.startswith("multipart/"):
            body, files = None, []
            async for part in await request.multipart():
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    data = bytes(await part.read())
                    files.append((part.filename or "", data if self.keep_files else b""))
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body, files = await self._read(request)
        path = "/" + request.match_info["tail"]
        rec = Request(time.monotonic(), request.method, path, body, files)
        self.requests.append(rec)
        parts = path.split("/")[1:]
        limited, headers = self.rate_limits.check(request.method, parts) if self.rate_limits else (None, {})
        response = limited or self._fault(request.method, path) or self._route(request.method, parts, body)
        if self.callback_delay and path.endswith("/callback"):
            await asyncio.sleep(self.callback_delay)
        response.headers.update(headers)
        rec.status = response.status
        return response

    def _route(self, method: str, parts: list[str], body: Any) -> web.StreamResponse:
        match method, parts:
            case "GET", ["gateway", "bot"]:
                limits = {"total": 1000, "remaining": 999, "reset_after": 0}
                limits["max_concurrency"] = self.max_concurrency
                return _json({"url": "ws://127.0.0.1:1", "shards": 3, "session_start_limit": limits})
            case "GET", ["users", "@me"]:
                return _json(self.bot_user)
            case "GET", ["oauth2", "applications", "@me"]:
                app = {"id": self.app_id, "name": "rotation-bot", "description": "", "icon": None}
                app |= {"bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64}
                return _json(app | {"flags": 0, "owner": self.bot_user, "team": None, "summary": ""})
            case "PUT", ["applications", _, "commands"]:
                return self._sync(None, body)
            case "PUT", ["applications", _, "guilds", guild, "commands"]:
                return self._sync(guild, body)
            case "POST", ["interactions", iid, _token, "callback"]:
                state = {"id": iid, "type": 2, "response_message_loading": body["type"] == 5}
                state["response_message_ephemeral"] = bool(
                    (body.get("data") or {}).get("flags", 0) & EPHEMERAL
                )
                return _json({"interaction": state})
            case ("POST", ["webhooks", _, _token]) | ("PATCH", ["webhooks", _, _token, "messages", _]):
                return _json(self.message(body))
            case "DELETE", ["webhooks", _, _token, "messages", _]:
                return web.Response(status=204)
            case "POST", ["channels", cid, "messages"]:
                if cid in self.gone:
                    return _error(404, 10003, "Unknown Channel")
                if cid in self.forbidden:
                    return _error(403, 50013, "Missing Permissions")
                message = self.message(body, channel_id=cid)
                self.channel_messages.setdefault(cid, []).insert(0, message)
                return _json(message)
            case "GET", ["channels", cid] if cid in self.text_channels:
                channel = self.channel(cid, 0, f"channel-{cid[-4:]}")
                return _json(channel | {"guild_id": self.text_channels[cid]})
            case "GET", ["channels", cid, "messages"]:
                return _json(self.channel_messages.get(cid, [])[:50])
            case "POST", ["channels", cid, "messages", mid, "threads"]:
                return _json(self.channel(mid, 11, body["name"], parent=cid), 201)
            case "POST", ["channels", _, "typing"]:
                return web.Response(status=204)
            case "PUT", ["channels", _, "messages", _, "reactions", _, "@me"]:  # the bot reacts
                return web.Response(status=204)
            case "GET", ["attachments", name] if name in self.attachments:
                return web.Response(body=self.attachments[name], content_type="text/plain")
        return _error(404, 0, "404: Not Found")

    def _fault(self, method: str, path: str) -> web.Response | None:
        """An injected failure for the next matching request: 429 (with Retry-After), 5xx, 404..."""
        for fault in self.faults:
            if fault[0] == method and path.startswith(fault[1]):
                self.faults.remove(fault)
                _, _, status, code = fault
                if status == 429:
                    body = {"message": "You are being rate limited.", "retry_after": 0.05, "global": False}
                    headers = {
                        "Content-Type": "application/json",
                        "Retry-After": "0.05",
                        "X-RateLimit-Scope": "user",
                        "Via": "1.1 google",  # discord.py treats a 429 without it as a Cloudflare ban
                    }
                    return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)
                return _error(
                    status, code, {500: "Internal Server Error", 502: "Bad Gateway"}.get(status, "error")
                )
        return None

    def _sync(self, guild: str | None, body: list[dict]) -> web.Response:
        echoed = [dict(c, id=str(next(self._ids)), application_id=self.app_id, version="1") for c in body]
        self.synced[guild] = echoed
        return _json(echoed)

    def message(self, body: dict | None, channel_id: str | None = None) -> dict:
        body = body or {}
        message = {
            "id": str(next(self._ids)),
            "channel_id": channel_id or self.channel_id,
            "author": self.bot_user,
        }
        message |= {"type": 0 if channel_id else 20, "content": body.get("content") or ""}
        message |= {
            "embeds": body.get("embeds") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
        }
        message |= {"pinned": False, "mention_everyone": False, "tts": False, "timestamp": TS}
        message |= {"edited_timestamp": None, "flags": body.get("flags", 0), "components": []}
        if not channel_id:
            message |= {"webhook_id": self.app_id, "application_id": self.app_id}
        return message

    def for_interaction(self, payload: dict) -> list[Request]:
        return [r for r in self.requests if payload["token"] in r.path]

    # -- gateway payloads ------------------------------------------------------------------------

    def channel(self, cid: str, kind: int, name: str, parent: str | None = None) -> dict:
        data = {"id": cid, "type": kind, "guild_id": self.guild_id, "name": name, "position": 0, "flags": 0}
        data |= {"permission_overwrites": [], "nsfw": False, "topic": None, "last_message_id": None}
        data |= {"rate_limit_per_user": 0, "parent_id": parent}
        if kind in (10, 11, 12):
            data |= {"owner_id": self.app_id, "message_count": 0, "member_count": 1, "total_message_sent": 0}
            data["thread_metadata"] = {"archived": False, "auto_archive_duration": 1440, "locked": False}
            data["thread_metadata"]["archive_timestamp"] = TS
        if kind == 2:
            data |= {"bitrate": 64000, "user_limit": 0, "rtc_region": None}
        return data

    def guild(self, extra_text_channels: list[str] = (), bot_permissions: int | None = None) -> dict:
        """GUILD_CREATE's guild: #general, a voice channel, the bot's thread, any extra text channels."""
        perms = ALL_TEXT | CREATE_PUBLIC_THREADS if bot_permissions is None else bot_permissions
        everyone = {"id": self.guild_id, "name": "@everyone", "permissions": str(perms), "position": 0}
        everyone |= {"color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        channels = [self.channel(self.channel_id, 0, "general"), self.channel(self.voice_id, 2, "Lounge")]
        channels += [self.channel(c, 0, f"desk-{i}") for i, c in enumerate(extra_text_channels)]
        me = {"user": self.bot_user, "roles": [], "joined_at": TS, "deaf": False, "mute": False, "flags": 0}
        guild = {"id": self.guild_id, "name": "Rotation Desk", "owner_id": "1", "roles": [everyone]}
        guild |= {"emojis": [], "stickers": [], "features": [], "member_count": 2, "members": [me]}
        guild |= {"channels": channels, "voice_states": [], "presences": [], "large": False}
        guild["threads"] = [self.channel(self.thread_id, 11, "rotation-talk", parent=self.channel_id)]
        return guild | {"unavailable": False, "preferred_locale": "en-US", "premium_tier": 0}

    def message_create(
        self, content: str, *, mention_bot: bool, user_id: str = "1300000000000000001"
    ) -> dict:
        """MESSAGE_CREATE in the bot's thread, as the gateway sends it."""
        user = {"id": user_id, "username": "alice", "discriminator": "0", "avatar": None, "bot": False}
        member = {"roles": [], "joined_at": TS, "deaf": False, "mute": False, "flags": 0}
        mentions = [self.bot_user | {"member": member}] if mention_bot else []
        data = {
            "id": str(next(self._ids)),
            "channel_id": self.thread_id,
            "guild_id": self.guild_id,
            "type": 0,
        }
        data |= {"author": user, "member": member, "content": content, "mentions": mentions}
        data |= {"mention_roles": [], "mention_everyone": False, "attachments": [], "embeds": []}
        return data | {"pinned": False, "tts": False, "timestamp": TS, "edited_timestamp": None, "flags": 0}

    def interaction(
        self,
        name: str,
        options: dict[str, str] | None = None,
        *,
        user_id: str = "1300000000000000001",
        in_thread: bool = False,
        app_permissions: int | None = None,
        member_permissions: int | None = None,
        focused: str | None = None,
        channel_option: tuple[str, int, int] | None = None,
        channel_guild: str | None = None,
    ) -> dict:
        """INTERACTION_CREATE: a slash command, or an autocomplete when ``focused``.

        ``channel_option`` = (channel id, channel type, the user's permissions there) for a channel option;
        ``channel_guild``: the server that channel belongs to, when not this one (as a forged or buggy
        client could send it).
        """
        iid = str(next(self._ids))
        if in_thread:
            channel = self.channel(self.thread_id, 11, "rotation-talk", parent=self.channel_id)
        else:
            channel = self.channel(self.channel_id, 0, "general")
        channel["permissions"] = str(ALL_TEXT)
        opts = [
            {"name": k, "type": 3, "value": v, **({"focused": True} if k == focused else {})}
            for k, v in (options or {}).items()
        ]
        resolved: dict = {}
        if channel_option is not None:
            cid, kind, perms = channel_option
            opts.append({"name": "channel", "type": 7, "value": cid})
            target = self.channel(
                cid, kind, "target", parent=self.channel_id if kind in (10, 11, 12) else None
            )
            if channel_guild is not None:
                target["guild_id"] = channel_guild
            resolved = {"channels": {cid: target | {"permissions": str(perms)}}}
        user = {"id": user_id, "username": f"user{user_id[-3:]}", "discriminator": "0", "avatar": None}
        member = {"user": user, "roles": [], "joined_at": TS, "deaf": False, "mute": False, "flags": 0}
        member["permissions"] = str(ALL_TEXT if member_permissions is None else member_permissions)
        data = {
            "id": str(next(self._ids)),
            "name": name,
            "type": 1,
            "options": opts,
            "guild_id": self.guild_id,
        }
        payload = {
            "id": iid,
            "application_id": self.app_id,
            "type": 4 if focused else 2,
            "token": f"tok-{iid}",
        }
        payload |= {"version": 1, "guild_id": self.guild_id, "channel_id": channel["id"], "channel": channel}
        payload |= {"guild": {"id": self.guild_id, "locale": "en-US", "features": []}, "member": member}
        payload |= {"data": data | {"resolved": resolved}, "locale": "en-US", "guild_locale": "en-US"}
        payload["app_permissions"] = str(ALL_TEXT if app_permissions is None else app_permissions)
        payload |= {"entitlements": [], "context": 0, "authorizing_integration_owners": {"0": self.guild_id}}
        return payload | {"attachment_size_limit": 10 * 1024 * 1024}


async def dispatch(bot, payload: dict, parser: str = "interaction_create") -> None:
    """Feed a raw gateway event to discord.py's own parser and wait for the handlers it started."""
    before = asyncio.all_tasks()
    getattr(bot._connection, f"parse_{parser}")(payload)
    names = {"CommandTree-invoker", "discord.py: on_message"}
    started = [t for t in asyncio.all_tasks() - before if t.get_name() in names]
    assert started, f"discord.py started no handler for {parser}"
    await asyncio.gather(*started)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a complete PNG (signature, IHDR first, IEND last)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    assert data[-8:-4] == b"IEND"
    return struct.unpack(">II", data[16:24])
