from plenary_contracts.flags import FLAG_DESCRIPTIONS, FlagContext, FlagKey, FlagState, evaluate


def _ctx(tenant=None, roles=(), user=None):
    return FlagContext(tenant_id=tenant, roles=roles, user_id=user)


def test_there_are_23_flags_each_with_a_description():
    assert len(FlagKey) == 23
    assert set(FLAG_DESCRIPTIONS) == set(FlagKey)
    assert all(text.strip() for text in FLAG_DESCRIPTIONS.values())


def test_a_missing_flag_is_off():
    assert evaluate({}, "FF_NOPE", _ctx("t1")) is False


def test_a_seeded_flag_is_off_for_everyone():
    assert FlagState(key="FF_X").is_enabled(_ctx("t1", ("ADMIN",), "u1")) is False


def test_global_tenant_role_and_user_each_turn_a_flag_on():
    assert FlagState(key="F", enabled=True).is_enabled(_ctx())
    assert FlagState(key="F", enabled_for_tenants=["t1"]).is_enabled(_ctx("t1"))
    assert not FlagState(key="F", enabled_for_tenants=["t1"]).is_enabled(_ctx("t2"))
    assert FlagState(key="F", enabled_for_roles=["VALIDATOR"]).is_enabled(_ctx("t2", ("USER", "VALIDATOR")))
    assert FlagState(key="F", enabled_for_users=["u1"]).is_enabled(_ctx("t2", (), "u1"))


def test_tenant_off_switch_beats_global_role_and_user():
    state = FlagState(
        key="F",
        enabled=True,
        enabled_for_roles=["ADMIN"],
        enabled_for_users=["u1"],
        disabled_for_tenants=["t1"],
    )
    assert state.is_enabled(_ctx("t1", ("ADMIN",), "u1")) is False
    assert state.is_enabled(_ctx("t2")) is True


def test_no_tenant_in_context_never_matches_tenant_lists():
    assert FlagState(key="F", enabled_for_tenants=["t1"]).is_enabled(_ctx()) is False
