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
