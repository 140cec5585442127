//! Statuses, kinds, scopes and roles, stored as their SHOUTY_SNAKE names and
//! exposed under the same names as GraphQL enums, one type end to end.
//!
//! They are stored as strings rather than PostgreSQL enum types so that the
//! same migrations serve SQLite and PostgreSQL and a new variant needs no
//! `ALTER TYPE`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Who placed the call.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CallDirection {
    #[sea_orm(string_value = "INBOUND")]
    Inbound,
    #[sea_orm(string_value = "OUTBOUND")]
    Outbound,
}

/// A call's projected status (INGEST.md).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CallStatus {
    #[sea_orm(string_value = "INITIATED")]
    Initiated,
    #[sea_orm(string_value = "RINGING")]
    Ringing,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "BUSY")]
    Busy,
    #[sea_orm(string_value = "NO_ANSWER")]
    NoAnswer,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// The type of a call event (INGEST.md).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CallEventType {
    #[sea_orm(string_value = "INITIATED")]
    Initiated,
    #[sea_orm(string_value = "RINGING")]
    Ringing,
    #[sea_orm(string_value = "ANSWERED")]
    Answered,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "BUSY")]
    Busy,
    #[sea_orm(string_value = "NO_ANSWER")]
    NoAnswer,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    #[sea_orm(string_value = "HOLD")]
    Hold,
    #[sea_orm(string_value = "UNHOLD")]
    Unhold,
    #[sea_orm(string_value = "MUTE")]
    Mute,
    #[sea_orm(string_value = "UNMUTE")]
    Unmute,
    #[sea_orm(string_value = "TRANSFER")]
    Transfer,
    #[sea_orm(string_value = "DTMF")]
    Dtmf,
}

impl CallEventType {
    /// The call status a terminal event sets, `None` for every other type.
    pub fn outcome(self) -> Option<CallStatus> {
        match self {
            Self::Completed => Some(CallStatus::Completed),
            Self::Failed => Some(CallStatus::Failed),
            Self::Busy => Some(CallStatus::Busy),
            Self::NoAnswer => Some(CallStatus::NoAnswer),
            Self::Cancelled => Some(CallStatus::Cancelled),
            _ => None,
        }
    }
}

impl CallStatus {
    /// The terminal event type that sets this status, `None` for statuses
    /// without an outcome (the inverse of `CallEventType::outcome`).
    pub fn outcome_event(self) -> Option<CallEventType> {
        <CallEventType as sea_orm::Iterable>::iter().find(|kind| kind.outcome() == Some(self))
    }
}

/// Whether an agent is an AI or a person.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgentKind {
    #[sea_orm(string_value = "AI")]
    Ai,
    #[sea_orm(string_value = "HUMAN")]
    Human,
}

/// What an API key may do.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApiKeyScope {
    #[sea_orm(string_value = "READ")]
    Read,
    #[sea_orm(string_value = "INGEST")]
    Ingest,
    #[sea_orm(string_value = "ADMIN")]
    Admin,
}

/// The scopes of one API key, stored as a JSON array of scope names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, FromJsonQueryResult)]
pub struct ApiKeyScopes(pub Vec<ApiKeyScope>);

/// A dashboard user's role.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserRole {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "MANAGER")]
    Manager,
    #[sea_orm(string_value = "ANALYST")]
    Analyst,
    #[sea_orm(string_value = "AGENT")]
    Agent,
}

/// The sentiment a lead analysis found.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Sentiment {
    #[sea_orm(string_value = "POSITIVE")]
    Positive,
    #[sea_orm(string_value = "NEUTRAL")]
    Neutral,
    #[sea_orm(string_value = "NEGATIVE")]
    Negative,
}

/// Who spoke a transcript segment.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Speaker {
    #[sea_orm(string_value = "AGENT")]
    Agent,
    #[sea_orm(string_value = "CUSTOMER")]
    Customer,
}

/// Where a follow-up stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FollowUpStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// A lead's temperature, from the effective analysis's total score.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeadTag {
    /// Total score 80 or more.
    #[sea_orm(string_value = "HOT")]
    Hot,
    /// Total score 50 to 79.
    #[sea_orm(string_value = "WARM")]
    Warm,
    /// Total score below 50.
    #[sea_orm(string_value = "COLD")]
    Cold,
}

impl LeadTag {
    /// The tag of a total score (INGEST.md: HOT >= 80, WARM 50-79, COLD < 50).
    pub fn from_score(total: i32) -> Self {
        match total {
            80.. => Self::Hot,
            50..=79 => Self::Warm,
            _ => Self::Cold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_tags_follow_the_score_thresholds() {
        assert_eq!(LeadTag::from_score(100), LeadTag::Hot);
        assert_eq!(LeadTag::from_score(80), LeadTag::Hot);
        assert_eq!(LeadTag::from_score(79), LeadTag::Warm);
        assert_eq!(LeadTag::from_score(50), LeadTag::Warm);
        assert_eq!(LeadTag::from_score(49), LeadTag::Cold);
        assert_eq!(LeadTag::from_score(0), LeadTag::Cold);
    }

    #[test]
    fn terminal_event_types_name_their_outcome() {
        assert_eq!(
            CallEventType::NoAnswer.outcome(),
            Some(CallStatus::NoAnswer)
        );
        assert_eq!(CallEventType::Answered.outcome(), None);
        assert_eq!(CallEventType::Dtmf.outcome(), None);
        assert_eq!(
            CallStatus::NoAnswer.outcome_event(),
            Some(CallEventType::NoAnswer)
        );
        assert_eq!(CallStatus::InProgress.outcome_event(), None);
    }
}

/// Who performed an audited action.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActorKind {
    /// A dashboard user.
    #[sea_orm(string_value = "USER")]
    User,
    /// A tenant API key.
    #[sea_orm(string_value = "API_KEY")]
    ApiKey,
    /// The platform operator.
    #[sea_orm(string_value = "OPERATOR")]
    Operator,
    /// Someone not signed in (a refused sign-in, a reused refresh token).
    #[sea_orm(string_value = "ANONYMOUS")]
    Anonymous,
}

/// A security-relevant action recorded in the audit log.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditAction {
    #[sea_orm(string_value = "API_KEY_CREATED")]
    ApiKeyCreated,
    #[sea_orm(string_value = "API_KEY_REVOKED")]
    ApiKeyRevoked,
    #[sea_orm(string_value = "USER_INVITED")]
    UserInvited,
    #[sea_orm(string_value = "USER_ROLE_CHANGED")]
    UserRoleChanged,
    #[sea_orm(string_value = "USER_DEACTIVATED")]
    UserDeactivated,
    #[sea_orm(string_value = "PASSWORD_CHANGED")]
    PasswordChanged,
    /// A sign-in refused because of too many failed attempts.
    #[sea_orm(string_value = "LOGIN_REFUSED")]
    LoginRefused,
    /// A spent refresh token was presented again; its session was revoked.
    #[sea_orm(string_value = "REFRESH_TOKEN_REUSED")]
    RefreshTokenReused,
    #[sea_orm(string_value = "TENANT_SUSPENDED")]
    TenantSuspended,
    #[sea_orm(string_value = "TENANT_RESUMED")]
    TenantResumed,
}
