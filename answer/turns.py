"""One model, many users: they take turns, first come first served, and each can see how many are ahead."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Generator

from answer.results import Waiting

# How often a waiting user hears their place in the line.
_WAIT_UPDATE_S = 1.0


class QueueFull(RuntimeError):
    """More people are waiting for the model than the queue takes."""


class Ticket:
    """A place in the line; it must be given back with leave(), served or not."""

    def __init__(self, turns: Turns, number: int) -> None:
        self._turns = turns
        self.number = number

    @property
    def ahead(self) -> int:
        """How many are being served or waiting before this ticket, as they are now (0: its turn)."""
        return self._turns.ahead(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until it is this ticket's turn, or until timeout seconds have passed; True when it is its turn."""
        return self._turns.wait(self, timeout)

    def leave(self) -> None:
        self._turns.leave(self)


class Turns:
    """A fair line for one model: `capacity` tickets are served at once (1 for an in-process model), the rest wait in the
    order they came; at most `max_waiting` wait at a time."""

    def __init__(self, capacity: int = 1, max_waiting: int = 50) -> None:
        self.capacity = max(1, capacity)
        self.max_waiting = max_waiting
        self._line: list[Ticket] = []
        self._numbers = itertools.count()
        self._changed = threading.Condition()

    def join(self) -> Ticket:
        with self._changed:
            if len(self._line) - self.capacity >= self.max_waiting:
                raise QueueFull(f"{self.max_waiting} people are already waiting for the model")
            ticket = Ticket(self, next(self._numbers))
            self._line.append(ticket)
            return ticket

    def ahead(self, ticket: Ticket) -> int:
        with self._changed:
            return 0 if ticket not in self._line or self._served(ticket) else self._line.index(ticket)

    def wait(self, ticket: Ticket, timeout: float | None = None) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._served(ticket), timeout)

    def leave(self, ticket: Ticket) -> None:
        with self._changed:
            if ticket in self._line:
                self._line.remove(ticket)
                self._changed.notify_all()

    def _served(self, ticket: Ticket) -> bool:
        return ticket in self._line and self._line.index(ticket) < self.capacity


def wait_for_turn(turns: Turns) -> Generator[Waiting, None, Ticket]:
    """Wait for the model, telling how many are ahead, and that none are once its turn comes: the model then reads the
    prompt for seconds before its first word, and a count left standing meanwhile would be one too many; the ticket
    whose turn it now is."""
    ticket = turns.join()
    try:
        waited = False
        while not ticket.wait(0):
            yield Waiting(ticket.ahead)
            waited = True
            ticket.wait(_WAIT_UPDATE_S)
        if waited:
            yield Waiting(0)
    except BaseException:  # the user left while waiting: their place goes to the next
        ticket.leave()
        raise
    return ticket
