//! `TenantId` (built only by `auth/` and the operator's tenant service) and
//! opaque, typed global ids for `node(id:)`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The tenant a request acts for. Only `auth` and the operator's tenant
/// administration construct it, so no resolver can take it from arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(Uuid);

impl TenantId {
    /// Wraps an id read from a verified credential or a freshly created tenant.
    pub(crate) fn from_verified(id: Uuid) -> Self {
        Self(id)
    }

    /// The raw UUID, for queries.
    pub fn uuid(self) -> Uuid {
        self.0
    }
}

/// The object types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Tenant,
    ApiKey,
    Agent,
    Campaign,
    Contact,
    Call,
    User,
    FollowUp,
}

impl NodeKind {
    fn name(self) -> &'static str {
        match self {
            Self::Tenant => "Tenant",
            Self::ApiKey => "ApiKey",
            Self::Agent => "Agent",
            Self::Campaign => "Campaign",
            Self::Contact => "Contact",
            Self::Call => "Call",
            Self::User => "User",
            Self::FollowUp => "FollowUp",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [
            Self::Tenant,
            Self::ApiKey,
            Self::Agent,
            Self::Campaign,
            Self::Contact,
            Self::Call,
            Self::User,
            Self::FollowUp,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }
}

/// An opaque global id: base64url of `"<Type>:<uuid>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalId {
    pub kind: NodeKind,
    pub id: Uuid,
}

impl GlobalId {
    pub fn new(kind: NodeKind, id: Uuid) -> Self {
        Self { kind, id }
    }

    /// The opaque string clients see.
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.kind.name(), self.id.simple()))
    }

    /// Parses an opaque id; `None` for anything that is not one of ours.
    pub fn decode(text: &str) -> Option<Self> {
        let raw = URL_SAFE_NO_PAD.decode(text).ok()?;
        let raw = std::str::from_utf8(&raw).ok()?;
        let (kind, id) = raw.split_once(':')?;
        Some(Self {
            kind: NodeKind::from_name(kind)?,
            id: Uuid::parse_str(id).ok()?,
        })
    }

    /// Parses an id that must be of `kind`; `None` otherwise.
    pub fn decode_as(text: &str, kind: NodeKind) -> Option<Uuid> {
        Self::decode(text).filter(|g| g.kind == kind).map(|g| g.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_keep_their_type() {
        let id = Uuid::now_v7();
        let encoded = GlobalId::new(NodeKind::Call, id).encode();
        assert_eq!(
            GlobalId::decode(&encoded),
            Some(GlobalId::new(NodeKind::Call, id))
        );
        assert_eq!(GlobalId::decode_as(&encoded, NodeKind::Call), Some(id));
        assert_eq!(GlobalId::decode_as(&encoded, NodeKind::Agent), None);
    }

    #[test]
    fn garbage_is_not_a_global_id() {
        for text in [
            "",
            "x",
            "!!!",
            &URL_SAFE_NO_PAD.encode("Call:nope"),
            &URL_SAFE_NO_PAD.encode("Nope:0"),
        ] {
            assert_eq!(GlobalId::decode(text), None, "{text}");
        }
    }
}
