"""Running a parser on an uploaded file in a forked child process bounded in memory (RLIMIT_AS) and in time: a
small file can ask for gigabytes once parsed (a spreadsheet naming two cells far apart, a zip or PDF stream that
decompresses a thousandfold) or loop for ever, and neither may take the web worker down with it. The parent gets
the child's outcome, or TOO_BIG / TOO_LONG; it never gets an exception from the parser."""
import faulthandler
import multiprocessing
import resource
from collections.abc import Callable

TOO_BIG = ("too-big",)  # the child ran out of its memory (MemoryError, or killed by its allocator's abort)
TOO_LONG = ("too-long",)  # the child had not answered after `timeout` seconds: killed
BROKEN = ("broken",)  # the work raised an exception it did not turn into an outcome itself


def run_bounded(work: Callable[..., tuple], args: tuple, max_memory: int, timeout: float) -> tuple:
    """`work(*args)` (a tuple, picklable) computed in a forked child whose address space may grow by `max_memory`
    bytes at most and which is killed after `timeout` seconds; TOO_BIG, TOO_LONG or BROKEN when it gave none."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_in_child, args=(sender, work, args, max_memory), daemon=True)
    child.start()
    sender.close()
    timed_out = False
    try:
        if receiver.poll(timeout):
            outcome = receiver.recv()
        else:
            outcome, timed_out = TOO_LONG, True
    except EOFError:  # the child died without answering: out of its memory
        outcome = TOO_BIG
    finally:
        receiver.close()
        if not timed_out:
            child.join(1)
        if child.is_alive():
            child.kill()
        child.join()
    return outcome


def _in_child(sender, work: Callable[..., tuple], args: tuple, max_memory: int) -> None:
    """In the child process: bound its address space, do the work, send the outcome."""
    # Past the bound a C allocator may abort the child: an outcome the parent reports in words, so no traceback
    # dump (faulthandler, inherited from a test run or `python -X faulthandler`) in the server's log.
    faulthandler.disable()
    try:
        current = resource.getrlimit(resource.RLIMIT_AS)[1]
        used = _address_space()
        limit = used + max_memory if current == resource.RLIM_INFINITY else min(current, used + max_memory)
        resource.setrlimit(resource.RLIMIT_AS, (limit, current))
        outcome = work(*args)
    except MemoryError:
        outcome = TOO_BIG
    except Exception:  # noqa: BLE001 - whatever a parser raises on a hostile file, the parent gets words for it
        outcome = BROKEN
    try:
        sender.send(outcome)
    except MemoryError:  # the outcome itself did not fit in what was left
        sender.send(TOO_BIG)
    sender.close()


def _address_space() -> int:
    """The process's virtual memory size, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()
