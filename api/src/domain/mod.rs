//! Domain newtypes checked at the boundary: ids, phone numbers, time zones.

pub mod country;
pub mod id;
pub mod phone;
pub mod timezone;

pub use country::Country;
pub use id::{GlobalId, NodeKind, TenantId};
pub use phone::PhoneE164;
pub use timezone::TimeZone;
