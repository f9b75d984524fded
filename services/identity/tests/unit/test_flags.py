from identity_svc.domain.flags import Flag


def test_partial_update_keeps_what_it_does_not_name():
    flag = Flag(key="FF_X", enabled_for_roles=("ADMIN",))
    updated = flag.updated({"enabled": True, "enabled_for_roles": None})
    assert updated == Flag(key="FF_X", enabled=True, enabled_for_roles=("ADMIN",))


def test_update_keeps_each_id_once_in_first_seen_order():
    updated = Flag(key="FF_X").updated({"enabled_for_tenants": ["t2", "t1", "t2"]})
    assert updated.enabled_for_tenants == ("t2", "t1")


def test_key_and_description_cannot_be_changed_by_an_update():
    flag = Flag(key="FF_X", description="d")
    assert flag.updated({"key": "FF_Y", "description": "other"}) == flag


def test_per_tenant_off_switch_wins_over_global_on():
    flag = Flag(key="FF_X", enabled=True, disabled_for_tenants=("t1",))
    assert flag.is_enabled("t1", (), None) is False
    assert flag.is_enabled("t2", (), None) is True
