"""Auto-action rules of a step: rows ↔ contract models and the engine's domain rules."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import workflow as contract

from ..domain.auto_actions import Rule
from .records import AutoActionRule, as_dict, from_row
from .tables import auto_action_rule

Db = AsyncSession | AsyncConnection

# Lower priority runs first; equal priorities run in the order they were made.
ORDER = (auto_action_rule.c.priority, auto_action_rule.c.created_at, auto_action_rule.c.id)


async def active_rules(db: Db, step_id: str) -> list[Rule]:
    """The step's active rules in the order the chain tries them."""
    query = (
        sa.select(auto_action_rule)
        .where(auto_action_rule.c.step_id == step_id, auto_action_rule.c.is_active)
        .order_by(*ORDER)
    )
    return [to_domain(from_row(AutoActionRule, r)) for r in await db.execute(query)]


async def rules_of(db: Db, step_id: str, *, for_update: bool = False) -> list[AutoActionRule]:
    """Every rule of the step, inactive ones too, in chain order."""
    query = sa.select(auto_action_rule).where(auto_action_rule.c.step_id == step_id).order_by(*ORDER)
    if for_update:
        query = query.with_for_update()
    return [from_row(AutoActionRule, r) for r in await db.execute(query)]


async def get(db: Db, rule_id: str, tenant_id: str, *, for_update: bool = False) -> AutoActionRule | None:
    query = sa.select(auto_action_rule).where(
        auto_action_rule.c.id == rule_id, auto_action_rule.c.tenant_id == tenant_id
    )
    if for_update:
        query = query.with_for_update()
    found = (await db.execute(query)).first()
    return from_row(AutoActionRule, found) if found is not None else None


async def insert(db: AsyncSession, **values: object) -> AutoActionRule:
    statement = sa.insert(auto_action_rule).values(**values).returning(auto_action_rule)
    return from_row(AutoActionRule, (await db.execute(statement)).one())


async def update(db: AsyncSession, rule_id: str, **values: object) -> AutoActionRule:
    statement = (
        sa.update(auto_action_rule).where(auto_action_rule.c.id == rule_id).values(**values).returning(auto_action_rule)
    )
    return from_row(AutoActionRule, (await db.execute(statement)).one())


async def delete(db: AsyncSession, rule_id: str) -> None:
    await db.execute(sa.delete(auto_action_rule).where(auto_action_rule.c.id == rule_id))


def to_rule(record: AutoActionRule) -> contract.AutoActionRule:
    return contract.AutoActionRule.model_validate(as_dict(record))


def to_domain(row: AutoActionRule) -> Rule:
    return Rule(
        id=row.id,
        name=row.name,
        condition=row.condition_expression,
        action_type=row.action_type,
        priority=row.priority,
        is_active=row.is_active,
    )
