//! sea-orm entities: one module per table of callboard's data model.
//!
//! Every tenant-owned table has the primary key `(tenant_id, id)`; references
//! between tenant-owned rows are composite foreign keys
//! `(tenant_id, parent_id) -> parent(tenant_id, id)` declared in the
//! migrations, so the database itself refuses a row pointing at another
//! tenant's row. Behaviour beyond plain column mapping lives in `api`.

pub mod agent;
pub mod api_key;
pub mod audit_log;
pub mod call;
pub mod call_event;
pub mod call_note;
pub mod campaign;
pub mod contact;
pub mod enums;
pub mod follow_up;
pub mod lead_analysis;
pub mod login_attempt;
pub mod persisted_document;
pub mod refresh_token;
pub mod tenant;
pub mod transcript;
pub mod transcript_segment;
pub mod user;
pub mod user_session;

pub mod prelude {
    //! The entities under their table-ish names.
    pub use super::agent::Entity as Agent;
    pub use super::api_key::Entity as ApiKey;
    pub use super::audit_log::Entity as AuditLog;
    pub use super::call::Entity as Call;
    pub use super::call_event::Entity as CallEvent;
    pub use super::call_note::Entity as CallNote;
    pub use super::campaign::Entity as Campaign;
    pub use super::contact::Entity as Contact;
    pub use super::follow_up::Entity as FollowUp;
    pub use super::lead_analysis::Entity as LeadAnalysis;
    pub use super::tenant::Entity as Tenant;
    pub use super::transcript::Entity as Transcript;
    pub use super::transcript_segment::Entity as TranscriptSegment;
    pub use super::user::Entity as User;
    pub use super::user_session::Entity as UserSession;
}
