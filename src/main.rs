//! The `callboard` binary: everything lives in the `api` crate.

/// mimalloc instead of the system allocator: answering a GraphQL request
/// allocates and frees many small values (rows, field values, JSON), and
/// glibc's allocator spent about a third of the server's time on them
/// (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    api::run().await
}
