//! `tenants.data_version`: a counter that every write transaction of the
//! tenant increments, so that an answer computed from the tenant's data can
//! be reused exactly until the data changes (the response cache).

use crate::helpers::a;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(a("tenants"))
                    .add_column(big_integer(a("data_version")).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(a("tenants"))
                    .drop_column(a("data_version"))
                    .to_owned(),
            )
            .await
    }
}
