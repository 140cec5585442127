//! `Agent`: an AI or human calling agent.

use super::DateTimeUtc;
use crate::domain::{GlobalId, NodeKind};
use async_graphql::{ID, SimpleObject};
use entity::agent;
use entity::enums::AgentKind;

/// An AI or human agent that places or takes calls.
#[derive(SimpleObject)]
pub struct Agent {
    pub id: ID,
    /// The provider's id of the agent.
    pub external_id: String,
    pub name: String,
    pub kind: AgentKind,
    pub language: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

impl From<agent::Model> for Agent {
    fn from(a: agent::Model) -> Self {
        Self {
            id: ID(GlobalId::new(NodeKind::Agent, a.id).encode()),
            external_id: a.external_id,
            name: a.name,
            kind: a.kind,
            language: a.language,
            active: a.active,
            created_at: a.created_at,
        }
    }
}
