"""checkin's queue on the bus: taking tickets, calling them to counters, serving, the board and the estimate."""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.service import Runtime

from ..application.queue import Queue


def register(runtime: Runtime, queue: Queue) -> None:
    runtime.serve(contract.JOIN_QUEUE, queue.join)
    runtime.serve(contract.CALL_NEXT, queue.call_next)
    runtime.serve(contract.START_SERVING, queue.start_serving)
    runtime.serve(contract.COMPLETE_TICKET, queue.complete)
    runtime.serve(contract.CANCEL_TICKET, queue.cancel)
    runtime.serve(contract.GET_TICKET, queue.get)
    runtime.serve(contract.QUEUE_STATUS, queue.status)
    runtime.serve(contract.ESTIMATE_WAIT, queue.estimate)
