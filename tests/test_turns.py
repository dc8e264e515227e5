"""The line in front of the model: first come, first served; places told; a full line says so; leaving frees a place."""

import threading
import time

import pytest

from answer.turns import QueueFull, Turns


def test_first_come_first_served_and_each_knows_how_many_are_ahead():
    turns = Turns(capacity=1, max_waiting=5)
    first, second, third = turns.join(), turns.join(), turns.join()
    assert (first.ahead, second.ahead, third.ahead) == (0, 1, 2)
    assert first.wait(0) and not second.wait(0)
    served: list[str] = []
    waiter = threading.Thread(target=lambda: (third.wait(), served.append("third")))
    waiter.start()
    second_waiter = threading.Thread(target=lambda: (second.wait(), served.append("second"), time.sleep(0.2), second.leave()))
    second_waiter.start()
    time.sleep(0.1)
    first.leave()
    second_waiter.join(2)
    waiter.join(2)
    assert served == ["second", "third"]


def test_a_full_line_refuses_and_a_leaver_frees_a_place():
    turns = Turns(capacity=1, max_waiting=1)
    serving, waiting = turns.join(), turns.join()
    with pytest.raises(QueueFull):
        turns.join()
    waiting.leave()  # gone before being served
    later = turns.join()
    assert later.ahead == 1
    serving.leave()
    assert later.wait(1)


def test_a_server_with_slots_serves_that_many_at_once():
    turns = Turns(capacity=2, max_waiting=5)
    a, b, c = turns.join(), turns.join(), turns.join()
    assert a.wait(0) and b.wait(0) and not c.wait(0) and c.ahead == 2  # both being served are ahead of it


def test_a_waiter_hears_it_is_its_turn_as_soon_as_it_comes_not_at_the_first_word():
    from answer.results import Waiting
    from answer.turns import wait_for_turn

    turns = Turns(capacity=1, max_waiting=5)
    serving = turns.join()
    waiting = wait_for_turn(turns)
    assert next(waiting) == Waiting(1)  # the one being served is ahead
    serving.leave()
    started = time.monotonic()
    assert next(waiting) == Waiting(0)  # said at once: the model then reads the prompt for seconds before any word
    assert time.monotonic() - started < 1.5
    with pytest.raises(StopIteration) as done:
        next(waiting)
    assert done.value.value.wait(0)
