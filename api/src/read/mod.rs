//! Read-side helpers shared by resolvers and tools; every function takes the
//! tenant and filters by it first.

pub mod transcript;
