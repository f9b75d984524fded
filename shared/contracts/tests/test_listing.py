import pytest
from pydantic import ValidationError

from plenary_contracts.listing import ListQuery, PageMeta, sparse
from plenary_contracts.model import Model
from plenary_contracts.operations import HttpRoute, OperationKind, OperationSpec


def test_a_list_query_defaults_to_page_1_of_20_newest_first_and_reads_camel_case():
    query = ListQuery.model_validate({"pageSize": 5, "page": 3, "sort": "name:asc"})
    assert (query.page, query.page_size, query.offset) == (3, 5, 10)
    assert (query.sort_field, query.sort_direction) == ("name", "asc")
    assert ListQuery().sort == "createdAt:desc" and ListQuery().page_size == 20


@pytest.mark.parametrize("bad", [{"page": 0}, {"pageSize": 101}, {"pageSize": 0}, {"sort": "name"}, {"sort": "x:up"},
                                 {"fields": "a,,b"}])  # fmt: skip
def test_out_of_range_pages_and_malformed_sort_or_fields_are_refused(bad):
    with pytest.raises(ValidationError):
        ListQuery.model_validate(bad)


def test_meta_counts_pages_by_ceiling():
    query = ListQuery(page_size=20)
    assert PageMeta.of(query, 41).model_dump() == {"page": 1, "pageSize": 20, "total": 41, "totalPages": 3}
    assert PageMeta.of(query, 0).total_pages == 0


def test_sparse_fields_keep_the_id_always():
    item = {"id": "1", "name": "n", "email": "e"}
    assert sparse(item, "email") == {"id": "1", "email": "e"}
    assert sparse(item, None) == item


class _Get(Model):
    user_id: str


def test_a_route_parameter_must_be_a_field_of_the_request():
    OperationSpec("identity", "ok", OperationKind.QUERY, _Get, _Get, "", http=HttpRoute("GET", "/u/{userId}"))
    with pytest.raises(ValueError, match="path parameter"):
        OperationSpec("identity", "bad", OperationKind.QUERY, _Get, _Get, "", http=HttpRoute("GET", "/u/{id}"))


def test_a_public_operation_cannot_require_a_permission():
    from plenary_contracts.permissions import Permission

    with pytest.raises(ValueError, match="public"):
        OperationSpec(
            "identity", "p", OperationKind.QUERY, _Get, _Get, "", public=True, permission=Permission("a", "b")
        )
