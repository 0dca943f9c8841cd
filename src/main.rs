use std::process::ExitCode;

// glibc's allocator kept each freed argon2 block (19 MiB) in the arena of the thread that hashed,
// one arena per thread of the blocking pool: hundreds of megabytes under a wave of sign-ins.
// mimalloc gives large blocks back to the system soon after they are freed, and is faster for
// the many small allocations of every request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    carelink::cli::run().await
}
