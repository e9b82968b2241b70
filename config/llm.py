"""A minimal client for any OpenAI-compatible chat-completions endpoint.

Used by the optional LLM triage engine and the persona reviewer. Configured by LLM_BASE_URL,
LLM_API_KEY and LLM_MODEL; ``llm_configured()`` is False when they are missing, and features
that need an LLM say so instead of failing. The standard library's urllib is enough for one
POST with a timeout, so no HTTP client dependency is added for it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings


class LLMError(Exception):
    """The endpoint was unreachable, slow, or answered something unusable.

    ``status`` is the HTTP status when the server answered one (429, 500...), and
    ``retry_after`` its Retry-After in seconds when it sent a number; ``retryable`` says
    whether asking again may help (timeouts, connection errors, 429 and 5xx)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.retryable = retryable


@dataclass(frozen=True)
class LLMReply:
    """The first choice's text, the model the server named, and its token usage
    (``prompt_tokens``, ``completion_tokens``, ``total_tokens`` when reported)."""

    content: str
    model: str
    usage: dict[str, int]


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    api_key: str
    model: str
    timeout: float = 20.0


def llm_config() -> LLMConfig | None:
    base_url = (settings.LLM_BASE_URL or "").rstrip("/")
    if not base_url or not settings.LLM_MODEL:
        return None
    return LLMConfig(
        base_url=base_url, api_key=settings.LLM_API_KEY or "", model=settings.LLM_MODEL
    )


def llm_configured() -> bool:
    return llm_config() is not None


def chat_completion(
    messages: list[dict[str, str]],
    *,
    config: LLMConfig | None = None,
    json_mode: bool = True,
    temperature: float = 0.0,
    max_tokens: int = 300,
) -> str:
    """POST ``{base_url}/chat/completions`` and return the first choice's message content.

    ``base_url`` is the API root as OpenAI-compatible servers publish it (for example
    ``https://api.openai.com/v1`` or ``http://localhost:11434/v1`` for Ollama).
    """
    return chat_completion_reply(
        messages,
        config=config,
        json_mode=json_mode,
        temperature=temperature,
        max_tokens=max_tokens,
    ).content


def _usage(body: dict[str, Any]) -> dict[str, int]:
    usage = body.get("usage")
    if not isinstance(usage, dict):
        return {}
    return {
        key: int(value)
        for key, value in usage.items()
        if key in ("prompt_tokens", "completion_tokens", "total_tokens")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 <= value < 10**9
    }


def _retry_after(headers: Any) -> float | None:
    try:
        value = float(headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= 3600 else None


def chat_completion_reply(
    messages: list[dict[str, Any]],
    *,
    config: LLMConfig | None = None,
    json_mode: bool = True,
    temperature: float = 0.0,
    max_tokens: int = 300,
) -> LLMReply:
    """:func:`chat_completion` with the token usage and the answering model (personas
    record both per run). Raises :class:`LLMError` with the HTTP status when there is one."""
    config = config or llm_config()
    if config is None:
        raise LLMError("No LLM is configured (LLM_BASE_URL and LLM_MODEL).")
    payload: dict[str, Any] = {
        "model": config.model,
        "messages": messages,
        "temperature": temperature,
        "max_tokens": max_tokens,
    }
    if json_mode:
        payload["response_format"] = {"type": "json_object"}
    url = f"{config.base_url}/chat/completions"
    if not url.startswith(("http://", "https://")):
        raise LLMError("LLM_BASE_URL must be an http(s) URL.")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(payload).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        status = exc.code
        raise LLMError(
            f"LLM request failed: HTTP {status}",
            status=status,
            retry_after=_retry_after(exc.headers),
            retryable=status == 429 or status >= 500,
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LLMError(f"LLM request failed: {exc}", retryable=True) from exc
    except ValueError as exc:
        raise LLMError(f"LLM answered something that is not JSON: {exc}") from exc
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise LLMError("LLM answered without choices[0].message.content") from exc
    if not isinstance(content, str):
        raise LLMError("LLM content is not text")
    model = body.get("model") if isinstance(body.get("model"), str) else config.model
    return LLMReply(content=content, model=model[:100], usage=_usage(body))
