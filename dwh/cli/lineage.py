"""``dwh lineage RUN_ID``: a past run's OpenLineage events, rebuilt from the run store."""

from __future__ import annotations

import click

from dwh.errors import LineageSendError, UsageError


@click.command()
@click.argument("run_id")
@click.option(
    "--send",
    is_flag=True,
    help="Send the events through the configured OpenLineage transport instead of printing.",
)
@click.option(
    "--namespace",
    metavar="NS",
    help="The job namespace (default: $OPENLINEAGE_NAMESPACE, the config file's, or dwh).",
)
def lineage(run_id: str, send: bool, namespace: str | None) -> None:
    """Print RUN_ID's OpenLineage events as JSON lines (or --send them).

    The events are the ones the run sent, or would have sent, when it ran: START,
    then COMPLETE, FAIL or ABORT, with the same runId. Pipe them to a backend
    (dwh lineage RUN_ID | curl ...) or send them with the transport that
    openlineage.yml or $OPENLINEAGE_URL configures.
    """
    from dwh.lineage import lineage_configured, make_client, rebuild_events, to_json
    from dwh.runs.store import RunStore

    existing = RunStore.open_existing()
    if existing.off:
        raise UsageError("the run store is off (DWH_RUN_STORE=off): no past run to rebuild")
    if existing.store is None:
        raise UsageError(f"no run '{run_id}': nothing is recorded yet at {existing.path}")
    store = existing.store
    if send and not lineage_configured():
        store.close()
        raise UsageError(
            "--send needs an OpenLineage transport: set OPENLINEAGE_URL, OPENLINEAGE_CONFIG "
            "or OPENLINEAGE__TRANSPORT__TYPE, or write ./openlineage.yml "
            "(and leave OPENLINEAGE_DISABLED unset)"
        )
    with store:
        events = rebuild_events(store, run_id, namespace=namespace)
    if not send:
        for event in events:
            click.echo(to_json(event))
        return
    client = make_client()
    try:
        for event in events:
            client.emit(event)
        client.close(10.0)
    except Exception as exc:
        raise LineageSendError(
            f"could not send run {run_id}'s OpenLineage events: {type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        ) from exc
    click.echo(f"sent {len(events)} OpenLineage events of run {run_id}", err=True)
