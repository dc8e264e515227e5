"""What the engine gives back: the tokens it streams, then the checked Answer with its citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from answer.citations import Citation


@dataclass(frozen=True)
class Retrieved:
    """The passages retrieval found, numbered as the answer will cite them, before the model writes."""

    passages: list[dict]


@dataclass(frozen=True)
class Quoted:
    """The reply's own sentences that answer the question (答复原文), shown before the model writes its summary."""

    quotes: list[dict]


@dataclass(frozen=True)
class Waiting:
    """Others are using the model: how many are ahead."""

    ahead: int


@dataclass(frozen=True)
class Token:
    """A piece of the model's reply, streamed before the checked answer."""

    text: str


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    quotes: list[dict] = field(default_factory=list)  # 答复原文: the reply's sentences that answer, before the summary
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    related: list[dict] = field(default_factory=list)  # 可能相关: nearest documents offered with a refusal
    search_query: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    passages: list[dict] = field(default_factory=list)  # what retrieval found, in rank order, for evaluation and audit
    sentences: list[dict] = field(default_factory=list)  # each sentence shown: text, status, markers
    dropped: list[dict] = field(default_factory=list)  # summary sentences the check turned down, left out, with why
    notice: str = ""  # why there is nothing to answer from, when it is not the question (filters, a full queue)
    precedents: list[dict] = field(default_factory=list)  # the replies listed for a question that asks which exist

    def to_dict(self) -> dict:
        return asdict(self)
