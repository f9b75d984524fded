from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_kit import context as ctx
from plenary_kit.acting import located


def test_acting_replaces_the_named_fields_for_the_block_and_restores_the_caller_after():
    token = ctx.use(ctx.Context(tenant_id="t1", actor_id="u1", correlation_id="c1"))
    try:
        with ctx.acting(tenant_id="t2", actor_id=SYSTEM_USER_ID) as inside:
            assert ctx.current() == inside
            assert (inside.tenant_id, inside.actor_id, inside.correlation_id) == ("t2", SYSTEM_USER_ID, "c1")
        assert (ctx.current().tenant_id, ctx.current().actor_id) == ("t1", "u1")
    finally:
        ctx.reset(token)


def test_acting_restores_the_caller_when_the_block_raises():
    try:
        with ctx.acting(tenant_id="t9"):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert ctx.current().tenant_id is None


def test_located_prefixes_each_problem_location():
    errors = located(("body", "steps"), [((0, "name"), "required"), ((), "empty")])
    assert [(e.loc, e.msg) for e in errors] == [
        (["body", "steps", 0, "name"], "required"),
        (["body", "steps"], "empty"),
    ]
