"""The models and the migrations describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from coordinator.models import Base


async def test_migrations_at_head_match_the_models(settings):
    engine = create_async_engine(settings.async_database_url)
    async with engine.connect() as connection:

        def diff(sync_connection):
            context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)

        differences = await connection.run_sync(diff)
    await engine.dispose()
    assert differences == []


def test_migrations_have_a_single_head():
    from alembic.script import ScriptDirectory

    from coordinator.platform.migrate import ROOT, alembic_config

    script = ScriptDirectory.from_config(alembic_config("postgresql+asyncpg://unused/unused"))
    assert len(script.get_heads()) == 1, script.get_heads()
    assert (ROOT / "migrations" / "env.py").exists()


async def test_downgrade_to_base_and_back_up(settings):
    """Every migration can be undone and redone (on a scratch database of its own)."""
    import asyncio

    from alembic import command
    from sqlalchemy import make_url, text
    from sqlalchemy.ext.asyncio import create_async_engine

    from coordinator.platform.migrate import alembic_config

    admin = create_async_engine(settings.async_database_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text("DROP DATABASE IF EXISTS fumin_migration_check"))
        await connection.execute(text("CREATE DATABASE fumin_migration_check"))
    await admin.dispose()
    url = (
        make_url(settings.async_database_url)
        .set(database="fumin_migration_check")
        .render_as_string(hide_password=False)
    )
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "heads")
    await asyncio.to_thread(command.downgrade, config, "base")
    await asyncio.to_thread(command.upgrade, config, "heads")
