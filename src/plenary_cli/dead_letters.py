"""`plenary dlq`: list dead letters and replay them to their original subject."""

import asyncio
from typing import Annotated

import typer
from nats.js.api import ConsumerConfig, DeliverPolicy

from plenary_contracts import streams
from plenary_kit.bus.connection import connect
from plenary_kit.settings import Settings

app = typer.Typer(help="Dead letters: events a consumer gave up on.", no_args_is_help=True)


async def _read(settings: Settings, consumer: str | None) -> list[tuple[int, str, dict[str, str], bytes]]:
    nc = await connect(settings.nats_url, "plenary-dlq")
    try:
        js = nc.jetstream()
        subject = f"dlq.*.{consumer}" if consumer else "dlq.>"
        info = await js.stream_info(streams.DEAD_LETTER_STREAM.name)
        if info.state.messages == 0:
            return []
        sub = await js.pull_subscribe(
            subject,
            stream=streams.DEAD_LETTER_STREAM.name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30.0),
        )
        letters = []
        while True:
            try:
                batch = await sub.fetch(100, timeout=1.0)
            except TimeoutError:
                break
            for msg in batch:
                letters.append((msg.metadata.sequence.stream, msg.subject, dict(msg.headers or {}), msg.data))
                await msg.ack()
        await sub.unsubscribe()
        return letters
    finally:
        await nc.drain()


@app.command("list")
def list_letters(consumer: Annotated[str | None, typer.Option(help="only this durable's")] = None) -> None:
    """One line per dead letter: sequence, consumer, original subject, error."""
    letters = asyncio.run(_read(Settings(), consumer))
    for sequence, _subject, headers, _data in letters:
        typer.echo(
            f"{sequence}\t{headers.get(streams.DEAD_LETTER_CONSUMER)}\t{headers.get(streams.DEAD_LETTER_SUBJECT)}"
            f"\t{headers.get(streams.DEAD_LETTER_ERROR)}"
        )
    typer.echo(f"{len(letters)} dead letter(s)")


@app.command("replay")
def replay(sequence: Annotated[int, typer.Argument(help="the dead letter's sequence (from `list`)")]) -> None:
    """Publish a dead letter again on its original subject; consumers' inboxes keep it at most once."""

    async def _replay() -> str:
        nc = await connect(Settings().nats_url, "plenary-dlq")
        try:
            js = nc.jetstream()
            msg = await js.get_msg(streams.DEAD_LETTER_STREAM.name, sequence)
            headers = {k: v for k, v in (msg.headers or {}).items() if not k.startswith(streams.DEAD_LETTER_PREFIX)}
            subject = (msg.headers or {})[streams.DEAD_LETTER_SUBJECT]
            # A new Nats-Msg-Id so the stream's duplicate window does not drop the replay.
            headers["Nats-Msg-Id"] = f"replay-{sequence}-{headers.get('ce-id', '')}"
            await js.publish(subject, msg.data or b"", headers=headers)
            await js.delete_msg(streams.DEAD_LETTER_STREAM.name, sequence)
            return subject
        finally:
            await nc.drain()

    typer.echo(f"replayed {sequence} to {asyncio.run(_replay())}")
