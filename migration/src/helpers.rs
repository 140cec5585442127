//! Helpers shared by the migrations: tenant-owned tables and composite keys.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// A table or column name.
pub fn a(name: &'static str) -> Alias {
    Alias::new(name)
}

/// A tenant-owned table: `tenant_id` and `id` (UUIDs), primary key
/// `(tenant_id, id)` and a foreign key to `tenants` that cascades on delete.
pub fn tenant_table(table: &'static str) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(table))
        .col(uuid(Alias::new("tenant_id")))
        .col(uuid(Alias::new("id")))
        .primary_key(
            Index::create()
                .col(Alias::new("tenant_id"))
                .col(Alias::new("id")),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{table}_tenant"))
                .from(Alias::new(table), Alias::new("tenant_id"))
                .to(Alias::new("tenants"), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// A composite foreign key `(tenant_id, column) -> parent(tenant_id, id)`:
/// the database refuses a reference to another tenant's row. (`SET NULL`
/// would null `tenant_id` too, so optional references use `NO ACTION`: a
/// referenced row cannot be deleted while referenced.)
pub fn tenant_fk(
    table: &'static str,
    column: &'static str,
    parent: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(
            Alias::new(table),
            (Alias::new("tenant_id"), Alias::new(column)),
        )
        .to(
            Alias::new(parent),
            (Alias::new("tenant_id"), Alias::new("id")),
        )
        .on_delete(on_delete)
        .to_owned()
}

/// An index (unique or not) whose first column is `tenant_id`.
pub fn tenant_index(
    table: &'static str,
    name: &str,
    columns: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(name)
        .table(Alias::new(table))
        .col(Alias::new("tenant_id"));
    for column in columns {
        index.col(Alias::new(*column));
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

/// Creates the tables, then the indexes, in one go.
pub async fn create_all(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for table in tables {
        manager.create_table(table).await?;
    }
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Runs `statements` in order on PostgreSQL; on SQLite does nothing (for
/// what only PostgreSQL has or needs).
pub async fn on_postgres(
    manager: &SchemaManager<'_>,
    statements: impl IntoIterator<Item = String>,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    for statement in statements {
        manager
            .get_connection()
            .execute_unprepared(&statement)
            .await?;
    }
    Ok(())
}

/// Drops tables in the given order.
pub async fn drop_all(manager: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(Alias::new(*table)).to_owned())
            .await?;
    }
    Ok(())
}

/// `created_at` and `updated_at`, both required.
pub fn stamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone(Alias::new("created_at")))
        .col(timestamp_with_time_zone(Alias::new("updated_at")))
}
